/**
 * graphql-sse's single-connection mode on the yoga endpoint. Yoga itself serves the
 * distinct-connections mode (POST/GET with `Accept: text/event-stream`); this plugin takes only
 * the requests that belong to single-connection mode: the `PUT` reservation, and requests carrying
 * the stream token (`X-GraphQL-Event-Stream-Token` header or `token` query parameter).
 *
 * Unlike `@graphql-yoga/plugin-graphql-sse`, an operation that fails validation (or whose
 * subscribe fails, e.g. an unknown id) is answered the graphql-sse way (a `next` event with the
 * errors, then `complete`), not with HTTP 400: an `{ errors }` result without `data` is mistaken by
 * graphql-sse for execution arguments.
 */
import { GraphQLError, getOperationAST, type ExecutionResult } from 'graphql';
import { createHandler, type HandlerOptions } from 'graphql-sse/lib/use/fetch';
import type { Plugin, YogaServerInstance } from 'graphql-yoga';

const TOKEN_HEADER = 'x-graphql-event-stream-token';

/** True when `request` belongs to graphql-sse's single-connection mode. */
export function isSingleConnectionRequest(request: Request): boolean {
  if (request.method === 'PUT') return true;
  if (request.headers.has(TOKEN_HEADER)) return true;
  return new URL(request.url).searchParams.has('token');
}

/** Options of {@link useGraphQLSseSingleConnection}: graphql-sse's handler options except `onSubscribe` (the plugin's own). */
export interface GraphQLSseSingleConnectionOptions extends Omit<HandlerOptions, 'onSubscribe'> {
  /** The path whose single-connection requests this plugin answers (yoga's `graphqlEndpoint`). */
  endpoint: string;
}

/** Serves single-connection mode on `endpoint`; every other request goes on to yoga. */
export function useGraphQLSseSingleConnection(options: GraphQLSseSingleConnectionOptions): Plugin {
  const { endpoint, ...handlerOptions } = options;
  const serverContexts = new WeakMap<Request, unknown>();
  let handler: (req: Request) => Promise<Response>;
  return {
    onYogaInit({ yoga }) {
      const y = yoga as YogaServerInstance<Record<string, unknown>, Record<string, unknown>>;
      handler = createHandler(
        {
          ...handlerOptions,
          async onSubscribe(req, params) {
            const enveloped = y.getEnveloped({ ...(serverContexts.get(req.raw) as object), request: req.raw, params } as never);
            let document;
            try {
              document = enveloped.parse(params.query);
            } catch (e) {
              const error = new GraphQLError((e as Error).message, { extensions: { code: 'GRAPHQL_PARSE_FAILED' } });
              return { data: null, errors: [error] } satisfies ExecutionResult;
            }
            const errors = enveloped.validate(enveloped.schema, document);
            if (errors.length > 0) return { data: null, errors } as ExecutionResult;
            const contextValue = await enveloped.contextFactory();
            const args = { schema: enveloped.schema, document, contextValue, variableValues: params.variables, operationName: params.operationName };
            const operation = getOperationAST(document, params.operationName);
            const result = await (operation?.operation === 'subscription' ? enveloped.subscribe(args) : enveloped.execute(args));
            // A subscription that fails before streaming answers `{ errors }` without `data`, which
            // graphql-sse would mistake for execution arguments (and answer 400): give it `data: null`.
            if (result && typeof result === 'object' && !(Symbol.asyncIterator in result) && !('data' in result)) {
              return { data: null, ...(result as ExecutionResult) } as never;
            }
            return result as never;
          },
        },
        y.fetchAPI,
      );
    },
    onRequest({ request, endResponse, serverContext }) {
      const path = new URL(request.url).pathname;
      if (path !== endpoint || !isSingleConnectionRequest(request)) return;
      serverContexts.set(request, serverContext);
      return handler(request).then(endResponse);
    },
  };
}
