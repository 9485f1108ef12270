/**
 * Server-sent events as the simulators stream them: the writer a route handler gets, and the
 * stream behind it (headers, `id:`/`event:`/`data:` framing, drop faults, close on disconnect).
 */
import type { ServerResponse } from 'node:http';

/** An SSE stream: the handler writes events until done; the kit counts it and applies drop faults. */
export interface SseWriter {
  /** Writes one event; returns false when the stream is closed (client gone or drop fault). */
  event(e: { id?: string | number; event?: string; data: unknown }): boolean;
  /** Writes a comment line (`: text`), used for keep-alives; false when the stream is closed. */
  comment(text: string): boolean;
  /** Ends the stream. */
  close(): void;
  readonly closed: boolean;
  /** Aborted when the stream closes for any reason. */
  readonly signal: AbortSignal;
}

/** How {@link streamSse} runs one stream. */
export interface SseStreamOptions {
  /** Headers on top of the SSE ones (`content-type`, `cache-control`, `connection`). */
  headers: Record<string, string>;
  /** Cut the stream (socket destroyed, no terminal event) when an event beyond this many is written. */
  dropAfterEvents?: number;
  /** Aborted when the stream closes; its signal is the writer's. */
  controller: AbortController;
  /** Called once the headers are out, with the function that destroys the stream (for server shutdown). */
  onOpen(destroy: () => void): void;
  /** Called once when the stream closes, with the same function. */
  onClose(destroy: () => void): void;
  /** Called when the handler throws; the stream is closed anyway. */
  onError(e: unknown): void;
}

/** Streams `run`'s events on `res`; resolves once the stream is closed. */
export async function streamSse(res: ServerResponse, run: (w: SseWriter) => Promise<void> | void, o: SseStreamOptions): Promise<void> {
  const { controller, dropAfterEvents: dropAfter } = o;
  res.writeHead(200, { 'content-type': 'text/event-stream', 'cache-control': 'no-cache', connection: 'keep-alive', ...o.headers });
  res.flushHeaders();
  let closed = false;
  let sent = 0;
  const close = (destroy = false) => {
    if (closed) return;
    closed = true;
    o.onClose(destroyer);
    controller.abort();
    if (destroy) res.destroy();
    else res.end();
  };
  const destroyer = () => close(true);
  o.onOpen(destroyer);
  res.on('close', () => close());
  const writer: SseWriter = {
    event(e) {
      if (closed) return false;
      if (dropAfter !== undefined && sent >= dropAfter) {
        close(true);
        return false;
      }
      let out = '';
      if (e.id !== undefined) out += `id: ${e.id}\n`;
      if (e.event) out += `event: ${e.event}\n`;
      out += `data: ${typeof e.data === 'string' ? e.data : JSON.stringify(e.data)}\n\n`;
      res.write(out);
      sent++;
      return true;
    },
    comment(text) {
      if (closed) return false;
      res.write(`: ${text}\n\n`);
      return true;
    },
    close: () => close(),
    get closed() { return closed; },
    signal: controller.signal,
  };
  try {
    await run(writer);
  } catch (e) {
    o.onError(e);
  } finally {
    close();
  }
}
