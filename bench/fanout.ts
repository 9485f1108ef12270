/**
 * Benchmark: one oCore backup watched by 1, 100 and 1,000 graphql-sse subscribers (distinct
 * connections, one HTTP connection each). Three processes: the subscribers (this one), the gateway
 * (bench/fanout-server.ts) and the simulators (bench/sims.ts, an event every `stepMs`). Prints the
 * upstream streams opened, gateway heap per subscriber (after GC) and relay latency (simulator event
 * time -> subscriber receipt) p50/p99 over the events emitted after every subscriber had joined.
 */
import { fork, type ChildProcess } from 'node:child_process';
import { once } from 'node:events';
import { encodeGlobalId } from '../src/domain/ids.ts';
import { startFanoutClients, type FanoutClientResults } from './fanout-client.ts';
import { join } from 'node:path';
import { BENCH_LOG_DIR, percentile } from './lib/proc.ts';
import { startSims } from './sims.ts';

type Stats = { heapUsed: number; rss: number; hub: { openSources: number; sourcesOpened: number; subscribers: number } };

function ask(child: ChildProcess): Promise<Stats> {
  child.send({ type: 'stats' });
  return new Promise((resolve) => {
    const on = (m: any) => {
      if (m.type === 'stats') {
        child.off('message', on);
        resolve(m);
      }
    };
    child.on('message', on);
  });
}

/** Profiling aid (`FANOUT_HEAP_SNAPSHOT=dir`): the gateway writes a heap snapshot there. */
function snapshot(child: ChildProcess): Promise<void> {
  child.send({ type: 'snapshot' });
  return new Promise((resolve) => {
    const on = (m: { type: string }) => {
      if (m.type !== 'snapshot') return;
      child.off('message', on);
      resolve();
    };
    child.on('message', on);
  });
}

async function triggerBackup(ocoreUrl: string, credential: string): Promise<string> {
  const h = { authorization: `Bearer ${credential}`, 'content-type': 'application/json' };
  const projects: any = await (await fetch(`${ocoreUrl}/api/projects`, { headers: h })).json();
  const envs: any = await (await fetch(`${ocoreUrl}/api/projects/${projects.projects[0].id}/environments`, { headers: h })).json();
  const res: any = await (await fetch(`${ocoreUrl}/api/environments/${envs.environments[0].id}/backups`, { method: 'POST', headers: h, body: JSON.stringify({ type: 'db' }) })).json();
  return res.backupId;
}

/** The subscription every subscriber sends. */
const QUERY = `subscription($id: ID!) { backupProgress(backupId: $id) { status percent at done } }`;

/** Processes the subscribers are spread over (see bench/fanout-client.ts); `FANOUT_CLIENT_PROCESSES` overrides it. */
export const DEFAULT_CLIENT_PROCESSES = Number(process.env.FANOUT_CLIENT_PROCESSES ?? 2);

/** Subscribers of the warm-up round that precedes each measured one. */
const WARM_UP_SUBSCRIBERS = 20;

/**
 * The measured part of a round against a server child (`ask`-able): a warm-up of
 * {@link WARM_UP_SUBSCRIBERS} subscribers to `warmUpId`, joined and gone (the code the first
 * subscription compiles is the process's, not a cost per subscriber); then `n` subscribers to the
 * operation `start()` begins. Latency counts only events emitted after everyone had joined (the
 * first event a late subscriber gets is the latest state replayed, not a relay); heap is the
 * server's growth (after a forced GC) per subscriber. `FANOUT_DEBUG` prints each event's figures.
 */
async function measureSubscribers(child: ChildProcess, url: string, n: number, clientProcesses: number, warmUpId: string, start: () => Promise<string>, label: string) {
  const warm = startFanoutClients({ url, query: QUERY, variables: { id: warmUpId }, subscribers: WARM_UP_SUBSCRIBERS }, 1);
  await warm.joined;
  await warm.stop();
  while ((await ask(child)).hub.subscribers > 0) await new Promise((r) => setTimeout(r, 50));
  const before = await ask(child);
  if (process.env.FANOUT_HEAP_SNAPSHOT) await snapshot(child);
  const id = await start();
  const startedAt = Date.now();
  const clients = startFanoutClients({ url, query: QUERY, variables: { id }, subscribers: n }, clientProcesses);
  let results: FanoutClientResults;
  let allJoinedAt: number;
  let during: Stats;
  try {
    await clients.joined;
    allJoinedAt = Date.now();
    during = await ask(child);
    if (process.env.FANOUT_HEAP_SNAPSHOT) await snapshot(child);
    results = await clients.done;
  } finally {
    await clients.stop();
  }
  if (results.errors.length > 0) console.error(`  ${results.errors.length} subscription error(s), e.g. ${results.errors[0]}`);
  const latencies = results.events.filter(([at]) => at >= allJoinedAt).map(([at, receivedAt]) => receivedAt - at);
  if (process.env.FANOUT_DEBUG) {
    const byEvent = new Map<number, number[]>();
    for (const [at, receivedAt] of results.events) byEvent.set(at, [...(byEvent.get(at) ?? []), receivedAt - at]);
    for (const [at, l] of [...byEvent].sort((a, b) => a[0] - b[0])) console.log(`  ${label} at +${at - allJoinedAt} ms: ${l.length} received, p50 ${percentile(l, 50)} p99 ${percentile(l, 99)} max ${Math.max(...l)}`);
  }
  return {
    /** Operation started -> every subscriber has its first event. */
    joinMs: allJoinedAt - startedAt,
    memoryPerSubscriberKiB: Math.round(((during.heapUsed - before.heapUsed) / n / 1024) * 10) / 10,
    liveEventsMeasured: latencies.length,
    relayLatencyP50Ms: percentile(latencies, 50),
    relayLatencyP99Ms: percentile(latencies, 99),
  };
}

