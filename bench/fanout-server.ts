/**
 * Child process of the fan-out benchmark: the gateway alone (the simulators run in a process of
 * their own, the subscribers in the parent), reporting its heap (after a forced GC) and its
 * progress hub's counters over IPC, so neither the subscribers nor the provider skew them.
 * The providers come as JSON in `BENCH_PROVIDERS` (`[{ kind, baseUrl, credential }]`). The gateway
 * is the production build when it is current (as `bin/backup-graph.js` chooses), else the sources
 * through tsx (whose keep-names wrappers cost a few hundred bytes per closure: heap figures are
 * higher then); `ready` says which (`mode`).
 */
import { writeHeapSnapshot } from 'node:v8';
import pino from 'pino';
import { dirname, join } from 'node:path';
import { pathToFileURL } from 'node:url';
// @ts-expect-error: plain JavaScript without types (the bin's own helper)
import { chooseEntry } from '../bin/runtime.js';
import type { UpstreamProvider } from './lib/gateway.ts';

// As production runs it: the build (`npm run build`) while it is current, else the sources.
const choice = chooseEntry() as { kind: 'dist' | 'sources'; entry: string; note?: string };
// `FANOUT_GATEWAY_DIST=dir` runs that build whatever its age (to compare with the sources while they change).
const forced = process.env.FANOUT_GATEWAY_DIST;
const mode = forced || choice.kind === 'dist' ? 'dist' : 'tsx';
const gatewayModule = forced ? pathToFileURL(join(forced, 'src/server/gateway.js')).href : choice.kind === 'dist' ? pathToFileURL(join(dirname(choice.entry), 'gateway.js')).href : '../src/server/gateway.ts';
const { createGateway } = (await import(gatewayModule)) as typeof import('../src/server/gateway.ts');

const upstreams = JSON.parse(process.env.BENCH_PROVIDERS ?? '[]') as UpstreamProvider[];
const gateway = createGateway({
  providers: upstreams.map((u) => ({
    ref: { id: u.kind, kind: u.kind, name: u.kind },
    baseUrl: u.baseUrl,
    secret: u.credential,
    upstream: { rateLimit: 'none' as const },
  })),
  // `--log-level info` (FANOUT_LOG_LEVEL) adds the access log's cost; lines go to FANOUT_LOG_FILE.
  logger: pino({ level: process.env.FANOUT_LOG_LEVEL ?? 'warn' }, process.env.FANOUT_LOG_FILE ? pino.destination({ dest: process.env.FANOUT_LOG_FILE, mkdir: true }) : undefined),
});
const { url } = await gateway.listen(0);

let snapshots = 0;
process.on('message', (msg: { type: string }) => {
  if (msg.type === 'stats') {
    (globalThis as { gc?: () => void }).gc?.();
    process.send!({
      type: 'stats',
      heapUsed: process.memoryUsage().heapUsed,
      rss: process.memoryUsage().rss,
      hub: { ...gateway.progress.stats },
    });
  }
  if (msg.type === 'snapshot') {
    // Profiling aid: `FANOUT_HEAP_SNAPSHOT=dir` makes the bench ask for one while every subscriber is on.
    const file = writeHeapSnapshot(`${process.env.FANOUT_HEAP_SNAPSHOT ?? '.'}/fanout-${process.pid}-${++snapshots}.heapsnapshot`);
    process.send!({ type: 'snapshot', file });
  }
  if (msg.type === 'stop') {
    void gateway.close().then(() => process.exit(0));
  }
});
process.send!({ type: 'ready', url, mode, note: forced ? null : (choice.note ?? null) });
