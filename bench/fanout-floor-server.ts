/**
 * Child process of the fan-out benchmark: the floor a gateway's fan-out is measured against. A
 * bare node:http server that answers every `POST /graphql` as a graphql-sse distinct-connections
 * stream and, once an operation (the request's `variables.id`) has its first subscriber, writes
 * one prebuilt `next` frame to all of that operation's responses every `stepMs` (the event's `at`
 * is the write time), `events` times, then the final one, `complete`, and the end. No GraphQL, no
 * upstream: what is left is the cost of holding and writing to the responses themselves.
 * It reports its heap (after a forced GC) and its open responses over IPC, like
 * bench/fanout-server.ts. `FANOUT_FLOOR={ stepMs, events }` in the environment.
 */
import { createServer, type ServerResponse } from 'node:http';

const { stepMs, events } = JSON.parse(process.env.FANOUT_FLOOR ?? '{}') as { stepMs: number; events: number };
const operations = new Map<string, Set<ServerResponse>>();
let open = 0;

const frame = (percent: number, done: boolean) =>
  Buffer.from(`event: next\ndata: ${JSON.stringify({ data: { backupProgress: { status: done ? 'SUCCEEDED' : 'RUNNING', percent, at: new Date().toISOString(), done } } })}\n\n`);

/** Starts operation `id`: an event every `stepMs` to everyone subscribed by then, then the end. */
function start(id: string, subscribers: Set<ServerResponse>) {
  let sent = 0;
  const timer = setInterval(() => {
    sent++;
    const done = sent > events;
    const bytes = frame(Math.min(100, sent * 10), done);
    for (const res of subscribers) res.write(bytes);
    if (!done) return;
    clearInterval(timer);
    operations.delete(id);
    // As the gateway does: the final frame goes out before the ends (Node flushes on the next tick).
    setImmediate(() => {
      for (const res of subscribers) res.end('event: complete\ndata:\n\n');
    });
  }, stepMs);
}

const server = createServer((req, res) => {
  let body = '';
  req.setEncoding('utf8');
  req.on('data', (chunk: string) => (body += chunk));
  req.on('end', () => {
    const id = String((JSON.parse(body || '{}') as { variables?: { id?: unknown } }).variables?.id ?? '');
    let subscribers = operations.get(id);
    if (!subscribers) {
      operations.set(id, (subscribers = new Set()));
      start(id, subscribers);
    }
    res.writeHead(200, { 'content-type': 'text/event-stream', 'cache-control': 'no-cache', connection: 'keep-alive' });
    res.write(':\n\n');
    res.write(frame(0, false));
    subscribers.add(res);
    open++;
    res.once('close', () => {
      subscribers.delete(res);
      open--;
    });
  });
});

server.listen(0, '127.0.0.1', () => {
  const { port } = server.address() as { port: number };
  process.on('message', (msg: { type: string }) => {
    if (msg.type === 'stats') {
      (globalThis as { gc?: () => void }).gc?.();
      process.send!({ type: 'stats', heapUsed: process.memoryUsage().heapUsed, rss: process.memoryUsage().rss, hub: { openSources: operations.size, sourcesOpened: 0, subscribers: open } });
    }
    if (msg.type === 'stop') {
      server.closeAllConnections();
      server.close(() => process.exit(0));
    }
  });
  process.send!({ type: 'ready', url: `http://127.0.0.1:${port}` });
});
