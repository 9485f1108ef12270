/**
 * Child process of the fan-out benchmark: the simulators and a gateway, reporting memory and
 * counters over IPC so the subscribers (in the parent) do not skew the measurement.
 */
import pino from 'pino';
import { createGateway } from '../src/server/gateway.ts';
import { startAllSimulators } from '../src/simulators/start-all.ts';

const stepMs = Number(process.env.STEP_MS ?? 100);
// Real time as the simulators' epoch, so event timestamps and receipt times compare.
const sims = await startAllSimulators({ stepMs, scheduleEveryMs: 0, anchor: new Date() });
for (const s of sims.list) s.simulator.setRateLimit({ limit: 10_000_000, windowMs: 60_000 });
const gateway = createGateway({ providers: sims.list.map((s) => ({ ...s.provider, upstream: { ...s.provider.upstream, rateLimit: 'none' as const } })), logger: pino({ level: 'warn' }) });
const { url } = await gateway.listen(0);
const ocore = sims.get('ocore').simulator;

process.on('message', (msg: { type: string }) => {
  if (msg.type === 'stats') {
    (globalThis as { gc?: () => void }).gc?.();
    process.send!({
      type: 'stats',
      heapUsed: process.memoryUsage().heapUsed,
      rss: process.memoryUsage().rss,
      hub: { ...gateway.progress.stats },
      upstreamStreamsOpened: ocore.stats.sseStreamsOpened,
      upstreamStreamsOpen: ocore.stats.openSseStreams,
    });
  }
  if (msg.type === 'stop') {
    void gateway.close().then(() => sims.close()).then(() => process.exit(0));
  }
});
process.send!({ type: 'ready', url, ocoreUrl: ocore.url, credential: ocore.credential });
