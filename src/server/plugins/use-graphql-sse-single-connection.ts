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
 *
 * Reservations are bounded (graphql-sse keeps them forever: 60,000 unused ones held 124 MB):
 * - one whose stream is not opened (GET) within `reservationTimeoutMs` expires: graphql-sse forgets
 *   it (operations already posted on it are ended) and its token is refused from then on;
 * - a client holds at most `maxStreamsPerClient` tokens (reserved or with their stream open), the
 *   whole gateway at most `maxStreams`; a PUT past either is refused with `TOO_MANY_STREAMS`
 *   (429 for the client's cap, 503 for the gateway's).
 * graphql-sse's own error answers (unknown token, stream already open...) get a code too.
 */
import { GraphQLError, getOperationAST, type ExecutionResult } from 'graphql';
import { createHandler, TOKEN_QUERY_KEY, type RequestParams } from 'graphql-sse';
import type { HandlerOptions, RequestContext } from 'graphql-sse/lib/use/fetch';
import type { Plugin, YogaServerInstance } from 'graphql-yoga';
import { codedErrorResponse } from '../errors.ts';

const TOKEN_HEADER = 'x-graphql-event-stream-token';

/** The code of a reservation refused for a cap (`extensions.scope`: `client` or `server`). */
export const TOO_MANY_STREAMS = 'TOO_MANY_STREAMS';

/** The codes graphql-sse's own uncoded error answers get, by HTTP status. */
const SSE_ERROR_CODES: Record<number, string> = {
  400: 'BAD_REQUEST',
  404: 'STREAM_NOT_FOUND',
  409: 'STREAM_CONFLICT',
};

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

/** The caps on single-connection reservations (config `server.singleConnection`). */
export interface SingleConnectionLimits {
  /**
   * How long a reservation (PUT) waits for its event stream (GET), in ms; unused after it, it
   * expires and its token is refused. graphql-sse's client opens the stream right after the PUT.
   * @default 15_000
   */
  reservationTimeoutMs?: number;
  /**
   * Most stream tokens (reserved, or with their stream open) one client may hold; a PUT past it is
   * answered 429 `TOO_MANY_STREAMS`. One browser tab needs one.
   * @default 32
   */
  maxStreamsPerClient?: number;
  /** Most stream tokens the gateway holds in all; a PUT past it is answered 503 `TOO_MANY_STREAMS`. @default 10_000 */
  maxStreams?: number;
}

/** The defaults of {@link SingleConnectionLimits}. */
export const SINGLE_CONNECTION_DEFAULTS = { reservationTimeoutMs: 15_000, maxStreamsPerClient: 32, maxStreams: 10_000 } as const satisfies Required<SingleConnectionLimits>;

/** Options of {@link useGraphQLSseSingleConnection}: graphql-sse's handler options except `onSubscribe` (the plugin's own). */
export interface GraphQLSseSingleConnectionOptions extends Omit<HandlerOptions, 'onSubscribe'>, SingleConnectionLimits {
  /** The path whose single-connection requests this plugin answers (yoga's `graphqlEndpoint`). */
  endpoint: string;
  /**
   * Who the client of a request is, for `maxStreamsPerClient` (the caller, once access control
   * exists); undefined falls back to the remote address.
   * @default the remote address of the request's socket
   */
  clientOf?: (request: Request) => string | undefined;
  /** Called when a reservation expires unused (for logs and tests). @default none */
  onReservationExpired?: (token: string) => void;
  /**
   * Where reservation expiries are scheduled (tests fire them at will instead of waiting).
   * @default node's `setTimeout`/`clearTimeout`, unref'd (a pending expiry never keeps the process up)
   */
  timers?: ReservationTimers;
}

/** Schedules reservation expiries. */
export interface ReservationTimers {
  /** Calls `fn` once after `ms`; returns a handle for {@link ReservationTimers.clear}. */
  set(fn: () => void, ms: number): unknown;
  /** Cancels a scheduled call (a handle already fired or cleared is ignored). */
  clear(handle: unknown): void;
}