/** Runs one fan-out round with `n` subscribers (an event every `stepMs`); returns its measurements. */
export async function fanoutRound(n: number, stepMs = 1500, clientProcesses = DEFAULT_CLIENT_PROCESSES, logLevel = 'warn') {
  // Real time as the simulators' epoch, so event timestamps and receipt times compare.
  const sims = await startSims({ scale: 1, stepMs, anchorNow: true });
  const ocore = sims.providers.find((p) => p.kind === 'ocore')!;
  const child = fork(new URL('./fanout-server.ts', import.meta.url).pathname, [], {
    execArgv: ['--import', 'tsx', '--expose-gc', ...(process.env.FANOUT_GATEWAY_NODE_ARGS?.split(' ').filter(Boolean) ?? [])],
    env: { ...process.env, BENCH_PROVIDERS: JSON.stringify(sims.providers), FANOUT_LOG_LEVEL: logLevel, FANOUT_LOG_FILE: join(BENCH_LOG_DIR, `fanout-gateway-${n}.log`) },
    stdio: ['ignore', 'inherit', 'inherit', 'ipc'],
  });
  const exited = once(child, 'exit').then(([code]) => {
    throw new Error(`the fan-out gateway exited before it was ready (code ${code})`);
  });
  const [ready] = (await Promise.race([once(child, 'message'), exited])) as [{ url: string; mode: 'dist' | 'tsx'; note: string | null }];
  exited.catch(() => undefined);
  try {
    let sseBefore!: { opened: number; open: number };
    const warmUpId = encodeGlobalId('ocore', 'backup', await triggerBackup(ocore.baseUrl, ocore.credential));
    const measured = await measureSubscribers(child, ready.url, n, clientProcesses, warmUpId, async () => {
      sseBefore = (await sims.sse()).ocore;
      return encodeGlobalId('ocore', 'backup', await triggerBackup(ocore.baseUrl, ocore.credential));
    }, 'event');
    // The gateway closes its upstream stream once the last subscriber is gone: give it a moment.
    await new Promise((r) => setTimeout(r, 200));
    const sseAfter = (await sims.sse()).ocore;
    return {
      subscribers: n,
      stepMs,
      clientProcesses,
      /** What the gateway ran: the production build (`dist`) or the sources through tsx. */
      gatewayMode: ready.mode,
      /** Backup triggered -> every subscriber has its first event. */
      joinMs: measured.joinMs,
      upstreamStreamsOpened: sseAfter.opened - sseBefore.opened,
      upstreamStreamsOpenAfter: sseAfter.open,
      memoryPerSubscriberKiB: measured.memoryPerSubscriberKiB,
      liveEventsMeasured: measured.liveEventsMeasured,
      relayLatencyP50Ms: measured.relayLatencyP50Ms,
      relayLatencyP99Ms: measured.relayLatencyP99Ms,
    };
  } finally {
    child.send({ type: 'stop' });
    await once(child, 'exit');
    await sims.stop();
  }
}

/** Events the floor's operation sends (the oCore backup the gateway relays sends about as many). */
const FLOOR_EVENTS = 8;

/**
 * The floor of a fan-out round (bench/fanout-floor-server.ts: bare node:http writing one prebuilt
 * frame to every open response), measured as {@link fanoutRound} measures the gateway: the same
 * subscriber processes, the same warm-up, latency from the frame's write time to receipt.
 */
export async function fanoutFloorRound(n: number, stepMs = 1500, clientProcesses = DEFAULT_CLIENT_PROCESSES) {
  const child = fork(new URL('./fanout-floor-server.ts', import.meta.url).pathname, [], {
    execArgv: ['--import', 'tsx', '--expose-gc'],
    env: { ...process.env, FANOUT_FLOOR: JSON.stringify({ stepMs, events: FLOOR_EVENTS }) },
    stdio: ['ignore', 'inherit', 'inherit', 'ipc'],
  });
  const [ready] = (await once(child, 'message')) as [{ url: string }];
  try {
    const measured = await measureSubscribers(child, ready.url, n, clientProcesses, 'warm-up', async () => 'measured', 'floor event');
    return { subscribers: n, stepMs, ...measured };
  } finally {
    child.send({ type: 'stop' });
    await once(child, 'exit');
  }
}

/**
 * {@link fanoutRound}, once more with a slower backup when the subscribers took so long to join
 * that no live event was left to measure (a busy machine): each step then lasts a third of the
 * join time (at most 10 s), so several events follow the last join.
 */
export async function fanoutScenarioRound(n: number, stepMs = 1500, log: (line: string) => void = console.log, logLevel = 'warn') {
  const first = await fanoutRound(n, stepMs, DEFAULT_CLIENT_PROCESSES, logLevel);
  if (first.liveEventsMeasured > 0) return first;
  const slower = Math.min(10_000, Math.max(stepMs * 2, Math.ceil(first.joinMs / 3)));
  log(`  ${n} subscribers took ${first.joinMs} ms to join, longer than the backup lasted: again with an event every ${slower} ms`);
  return fanoutRound(n, slower, DEFAULT_CLIENT_PROCESSES, logLevel);
}
