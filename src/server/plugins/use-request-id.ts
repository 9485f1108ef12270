/**
 * Every request gets one id: the client's `X-Request-Id` when it is a safe token, else a fresh
 * UUID. The same id reaches the context builder (through {@link RequestIdPlugin.requestIdOf}, so it
 * travels upstream) and comes back to the client in the response's `X-Request-Id` header.
 */
import { randomUUID } from 'node:crypto';
import type { Plugin } from 'graphql-yoga';

/** An incoming id is kept only when it matches this; anything else is replaced. */
const REQUEST_ID = /^[A-Za-z0-9._:-]{1,128}$/;

/** The plugin, plus the id of a request for the context builder. */
export interface RequestIdPlugin extends Plugin {
  /** The id of `request`, derived on first use and the same on every later call. */
  requestIdOf(request: Request): string;
}

/** Derives the request id once per request and echoes it on every response. */
export function useRequestId(): RequestIdPlugin {
  const requestIds = new WeakMap<Request, string>();
  function requestIdOf(request: Request): string {
    let id = requestIds.get(request);
    if (!id) {
      const incoming = request.headers.get('x-request-id');
      id = incoming && REQUEST_ID.test(incoming) ? incoming : randomUUID();
      requestIds.set(request, id);
    }
    return id;
  }
  return {
    requestIdOf,
    onResponse({ request, response }) {
      response.headers.set('x-request-id', requestIdOf(request));
    },
  };
}
