/**
 * GraphiQL's own files under /graphiql/assets/, through a yoga app in process: a file of the
 * package is served with its type, anything else under the path (another type, a path out of the
 * package, a malformed escape) is a plain 404, never a 500 with a stack; other paths pass untouched.
 */
import { createSchema, createYoga } from 'graphql-yoga';
import { describe, expect, it } from 'vitest';
import { GRAPHIQL_ASSETS_PATH, useGraphiQLAssets } from '../../src/server/plugins/use-graphiql-assets.ts';

const yoga = createYoga({
  schema: createSchema({ typeDefs: 'type Query { ok: Boolean }', resolvers: { Query: { ok: () => true } } }),
  graphiql: false,
  logging: false,
  plugins: [useGraphiQLAssets()],
});
const get = (path: string) => yoga.fetch(`http://localhost${path}`);

describe('GraphiQL assets', () => {
  it('serves a stylesheet of the package with its type, cached for a day', async () => {
    const res = await get(`${GRAPHIQL_ASSETS_PATH}graphiql.css`);
    expect(res.status).toBe(200);
    expect(res.headers.get('content-type')).toBe('text/css; charset=utf-8');
    expect(res.headers.get('cache-control')).toBe('public, max-age=86400');
    expect((await res.text()).length).toBeGreaterThan(0);
  });

  it.each(['nope.js', 'graphiql.css.map', '..%2Fpackage.json', '%E0%A4%A.js', '%'])('answers %j with a plain 404', async (name) => {
    const res = await get(`${GRAPHIQL_ASSETS_PATH}${name}`);
    expect(res.status).toBe(404);
    expect(await res.text()).toBe('not found');
  });

  it('leaves other paths to the rest of the server', async () => {
    const res = await yoga.fetch('http://localhost/graphql', { method: 'POST', headers: { 'content-type': 'application/json' }, body: JSON.stringify({ query: '{ ok }' }) });
    expect(await res.json()).toEqual({ data: { ok: true } });
  });
});
