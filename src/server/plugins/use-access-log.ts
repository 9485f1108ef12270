/**
 * The access log: one `info` line (`msg: "request"`) per HTTP request to the GraphQL endpoint, once
 * its answer is known. Queries and mutations are logged when their response is ready; a streamed
 * answer (a subscription over SSE, an incremental result) when its stream ends, with the stream's
 * whole duration and every error code its events carried. Health, readiness, metrics and GraphiQL's
 * page and files are not requests to the endpoint and get no line.
 *
 * A line holds `requestId`, `caller` (when {@link AccessLogOptions.callerOf} knows it), `method`,
 * `operationName` and `operationType` (from the parsed document, else null), `durationMs`,
 * `upstreamCalls` (the request's upstream call budget spent) and `upstreamByProvider`, `status`
 * (HTTP), `outcome` (`OK`, or the first error's `extensions.code`) and `errorCodes` (every distinct
 * code, in order, when there are errors). Never variables, query text or error messages.
 *
 * Put it first in the plugin list: it must see every request to the endpoint, also the ones a
 * later plugin refuses (draining) or answers itself (graphql-sse single-connection mode; for those,
 * an operation's result travels on the event stream, so their line reports the HTTP answer).
 */
import { getOperationAST, type DocumentNode, type ExecutionResult } from 'graphql';
import { isAsyncIterable, type Plugin } from 'graphql-yoga';
import type { Logger } from 'pino';
import { systemClock, type Clock } from '../../domain/clock.ts';
import type { GatewayContext } from '../context.ts';

/** Options of {@link useAccessLog}. */
export interface AccessLogOptions {
  /**
   * Receives one `info` line per request. With pino's `isLevelEnabled`, a request that arrives
   * while `info` is off is not tracked at all (no line could be written for it).
   */
  logger: Pick<Logger, 'info'> & Partial<Pick<Logger, 'isLevelEnabled'>>;
  /** The path whose requests are logged (yoga's `graphqlEndpoint`). @default '/graphql' */
  endpoint?: string;
  /** Where durations are read. @default the system clock */
  clock?: Clock;
  /** The request's id (the one sent upstream and back in `X-Request-Id`). @default none: the context's `upstream.requestId` when there is one */
  requestIdOf?: (request: Request) => string | undefined;
  /** The caller's id, from the request's context; undefined leaves `caller` out. @default none (no `caller` field) */
  callerOf?: (context: GatewayContext) => string | undefined;
}

/** What is known of one request so far. */
interface Entry {
  started: number;
  method: string;
  operationName?: string;
  operationType?: string;
  /**
   * What the line needs of the request's context, taken when it executes or subscribes (the entry
   * of a stream lives as long as the stream: it keeps these, not the whole context).
   */
  budget?: GatewayContext['upstream']['budget'];
  requestId?: string;
  caller?: string;
  /** Distinct error codes, in the order first seen. */
  codes: string[];
  /** True once a GraphQL result (or a first streamed event) was seen. */
  sawResult: boolean;
  status?: number;
  /** The answer is a stream; the line waits for {@link streamEnded}. */
  streaming: boolean;
  streamEnded: boolean;
  logged: boolean;
}

/** The code of an error without one: a gap to fix, not a client error. */
const UNCODED = 'UNCODED';

function collect(entry: Entry, result: unknown) {
  if (typeof result !== 'object' || result === null) return;
  entry.sawResult = true;
  for (const e of (result as ExecutionResult).errors ?? []) {
    const code = typeof e?.extensions?.code === 'string' ? e.extensions.code : UNCODED;
    if (!entry.codes.includes(code)) entry.codes.push(code);
  }
}

/** `source`, calling `onValue` for every value and `onEnd` once when it ends for any reason (done, returned, thrown). */
function observed<T>(source: AsyncIterable<T>, onValue: (v: T) => void, onEnd: () => void): AsyncIterableIterator<T> {
  const it = source[Symbol.asyncIterator]();
  let ended = false;
  const end = () => {
    if (ended) return;
    ended = true;
    onEnd();
  };
  return {
    [Symbol.asyncIterator]() {
      return this;
    },
    async next() {
      try {
        const r = await it.next();
        if (r.done) end();
        else onValue(r.value);
        return r;
      } catch (e) {
        end();
        throw e;
      }
    },
    async return(value?: unknown) {
      try {
        return (await it.return?.(value)) ?? { done: true, value: undefined };
      } finally {
        end();
      }
    },
    async throw(e?: unknown) {
      try {
        if (it.throw) return await it.throw(e);
        throw e;
      } finally {
        end();
      }
    },
  };
}

