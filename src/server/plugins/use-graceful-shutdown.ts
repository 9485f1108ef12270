/**
 * The request side of a graceful shutdown (the gateway's `drain()` drives it):
 * - counts the HTTP requests in flight (from `onRequest` until their response is ready; a
 *   subscription's response is ready when its stream starts, so streams are counted apart);
 * - counts the subscriptions streaming, and ends each one cleanly when draining starts: its source
 *   is returned (its upstream closes) and the client gets graphql-sse's `complete`, in either mode;
 * - once draining, refuses every new request with 503, a GraphQL error body
 *   (`extensions.code: SHUTTING_DOWN`) and `Connection: close`; responses still finishing carry
 *   `Connection: close` too, so keep-alive sockets do not take the next request here.
 *
 * Put it before every plugin that answers requests itself (the single-connection plugin, GraphiQL
 * assets), after the health endpoints (they must answer while draining).
 */
import { isAsyncIterable, Repeater, type Plugin } from 'graphql-yoga';
import { codedErrorResponse } from '../errors.ts';

/** The code of the error a request gets while the gateway drains. */
export const SHUTTING_DOWN = 'SHUTTING_DOWN';

/** The plugin, plus what the gateway's `drain()` needs. */
export interface GracefulShutdownPlugin extends Plugin {
  /** True once {@link startDraining} was called. */
  readonly draining: boolean;
  /** HTTP requests being answered right now (streams not included). */
  readonly inFlight: number;
  /** Subscriptions streaming right now (either graphql-sse mode). */
  readonly subscriptions: number;
  /** Refuses new requests from now on and ends every subscription cleanly. Later calls do nothing. */
  startDraining(): void;
  /** Resolves once no request is in flight and no subscription streams (at once when none do). */
  idle(): Promise<void>;
}

/** `source`, ending (as if complete) when `drained` settles; `onStart`/`onEnd` count it. */
function endingOnDrain<T>(source: AsyncIterable<T>, drained: Promise<void>, onStart: () => void, onEnd: () => void): AsyncIterable<T> {
  return new Repeater<T>(async (push, stop) => {
    onStart();
    const it = source[Symbol.asyncIterator]();
    const ended = Promise.race([stop, drained]).then(() => null);
    try {
      for (;;) {
        const r = await Promise.race([it.next(), ended]);
        if (r === null || r.done) break;
        await push(r.value);
      }
      stop();
    } catch (e) {
      stop(e);
    } finally {
      // Returning the source stops it (the progress hub lets go of its upstream stream).
      await Promise.resolve(it.return?.()).catch(() => undefined);
      onEnd();
    }
  });
}

/** Counts requests and subscriptions, ends subscriptions and refuses requests once draining. */
export function useGracefulShutdown(): GracefulShutdownPlugin {
  let draining = false;
  let inFlight = 0;
  let subscriptions = 0;
  const counted = new WeakSet<Request>();
  let markDrained!: () => void;
  const drained = new Promise<void>((resolve) => (markDrained = resolve));
  let waiters: Array<() => void> = [];
  const settle = () => {
    if (inFlight > 0 || subscriptions > 0) return;
    const ready = waiters;
    waiters = [];
    for (const w of ready) w();
  };

  return {
    get draining() {
      return draining;
    },
    get inFlight() {
      return inFlight;
    },
    get subscriptions() {
      return subscriptions;
    },
    startDraining() {
      if (draining) return;
      draining = true;
      markDrained();
    },
    idle() {
      return new Promise<void>((resolve) => {
        waiters.push(resolve);
        settle();
      });
    },
    onRequest({ request, fetchAPI, endResponse }) {
      if (draining) {
        return endResponse(codedErrorResponse(fetchAPI, 503, { code: SHUTTING_DOWN, message: 'The server is shutting down; retry the request.' }, { connection: 'close' }));
      }
      counted.add(request);
      inFlight++;
    },
    onResponse({ request, response }) {
      if (draining) {
        try {
          response.headers.set('connection', 'close');
        } catch {
          // immutable headers (a refused request's are already set)
        }
      }
      if (!counted.delete(request)) return;
      inFlight--;
      settle();
    },
    onSubscribe() {
      return {
        onSubscribeResult({ result, setResult }) {
          if (!isAsyncIterable(result)) return;
          setResult(
            endingOnDrain(result, drained, () => subscriptions++, () => {
              subscriptions--;
              settle();
            }) as never,
          );
        },
      };
    },
  };
}
