/**
 * Requests, results and routes as a simulator's handlers see them, and the tiny router that
 * matches `METHOD /pattern/:name` routes.
 */
import type { IncomingMessage } from 'node:http';
import type { SseWriter } from './sse.ts';

/** A parsed request as route handlers see it. */
export interface SimRequest {
  method: string;
  /** Path without the query string, e.g. `/api/v1/organizations/o1`. */
  path: string;
  /** Values of `:name` segments of the matched route pattern, URI-decoded. */
  params: Record<string, string>;
  query: URLSearchParams;
  headers: IncomingMessage['headers'];
  /** Parsed JSON body, `undefined` when there was none. */
  body: unknown;
  /** The request id the simulator uses for this request (echoed from `X-Request-Id` or generated). */
  requestId: string;
  /** Aborted when the client disconnects; SSE handlers stop on it. */
  signal: AbortSignal;
}

/** A JSON (or empty) response; a string `body` is sent as-is as `text/html`. */
export interface SimResponse {
  status: number;
  body?: unknown;
  headers?: Record<string, string>;
}

/** What a route handler may return: a response, or an SSE stream the handler writes. */
export type SimResult = SimResponse | { sse: (w: SseWriter) => Promise<void> | void; headers?: Record<string, string> };

/** A route handler; thrown `SimHttpError`s become the provider's error shape. */
export type SimHandler = (req: SimRequest) => SimResult | Promise<SimResult>;

/** One registered route. */
export interface SimRoute {
  method: string;
  /** The pattern as registered, e.g. `/api/v1/organizations/:id`. */
  pattern: string;
  /** `METHOD /pattern`: the key of per-route stats and faults. */
  key: string;
  regex: RegExp;
  /** Names of the pattern's `:name` segments, in order. */
  names: string[];
  handler: SimHandler;
}

/** What {@link Router.match} found for a request. */
export interface RouteMatch {
  /** The first route whose pattern and method match; undefined when none does. */
  route?: SimRoute;
  /** The matched route's path parameters (URI-decoded); empty when no route matched. */
  params: Record<string, string>;
  /** True when no route matched but some pattern matched the path with another method (405). */
  methodMismatch: boolean;
}

/** Registers routes on a simulator. Patterns use `:name` segments; the first match wins. */
export class Router {
  /** Every registered route, in registration order. */
  readonly routes: SimRoute[] = [];

  /** Registers `handler` for `method` on `pattern`. */
  on(method: string, pattern: string, handler: SimHandler): this {
    const names: string[] = [];
    const source = pattern
      .split('/')
      .map((seg) => {
        if (seg.startsWith(':')) {
          names.push(seg.slice(1));
          return '([^/]+)';
        }
        return seg.replace(/[.*+?^${}()|[\]\\]/g, '\\$&');
      })
      .join('/');
    this.routes.push({ method, pattern, key: `${method} ${pattern}`, regex: new RegExp(`^${source}$`), names, handler });
    return this;
  }
  // Shorthands of `on` for each method.
  get(p: string, h: SimHandler) { return this.on('GET', p, h); }
  post(p: string, h: SimHandler) { return this.on('POST', p, h); }
  put(p: string, h: SimHandler) { return this.on('PUT', p, h); }
  patch(p: string, h: SimHandler) { return this.on('PATCH', p, h); }
  delete(p: string, h: SimHandler) { return this.on('DELETE', p, h); }

  /** The route for `method` and `path`. Throws `URIError` when a matched segment is not valid URI encoding. */
  match(method: string, path: string): RouteMatch {
    const params: Record<string, string> = {};
    let methodMismatch = false;
    for (const r of this.routes) {
      const m = r.regex.exec(path);
      if (!m) continue;
      if (r.method !== method) {
        methodMismatch = true;
        continue;
      }
      r.names.forEach((n, i) => (params[n] = decodeURIComponent(m[i + 1])));
      return { route: r, params, methodMismatch };
    }
    return { params, methodMismatch };
  }
}
