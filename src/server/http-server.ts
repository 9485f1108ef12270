/**
 * The gateway's node:http server, with the limits that protect it from its clients: how big a
 * request body may be, how long a client may take to send its headers and its whole request, and
 * how long an idle keep-alive socket stays open. Node's own defaults (no body cap, 300 s to send a
 * request, a check every 30 s) let a slow or huge upload hold a socket and memory for minutes.
 *
 * The body cap is enforced here, before yoga, without copying bodies through a stream:
 * - a `Content-Length` over the cap is answered 413 at once, the body unread (node's parser never
 *   delivers more than the announced length, so nothing else needs counting);
 * - a body without `Content-Length` (chunked) is read here, counting bytes as they arrive, and
 *   handed to yoga whole (as `req.body`, which `@whatwg-node/server` takes as the request body);
 *   past the cap it is answered 413 and the connection closed.
 * yoga's own `maxRequestBodySize` is not used: it pipes every body through a TransformStream, which
 * cost 20-35% CPU on small listings.
 *
 * Every answer given here is a GraphQL error body with a code: 413 `PAYLOAD_TOO_LARGE`, and 408
 * `REQUEST_TIMEOUT` when the headers or the whole request do not arrive in time (written when the
 * socket still allows it; the socket is closed either way).
 */
import { createServer, type IncomingMessage, type RequestListener, type Server, type ServerResponse } from 'node:http';
import type { Duplex } from 'node:stream';
import { codedErrorBody } from './errors.ts';

/** The client-side limits of the gateway's HTTP server (config `server:`). */
export interface HttpServerLimits {
  /**
   * Most bytes a request body may have. A larger body is answered 413 with
   * `extensions.code: PAYLOAD_TOO_LARGE` and never reaches GraphQL (nor any provider).
   * @default 1_048_576 (1 MiB)
   */
  maxBodyBytes?: number;
  /**
   * Most time a client may take to send a whole request (headers and body), in ms; a request still
   * incomplete then is answered 408 `REQUEST_TIMEOUT` and its socket closed. 0 turns it off.
   * Not a limit on the response (subscriptions stream for as long as they like).
   * @default 30_000
   */
  requestTimeoutMs?: number;
  /**
   * Most time a client may take to send the request headers, in ms (408 `REQUEST_TIMEOUT` after
   * it). Must not exceed `requestTimeoutMs` (when that is not 0); the default is lowered to it.
   * @default 10_000
   */
  headersTimeoutMs?: number;
  /**
   * How long an idle keep-alive socket stays open after a response, in ms. Behind a load balancer,
   * set it above the balancer's own idle timeout. (At node's 5 s, 500 graphql-sse clients
   * connecting at once on a loaded machine saw their streams cut and reopened.)
   * @default 65_000
   */
  keepAliveTimeoutMs?: number;
}

/** The defaults of {@link HttpServerLimits}. */
export const HTTP_SERVER_DEFAULTS = {
  maxBodyBytes: 1_048_576,
  requestTimeoutMs: 30_000,
  headersTimeoutMs: 10_000,
  keepAliveTimeoutMs: 65_000,
} as const satisfies Required<HttpServerLimits>;


/** Answers `res` with a coded GraphQL error and closes the connection after it. */
function answer(res: ServerResponse, status: number, body: string): void {
  if (res.headersSent) {
    res.destroy();
    return;
  }
  res.writeHead(status, { 'content-type': 'application/json; charset=utf-8', 'content-length': Buffer.byteLength(body), connection: 'close' });
  res.end(body);
}

/** True when `req` carries a body without announcing its length (chunked). */
const hasUnsizedBody = (req: IncomingMessage) => req.headers['content-length'] === undefined && req.headers['transfer-encoding'] !== undefined;

/**
 * Creates the HTTP server for `handler` (the yoga app) with `limits` applied. The server is not
 * listening yet.
 */
export function createHttpServer(handler: RequestListener, limits: HttpServerLimits = {}): Server {
  const {
    maxBodyBytes = HTTP_SERVER_DEFAULTS.maxBodyBytes,
    requestTimeoutMs = HTTP_SERVER_DEFAULTS.requestTimeoutMs,
    keepAliveTimeoutMs = HTTP_SERVER_DEFAULTS.keepAliveTimeoutMs,
  } = limits;
  const headersTimeoutMs = limits.headersTimeoutMs ?? (requestTimeoutMs > 0 ? Math.min(HTTP_SERVER_DEFAULTS.headersTimeoutMs, requestTimeoutMs) : HTTP_SERVER_DEFAULTS.headersTimeoutMs);
  const tooLarge = codedErrorBody('PAYLOAD_TOO_LARGE', `request body is larger than ${maxBodyBytes} bytes`, { limit: maxBodyBytes });
  const timedOut = codedErrorBody('REQUEST_TIMEOUT', 'the request was not received in time');

  const server = createServer(
    {
      requestTimeout: requestTimeoutMs,
      headersTimeout: headersTimeoutMs,
      keepAliveTimeout: keepAliveTimeoutMs,
      // Node checks the two timeouts above only this often (30 s by default): check often enough
      // that they hold to within a quarter of the shorter one.
      connectionsCheckingInterval: Math.max(10, Math.min(1000, Math.floor(Math.min(headersTimeoutMs, requestTimeoutMs || Infinity) / 4))),
    },
    (req, res) => {
      const announced = req.headers['content-length'];
      if (announced !== undefined && Number(announced) > maxBodyBytes) return answer(res, 413, tooLarge);
      if (!hasUnsizedBody(req)) return handler(req, res);
      const chunks: Buffer[] = [];
      let size = 0;
      const onData = (chunk: Buffer) => {
        size += chunk.length;
        if (size <= maxBodyBytes) return void chunks.push(chunk);
        req.off('data', onData);
        chunks.length = 0;
        answer(res, 413, tooLarge);
      };
      req.on('data', onData);
      req.once('end', () => {
        if (size > maxBodyBytes) return;
        (req as IncomingMessage & { body?: Buffer }).body = Buffer.concat(chunks, size);
        handler(req, res);
      });
    },
  );

  // A request that missed its deadline (or a malformed one): a coded body where the socket still
  // allows one, as node's own handler would write a bare 408/400, then the socket closes.
  server.on('clientError', (err: NodeJS.ErrnoException, socket: Duplex) => {
    const busy = (socket as Duplex & { _httpMessage?: ServerResponse })._httpMessage;
    if (socket.writable && !busy?.headersSent) {
      const [status, reason, body] =
        err.code === 'ERR_HTTP_REQUEST_TIMEOUT'
          ? [408, 'Request Timeout', timedOut]
          : err.code === 'HPE_HEADER_OVERFLOW'
            ? [431, 'Request Header Fields Too Large', codedErrorBody('HEADERS_TOO_LARGE', 'the request headers are too large')]
            : [400, 'Bad Request', codedErrorBody('BAD_REQUEST', 'the request is not valid HTTP')];
      socket.write(`HTTP/1.1 ${status} ${reason}\r\ncontent-type: application/json; charset=utf-8\r\ncontent-length: ${Buffer.byteLength(body)}\r\nconnection: close\r\n\r\n${body}`);
    }
    socket.destroy();
  });
  return server;
}
