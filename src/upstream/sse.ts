/**
 * Reads a Server-Sent Events body into events with eventsource-parser (a maintained parser:
 * multi-line data, comments, `id:`/`event:` fields, CR/LF variants).
 */
import { createParser, type EventSourceMessage } from 'eventsource-parser';

/** Yields the events of an SSE byte stream until it ends; comments (keep-alives) are skipped. */
export async function* readSseEvents(body: AsyncIterable<Uint8Array | string>): AsyncGenerator<EventSourceMessage> {
  const queue: EventSourceMessage[] = [];
  const parser = createParser({ onEvent: (e) => queue.push(e) });
  const decoder = new TextDecoder();
  for await (const chunk of body) {
    parser.feed(typeof chunk === 'string' ? chunk : decoder.decode(chunk, { stream: true }));
    while (queue.length) yield queue.shift()!;
  }
  parser.feed(decoder.decode());
  while (queue.length) yield queue.shift()!;
}