const nodeTimers: ReservationTimers = {
  set: (fn, ms) => setTimeout(fn, ms).unref(),
  clear: (handle) => clearTimeout(handle as NodeJS.Timeout),
};

/** The plugin, plus the end of its streams for a graceful shutdown. */
export interface GraphQLSseSingleConnectionPlugin extends Plugin {
  /** Event streams open right now. */
  readonly openStreams: number;
  /** Stream tokens held right now: reserved and not yet opened, or open. */
  readonly reservations: number;
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

/** One stream token held. */
interface Reservation {
  client: string;
  /** Expires it while its stream is not open. */
  timer: unknown;
  /** True once its event stream is open (it then lasts as long as the stream). */
  opened: boolean;
}

/** A graphql-sse error body (`{ errors: [{ message }] }`) with a code added to errors that have none. */
function withCodes(body: string, status: number): string {
  const code = SSE_ERROR_CODES[status];
  if (!code) return body;
  try {
    const json = JSON.parse(body) as { errors?: Array<{ message: string; extensions?: Record<string, unknown> }> };
    if (!Array.isArray(json.errors)) return body;
    json.errors = json.errors.map((e) => (typeof e.extensions?.code === 'string' ? e : { ...e, extensions: { ...e.extensions, code } }));
    return JSON.stringify(json);
  } catch {
    return body;
  }
}

/** Serves single-connection mode on `endpoint`; every other request goes on to yoga. */
export function useGraphQLSseSingleConnection(options: GraphQLSseSingleConnectionOptions): GraphQLSseSingleConnectionPlugin {
  const {
    endpoint, onComplete, clientOf, onReservationExpired, timers = nodeTimers,
    reservationTimeoutMs = SINGLE_CONNECTION_DEFAULTS.reservationTimeoutMs,
    maxStreamsPerClient = SINGLE_CONNECTION_DEFAULTS.maxStreamsPerClient,
    maxStreams = SINGLE_CONNECTION_DEFAULTS.maxStreams,
    ...handlerOptions
  } = options;
  const serverContexts = new WeakMap<Request, unknown>();
  /** Every stream token held (reserved by a PUT, opened or not), with its client. */
  const reservations = new Map<string, Reservation>();
  /** Tokens held, by client (reservations being made included). */
  const perClient = new Map<string, number>();
  /** Reservations being made (PUTs graphql-sse has not answered yet). */
  let reserving = 0;
  const hold = (client: string) => perClient.set(client, (perClient.get(client) ?? 0) + 1);
  const letGo = (client: string) => {
    const n = (perClient.get(client) ?? 0) - 1;
    if (n > 0) perClient.set(client, n);
    else perClient.delete(client);
  };
  /** Forgets the token's reservation (its stream closed, or it expired); false when it held none. */
  const release = (token: string): boolean => {
    const r = reservations.get(token);
    if (!r) return false;
    timers.clear(r.timer);
    reservations.delete(token);
    letGo(r.client);
    return true;
  };
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
  let api: RequestContext & { Headers: typeof Headers; Request: typeof Request };

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

  /** A refusal of a reservation past a cap, or null when `client` may reserve one more token. */
  function refusal(client: string): Response | null {
    const overClient = (perClient.get(client) ?? 0) >= maxStreamsPerClient;
    if (!overClient && reservations.size + reserving < maxStreams) return null;
    const [status, scope, limit] = overClient ? [429, 'client', maxStreamsPerClient] : [503, 'server', maxStreams];
    const message = overClient ? `too many event streams for this client (at most ${limit})` : 'too many event streams on this server; retry later';
    const retryAfter = String(Math.max(1, Math.ceil(reservationTimeoutMs / 1000)));
    return codedErrorResponse(api, status, { code: TOO_MANY_STREAMS, message, extensions: { scope, limit } }, { 'retry-after': retryAfter });
  }

  /** Makes graphql-sse forget an unused reservation: opens its stream here and ends it at once. */
  async function dispose(token: string): Promise<void> {
    const headers = new api.Headers({ accept: 'text/event-stream', [TOKEN_HEADER]: token });
    const url = `http://localhost${endpoint}`;
    const [body] = await raw({ method: 'GET', url, headers, body: () => Promise.resolve(''), raw: new api.Request(url, { headers }), context: api });
    if (body && typeof body !== 'string') await body.return(undefined);
  }

  /** Expires `token`'s reservation when its stream is still not open. */
  async function expire(token: string): Promise<void> {
    if (reservations.get(token)?.opened !== false) return;
    release(token);
    pendingOps.delete(token);
    await dispose(token);
    onReservationExpired?.(token);
  }

  /** graphql-sse's fetch adapter, keeping each event stream so a drain can end it, and reservations bounded. */
  async function handle(request: Request, client: string): Promise<Response> {
    const isPut = request.method === 'PUT';
    if (isPut) {
      const refused = refusal(client);
      if (refused) return refused;
      // Held before graphql-sse answers, so concurrent PUTs cannot pass the caps together.
      hold(client);
      reserving++;
    }
    // A stream asked for by a token no reservation holds (expired, or never reserved) and without an
    // operation of its own (graphql-sse would run it as a distinct stream): refused, not reserved.
    const token = tokenOf(request);
    if (request.method === 'GET' && token !== null && !reservations.has(token) && !new URL(request.url).searchParams.has('query')) {
      const message = 'Stream not found: the token expired or was never reserved';
      return codedErrorResponse(api, 404, { code: SSE_ERROR_CODES[404], message });
    }
    let answer: Awaited<ReturnType<typeof raw>>;
    try {
      answer = await raw({
        method: request.method, url: request.url, headers: request.headers, body: () => request.text(), raw: request, context: api,
      });
    } finally {
      if (isPut) {
        letGo(client);
        reserving--;
      }
    }
    const [body, init] = answer;
    if (isPut && init.status === 201 && typeof body === 'string') {
      hold(client);
      const timer = timers.set(() => void expire(body).catch(() => undefined), reservationTimeoutMs);
      reservations.set(body, { client, timer, opened: false });
    }
    if (!body || typeof body === 'string') return new api.Response(body && init.status >= 400 ? withCodes(body, init.status) : body, init);
    let markClosed!: () => void;
    const open: OpenStream = { token, end: () => body.return(undefined), closed: new Promise<void>((r) => (markClosed = r)) };
    const reservation = open.token === null ? undefined : reservations.get(open.token);
    if (reservation && !reservation.opened) {
      reservation.opened = true;
      timers.clear(reservation.timer);
    }
    const forget = () => {
      if (!streams.delete(open)) return;
      if (open.token !== null) {
        pendingOps.delete(open.token);
        if (reservation) release(open.token);
      }
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
    get reservations() {
      return reservations.size;
    },
    async drain() {
      // Reservations nobody opened will not be: forget them now.
      const unused = [...reservations].filter(([, r]) => !r.opened).map(([token]) => token);
      for (const token of unused) {
        release(token);
        pendingOps.delete(token);
      }
      await Promise.all(unused.map(dispose));
      // Every operation of an open stream has queued its `complete` (onComplete runs after it)...
      while ([...streams].some((s) => s.token !== null && pendingOps.has(s.token))) {
        await new Promise<void>((resolve) => changed.push(resolve));
      }
      // ...so ending a stream now flushes those events, then closes it.
      await Promise.all([...streams].map((s) => s.end().then(() => s.closed)));
    },
    onYogaInit({ yoga }) {
      const y = yoga as YogaServerInstance<Record<string, unknown>, Record<string, unknown>>;
      api = {
        Response: y.fetchAPI.Response, TextEncoder: y.fetchAPI.TextEncoder, ReadableStream: y.fetchAPI.ReadableStream,
        Headers: y.fetchAPI.Headers, Request: y.fetchAPI.Request,
      };
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
      const client = clientOf?.(request) ?? (serverContext as { req?: { socket?: { remoteAddress?: string } } }).req?.socket?.remoteAddress ?? 'unknown';
      return handle(request, client).then(endResponse);
    },
  };
}
