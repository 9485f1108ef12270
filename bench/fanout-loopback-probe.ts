/**
 * A probe of what 1,000 subscribers cost below any HTTP or GraphQL (not a benchmark row): one
 * process opens `--subscribers` loopback TCP connections to itself and, `--rounds` times, writes
 * one frame of the fan-out's size to every server-side socket in a loop (`net.Socket#write`, each
 * a `write(2)` the kernel delivers before it returns). It prints how long the loop took and when
 * the frames arrived (p50/p99 from the loop's start, read in the same process). On a machine where
 * the loop alone takes 10 ms, a relay p99 of 20 ms at 1,000 subscribers leaves about 10 ms for
 * everything else (see README, Benchmarks: fan-out).
 *
 *   node --import tsx bench/fanout-loopback-probe.ts [--subscribers 1000] [--rounds 5] [--bytes 120]
 */
import { once } from 'node:events';
import { connect, createServer, type Socket } from 'node:net';
import { parseArgs } from 'node:util';
import { percentile } from './lib/proc.ts';

const { values } = parseArgs({ options: { subscribers: { type: 'string', default: '1000' }, rounds: { type: 'string', default: '5' }, bytes: { type: 'string', default: '120' } } });
const n = Number(values.subscribers);
const frame = Buffer.alloc(Number(values.bytes), 'x');
const serverSide: Socket[] = [];
let allConnected: () => void = () => undefined;
const connected = new Promise<void>((resolve) => (allConnected = resolve));
const server = createServer((s) => {
  s.setNoDelay(true);
  if (serverSide.push(s) === n) allConnected();
});
server.listen(0, '127.0.0.1');
await once(server, 'listening');
const { port } = server.address() as { port: number };

let startedAt = 0;
const arrivals: number[] = [];
let arrived: () => void = () => undefined;
const clients = Array.from({ length: n }, () => {
  const c = connect(port, '127.0.0.1');
  c.on('data', () => {
    arrivals.push(performance.now() - startedAt);
    if (arrivals.length === n) arrived();
  });
  return c;
});
await connected;

console.log(`loopback fan-out: ${n} sockets, ${frame.length}-byte frames, one process`);
for (let round = 1; round <= Number(values.rounds); round++) {
  arrivals.length = 0;
  const all = new Promise<void>((resolve) => (arrived = resolve));
  startedAt = performance.now();
  for (const s of serverSide) s.write(frame);
  const loopMs = performance.now() - startedAt;
  await all;
  console.log(`  round ${round}: write loop ${loopMs.toFixed(1)} ms, arrivals p50 ${percentile(arrivals, 50).toFixed(1)} ms, p99 ${percentile(arrivals, 99).toFixed(1)} ms`);
  await new Promise((r) => setTimeout(r, 200));
}
for (const c of clients) c.destroy();
server.close();
