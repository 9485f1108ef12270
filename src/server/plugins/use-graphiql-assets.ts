/**
 * GraphiQL's own files (bundle, styles, editor workers) from `@graphql-yoga/graphiql`, served by
 * the gateway under {@link GRAPHIQL_ASSETS_PATH}: no CDN, so GraphiQL works on closed networks.
 * Only `.js` and `.css` files inside the package's `dist` are served (cached for a day); anything
 * else under the path is a 404.
 */
import { readFile } from 'node:fs/promises';
import { createRequire } from 'node:module';
import { dirname, join, normalize, sep } from 'node:path';
import type { Plugin } from 'graphql-yoga';

/** Where the gateway serves GraphiQL's own files. */
export const GRAPHIQL_ASSETS_PATH = '/graphiql/assets/';
const ASSET_TYPES: Record<string, string> = { '.css': 'text/css; charset=utf-8', '.js': 'application/javascript; charset=utf-8' };
const dist = join(dirname(createRequire(import.meta.url).resolve('@graphql-yoga/graphiql/package.json')), 'dist');

/** Serves the files of `@graphql-yoga/graphiql` under {@link GRAPHIQL_ASSETS_PATH}. */
export function useGraphiQLAssets(): Plugin {
  return {
    // Synchronous for every other path: an async hook would cost each request a promise and its ticks.
    onRequest({ url, endResponse, fetchAPI }) {
      if (!url.pathname.startsWith(GRAPHIQL_ASSETS_PATH)) return;
      let file: string;
      try {
        file = normalize(join(dist, decodeURIComponent(url.pathname.slice(GRAPHIQL_ASSETS_PATH.length))));
      } catch {
        return endResponse(new fetchAPI.Response('not found', { status: 404 })); // a malformed escape names no file
      }
      const type = ASSET_TYPES[file.slice(file.lastIndexOf('.'))];
      if (!file.startsWith(dist + sep) || !type) return endResponse(new fetchAPI.Response('not found', { status: 404 }));
      return readFile(file).then(
        (body) => endResponse(new fetchAPI.Response(body, { status: 200, headers: { 'content-type': type, 'cache-control': 'public, max-age=86400' } })),
        () => endResponse(new fetchAPI.Response('not found', { status: 404 })),
      );
    },
  };
}
