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
 *
 * {@link GraphQLSseSingleConnectionPlugin.drain} ends every event stream cleanly for a graceful
 * shutdown: it waits until each stream's operations have sent their `complete` event (the gateway
 * ends the subscriptions), then closes the stream after flushing it, before the socket goes.
 */
import { GraphQLError, getOperationAST, type ExecutionResult } from 'graphql';
import { createHandler, TOKEN_QUERY_KEY, type RequestParams } from 'graphql-sse';
import type { HandlerOptions, RequestContext } from 'graphql-sse/lib/use/fetch';
import type { Plugin, YogaServerInstance } from 'graphql-yoga';

const TOKEN_HEADER = 'x-graphql-event-stream-token';

/** True when `request` belongs to graphql-sse's single-connection mode. */
export function isSingleConnectionRequest(request: Request): boolean {
  if (request.method === 'PUT') return true;
  if (request.headers.has(TOKEN_HEADER)) return true;
  return new URL(request.url).searchParams.has(TOKEN_QUERY_KEY);
}

/** The stream token `request` carries (header first, as graphql-sse reads it), or null. */
function tokenOf(request: Request): string | null {
  return request.headers.get(TOKEN_HEADER) || new URL(request.url).searchParams.get(TOKEN_QUERY_KEY);
}

/** Options of {@link useGraphQLSseSingleConnection}: graphql-sse's handler options except `onSubscribe` (the plugin's own). */
export interface GraphQLSseSingleConnectionOptions extends Omit<HandlerOptions, 'onSubscribe'> {
  /** The path whose single-connection requests this plugin answers (yoga's `graphqlEndpoint`). */
  endpoint: string;
}

/** The plugin, plus the end of its streams for a graceful shutdown. */
export interface GraphQLSseSingleConnectionPlugin extends Plugin {
  /** Event streams open right now. */
  readonly openStreams: number;
  /**
   * Ends every open event stream once its operations have completed (their `complete` events are
   * flushed before the stream closes). Resolves when every stream is closed. New operations are the
   * caller's to refuse; ending the subscriptions is the caller's too.
   */
  drain(): Promise<void>;
}

/** One open event stream. */
interface OpenStream {
  /** Its token (null for a distinct stream opened with a token no reservation knows). */
  token: string | null;
  /** Ends it once what is queued on it is flushed (graphql-sse's own `return`). */
  end(): Promise<unknown>;
  /** Settles when the stream is closed, by either side. */
  closed: Promise<void>;
}

/** Serves single-connection mode on `endpoint`; every other request goes on to yoga. */
export function useGraphQLSseSingleConnection(options: GraphQLSseSingleConnectionOptions): GraphQLSseSingleConnectionPlugin {
  const { endpoint, onComplete, ...handlerOptions } = options;
  const serverContexts = new WeakMap<Request, unknown>();
  /** Operations accepted and not yet completed, by stream token. */
  const pendingOps = new Map<string, number>();
  const streams = new Set<OpenStream>();
  /** Called whenever an operation completes or a stream closes. */
  let changed: Array<() => void> = [];
  const notify = () => {
    for (const w of changed.splice(0)) w();
  };
  const countOp = (token: string | null, by: 1 | -1) => {
    if (token === null) return;
    const n = (pendingOps.get(token) ?? 0) + by;
    if (n > 0) pendingOps.set(token, n);
    else pendingOps.delete(token);
    if (by < 0) notify();
  };
  let raw: ReturnType<typeof createHandler<Request, RequestContext, never>>;
  let api: RequestContext;

  /** Parses, validates and runs one operation through yoga's envelop (its plugins included). */
  async function run(y: YogaServerInstance<Record<string, unknown>, Record<string, unknown>>, req: Request, params: RequestParams) {
    const enveloped = y.getEnveloped({ ...(serverContexts.get(req) as object), request: req, params } as never);
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
  }

  /** graphql-sse's fetch adapter, keeping each event stream so a drain can end it. */
  async function handle(request: Request): Promise<Response> {
    const [body, init] = await raw({
      method: request.method, url: request.url, headers: request.headers, body: () => request.text(), raw: request, context: api,
    });
    if (!body || typeof body === 'string') return new api.Response(body, init);
    let markClosed!: () => void;
    const open: OpenStream = { token: tokenOf(request), end: () => body.return(undefined), closed: new Promise<void>((r) => (markClosed = r)) };
    const forget = () => {
      if (!streams.delete(open)) return;
      if (open.token !== null) pendingOps.delete(open.token);
      markClosed();
      notify();
    };
    streams.add(open);
    let cancelled = false;
    const enc = new api.TextEncoder();
    const stream = new api.ReadableStream({
      async pull(controller) {
        const { done, value } = await body.next();
        if (value != null) controller.enqueue(enc.encode(value));
        if (done) {
          controller.close();
          forget();
        }
      },
      async cancel(e) {
        cancelled = true;
        forget();
        await body.return(e);
      },
    });
    const aborted = () => {
      forget();
      void body.return(undefined);
    };
    if (request.signal.aborted) aborted();
    else request.signal.addEventListener('abort', () => !cancelled && aborted());
    return new api.Response(stream, init);
  }

  return {
    get openStreams() {
      return streams.size;
    },
    async drain() {
      // Every operation of an open stream has queued its `complete` (onComplete runs after it)...
      while ([...streams].some((s) => s.token !== null && pendingOps.has(s.token))) {
        await new Promise<void>((resolve) => changed.push(resolve));
      }
      // ...so ending a stream now flushes those events, then closes it.
      await Promise.all([...streams].map((s) => s.end().then(() => s.closed)));
    },
    onYogaInit({ yoga }) {
      const y = yoga as YogaServerInstance<Record<string, unknown>, Record<string, unknown>>;
      api = { Response: y.fetchAPI.Response, TextEncoder: y.fetchAPI.TextEncoder, ReadableStream: y.fetchAPI.ReadableStream };
      raw = createHandler<Request, RequestContext, never>({
        ...(handlerOptions as HandlerOptions<never>),
        async onSubscribe(req, params) {
          const token = tokenOf(req.raw);
          countOp(token, 1);
          try {
            return await run(y, req.raw, params);
          } catch (e) {
            countOp(token, -1);
            throw e;
          }
        },
        async onComplete(ctx, req) {
          countOp(tokenOf(req.raw), -1);
          await onComplete?.(ctx, req);
        },
      });
    },
    onRequest({ request, endResponse, serverContext }) {
      const path = new URL(request.url).pathname;
      if (path !== endpoint || !isSingleConnectionRequest(request)) return;
      serverContexts.set(request, serverContext);
      return handle(request).then(endResponse);
    },
  };
}