const isStreamType = (response: Response) => /^(text\/event-stream|multipart\/mixed)/.test(response.headers.get('content-type') ?? '');

/** Writes one access line per request to `endpoint`. */
export function useAccessLog(options: AccessLogOptions): Plugin<GatewayContext> {
  const { logger, endpoint = '/graphql', clock = systemClock, requestIdOf, callerOf } = options;
  const entries = new WeakMap<Request, Entry>();
  const entryOf = (request: unknown) => (request ? entries.get(request as Request) : undefined);
  const writesLines = () => logger.isLevelEnabled?.('info') ?? true;

  function write(request: Request, e: Entry) {
    if (e.logged || e.status === undefined || (e.streaming && !e.streamEnded)) return;
    e.logged = true;
    const { budget, caller } = e;
    const byProvider = budget && budget.byProvider.size > 0 ? Object.fromEntries(budget.byProvider) : undefined;
    const outcome = e.codes[0] ?? (e.sawResult || e.status < 400 ? 'OK' : `HTTP_${e.status}`);
    logger.info(
      {
        requestId: requestIdOf?.(request) ?? e.requestId,
        ...(caller !== undefined ? { caller } : {}),
        method: e.method,
        operationName: e.operationName ?? null,
        operationType: e.operationType ?? null,
        durationMs: clock.now() - e.started,
        upstreamCalls: budget?.used ?? 0,
        ...(byProvider ? { upstreamByProvider: byProvider } : {}),
        status: e.status,
        outcome,
        ...(e.codes.length > 0 ? { errorCodes: e.codes } : {}),
      },
      'request',
    );
  }

  /** What the line needs of `context`, on its request's entry. */
  function noteContext(context: GatewayContext) {
    const e = entryOf((context as { request?: Request }).request);
    if (!e) return;
    e.budget = context.upstream?.budget;
    e.requestId = context.upstream?.requestId;
    e.caller = callerOf ? callerOf(context) : undefined;
  }

  /** The operation `document` runs, named and typed on the entry. */
  function noteOperation(e: Entry, document: DocumentNode, operationName: unknown) {
    const op = getOperationAST(document, typeof operationName === 'string' ? operationName : undefined);
    if (!op) return;
    e.operationType = op.operation;
    e.operationName = op.name?.value;
  }

  return {
    onRequest({ request, url }) {
      if (url.pathname !== endpoint || !writesLines()) return;
      entries.set(request, {
        started: clock.now(), method: request.method, codes: [], sawResult: false, streaming: false, streamEnded: false, logged: false,
      });
    },
    // Every document that parsed is validated next (cached or not): the operation is read there,
    // with no hook left behind per request.
    onValidate({ context, params: { documentAST } }) {
      const c = context as { request?: Request; params?: { operationName?: unknown } };
      const e = entryOf(c.request);
      if (e && documentAST?.kind === 'Document') noteOperation(e, documentAST, c.params?.operationName);
    },
    onExecute({ args }) {
      noteContext(args.contextValue as GatewayContext);
    },
    onSubscribe({ args }) {
      noteContext(args.contextValue as GatewayContext);
    },
    onResultProcess({ request, result, setResult }) {
      const e = entryOf(request);
      if (!e) return;
      if (isAsyncIterable(result)) {
        e.streaming = true;
        setResult(
          observed(
            result,
            (v) => collect(e, v),
            () => {
              e.streamEnded = true;
              write(request, e);
            },
          ) as never,
        );
        return;
      }
      for (const r of Array.isArray(result) ? result : [result]) collect(e, r);
    },
    onResponse({ request, response, serverContext }) {
      const e = entryOf(request);
      if (!e || e.logged) return;
      e.status = response.status;
      // A stream answered by another plugin (graphql-sse single-connection): its end is the socket's.
      const res = (serverContext as { res?: { once?: (event: 'close', f: () => void) => void } } | undefined)?.res;
      if (!e.streaming && isStreamType(response) && response.body && typeof res?.once === 'function') {
        e.streaming = true;
        res.once('close', () => {
          e.streamEnded = true;
          write(request, e);
        });
      }
      // An error answered without a GraphQL result (refused while draining, ...): the codes of its body.
      if (!e.sawResult && response.status >= 400 && response.body && /json/.test(response.headers.get('content-type') ?? '')) {
        return response
          .clone()
          .text()
          .then((text) => collect(e, JSON.parse(text)))
          .catch(() => undefined) // not a GraphQL error body: the outcome stays the status
          .then(() => write(request, e));
      }
      write(request, e);
      return undefined;
    },
  };
}
