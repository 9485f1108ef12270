/**
 * The four provider simulators in a process of their own (so their CPU is not the gateway's), for
 * the dashboard and start-up scenarios. Like `backup-graph simulate`, plus what a benchmark needs
 * and the CLI does not offer: rate limits lifted, an added latency on every route, and the
 * per-route request counters over IPC.
 *
 * Child side: `node --import tsx bench/sims.ts --scale N [--step-ms MS] [--anchor-now]` with an IPC
 * channel; answers `{ type: 'ready', providers }`, then handles `latency` (`{ ms }`), `reset` and
 * `stats` messages (answered as `{ type: 'stats', byRoute: { <kind>: { <route>: n } }, sse: { <kind>:
 * { opened, open } } }`). Parent side: {@link startSims}.
 */
import { fork } from 'node:child_process';
import { once } from 'node:events';
import { resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import { parseArgs } from 'node:util';
import type { UpstreamProvider } from './lib/gateway.ts';
import { round } from './lib/proc.ts';

const SELF = fileURLToPath(import.meta.url);

/** Request counters per provider kind and route key. */
export type RouteCounts = Record<string, Record<string, number>>;

/** Options of {@link startSims}. */
export interface StartSimsOptions {
  /** The simulators' `scale`. @default 10 */
  scale?: number;
  /** Time between two events of an operation, ms. @default the simulators' own */
  stepMs?: number;
  /** Seed the data around now (event timestamps then compare with receipt times). @default false */
  anchorNow?: boolean;
}

/** The simulators' process, seen from the bench. */
export interface SimsChild {
  pid: number;
  scale: number;
  providers: UpstreamProvider[];
  /** Milliseconds the simulators took to seed and listen. */
  startMs: number;
  /** Adds `ms` of latency before every answer of every simulator (0 clears it). */
  setLatency(ms: number): Promise<void>;
  resetStats(): Promise<void>;
  stats(): Promise<RouteCounts>;
  /** SSE streams opened in all and open now, per kind. */
  sse(): Promise<Record<string, { opened: number; open: number }>>;
  stop(): Promise<void>;
}

/** Starts the simulators in a child process. */
export async function startSims(options: StartSimsOptions = {}): Promise<SimsChild> {
  const { scale = 10, stepMs, anchorNow = false } = options;
  const started = performance.now();
  const args = ['--scale', String(scale), ...(stepMs ? ['--step-ms', String(stepMs)] : []), ...(anchorNow ? ['--anchor-now'] : [])];
  // BENCH_SIMS_CPU_PROF=<dir>: a CPU profile of the simulators' process (what their share of the machine goes to).
  const prof = process.env.BENCH_SIMS_CPU_PROF ? ['--cpu-prof', '--cpu-prof-dir', process.env.BENCH_SIMS_CPU_PROF] : [];
  const child = fork(SELF, args, { execArgv: ['--import', 'tsx', ...prof], stdio: ['ignore', 'inherit', 'inherit', 'ipc'] });
  const [ready] = (await once(child, 'message')) as [{ type: 'ready'; providers: UpstreamProvider[] }];
  const ask = <T>(msg: object, type: string) =>
    new Promise<T>((resolveAnswer) => {
      const on = (m: { type: string }) => {
        if (m.type !== type) return;
        child.off('message', on);
        resolveAnswer(m as T);
      };
      child.on('message', on);
      child.send(msg);
    });
  return {
    pid: child.pid!,
    scale,
    providers: ready.providers,
    startMs: round(performance.now() - started, 0),
    setLatency: async (ms) => void (await ask({ type: 'latency', ms }, 'ok')),
    resetStats: async () => void (await ask({ type: 'reset' }, 'ok')),
    stats: async () => (await ask<{ byRoute: RouteCounts }>({ type: 'stats' }, 'stats')).byRoute,
    sse: async () => (await ask<{ sse: Record<string, { opened: number; open: number }> }>({ type: 'stats' }, 'stats')).sse,
    async stop() {
      if (child.exitCode !== null) return;
      child.kill('SIGTERM');
      await once(child, 'exit');
    },
  };
}

async function runChild(): Promise<void> {
  const { values } = parseArgs({ options: { scale: { type: 'string' }, 'step-ms': { type: 'string' }, 'anchor-now': { type: 'boolean' } } });
  const { startAllSimulators } = await import('../src/simulators/start-all.ts');
  // No scheduled runs: the data (and so the plan's facts) stays put during a run.
  const sims = await startAllSimulators({
    scheduleEveryMs: 0,
    scale: Number(values.scale ?? 10),
    ...(values['step-ms'] ? { stepMs: Number(values['step-ms']) } : {}),
    ...(values['anchor-now'] ? { anchor: new Date() } : {}),
  });
  for (const s of sims.list) s.simulator.setRateLimit({ limit: 1_000_000_000, windowMs: 60_000 });
  process.on('message', (msg: { type: string; ms?: number }) => {
    if (msg.type === 'latency') {
      for (const s of sims.list) s.simulator.setFault('*', msg.ms ? { latencyMs: msg.ms } : undefined);
      process.send!({ type: 'ok' });
    } else if (msg.type === 'reset') {
      for (const s of sims.list) s.simulator.resetStats();
      process.send!({ type: 'ok' });
    } else if (msg.type === 'stats') {
      process.send!({
        type: 'stats',
        byRoute: Object.fromEntries(sims.list.map((s) => [s.kind, { ...s.simulator.stats.byRoute }])),
        sse: Object.fromEntries(sims.list.map((s) => [s.kind, { opened: s.simulator.stats.sseStreamsOpened, open: s.simulator.stats.openSseStreams }])),
      });
    }
  });
  process.on('SIGTERM', () => void sims.close().then(() => process.exit(0)));
  process.send!({ type: 'ready', providers: sims.list.map((s) => ({ kind: s.kind, baseUrl: s.simulator.url, credential: s.simulator.credential })) });
}

if (process.argv[1] && resolve(process.argv[1]) === SELF && process.send) await runChild();
