/**
 * The replicas scenario: 3 gateway processes (the real CLI) on one Redis, 300 graphql-sse
 * subscribers spread over them on one oCore backup, and the replica that reads the upstream
 * SIGKILLed mid-stream. Prints and answers: upstream SSE streams opened at the provider, events
 * lost / duplicated / out of order per surviving subscriber (against the provider's own record of
 * the backup's events), and the takeover time (kill -> the next upstream stream open at the
 * provider) and the gap the survivors saw (kill -> their next event).
 *
 * Run alone: `node --import tsx bench/replicas.ts [--lease 1000] [--subscribers 300]`; or through
 * `npm run bench -- replicas` (bench/run.ts calls {@link replicasScenario}). Needs Redis on
 * `TEST_REDIS_URL` (default 127.0.0.1:6379): it writes under its own key prefix and deletes it.
 */
import { resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import { encodeGlobalId } from '../src/domain/ids.ts';
import { startAllSimulators } from '../src/simulators/start-all.ts';
import { treplicas, type TReplica } from '../test/utils/treplicas.ts';

/** Options of {@link replicasScenario}. */
export interface ReplicasScenarioOptions {
  /** Gateway processes. @default 3 */
  replicas?: number;
  /** Subscribers, spread evenly over the replicas. @default 300 */
  subscribers?: number;
  /** `cluster.progressLeaseMs` of every replica. @default 1000 */
  leaseMs?: number;
  /** The simulators' time between two events of an operation (an oCore backup has 7-8). @default 1500 */
  stepMs?: number;
  /** Events every subscriber has before the reader is killed. @default 2 */
  killAfterEvents?: number;
}

/** What one run measured. */
export interface ReplicasFigures {
  replicas: number;
  subscribers: number;
  leaseMs: number;
  /** Events of the backup, as the provider recorded them. */
  events: number;
  /** Subscribers of the replicas that stayed up. */
  survivors: number;
  /** Survivors that got the terminal event and a clean `complete`. */
  survivorsCompleted: number;
  /** Survivors whose events equal the provider's record exactly (all of it: everyone attached before the first event). */
  survivorsExact: number;
  /** Upstream SSE streams the provider saw for the backup (1 + one per takeover). */
  upstreamStreamsOpened: number;
  /** Per surviving subscriber: events missing, events received twice, and whether the order differed. */
  lost: { total: number; maxPerSubscriber: number };
  duplicated: { total: number; maxPerSubscriber: number };
  outOfOrder: number;
  /** Fewest events a survivor received after the kill (> 0: the reader died mid-stream). */
  eventsAfterKill: number;
  /** SIGKILL of the reader -> the provider sees the next upstream stream open. */
  takeoverMs: number;
  /** SIGKILL of the reader -> the first survivor's next event (the pause subscribers saw). */
  gapMs: number;
  /** Subscribers attached before the first upstream event was stored (precondition of "every event"). */
  attachedBeforeFirstEvent: boolean;
}

async function until(check: () => boolean | Promise<boolean>, what: string, timeoutMs = 30_000): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  while (!(await check())) {
    if (Date.now() > deadline) throw new Error(`timed out waiting for ${what}`);
    await new Promise((r) => setTimeout(r, 10));
  }
}

const PROGRESS_ROUTE = 'GET /api/backups/:id/progress';
const PROGRESS = 'subscription($id: ID!) { backupProgress(backupId: $id) { percent at done } }';

/** Runs the scenario once (about 40 s) and answers its figures. */
export async function replicasScenario(options: ReplicasScenarioOptions = {}): Promise<ReplicasFigures> {
  const { replicas: count = 3, subscribers: total = 300, leaseMs = 1000, stepMs = 1500, killAfterEvents = 2 } = options;
  const sims = await startAllSimulators({ stepMs, scheduleEveryMs: 0 });
  for (const s of sims.list) s.simulator.setRateLimit({ limit: 1_000_000, windowMs: 60_000 });
  const ocore = sims.get('ocore').simulator;
  const auth = { authorization: `Bearer ${ocore.credential}` };
  const cluster = await treplicas({ sims, count, progressLeaseMs: leaseMs }).catch(async (e) => {
    await sims.close();
    throw e;
  });
  try {
    const projects = (await (await fetch(`${ocore.url}/api/projects`, { headers: auth })).json()) as any;
    const envs = (await (await fetch(`${ocore.url}/api/projects/${projects.projects[0].id}/environments`, { headers: auth })).json()) as any;
    // The first upstream open is held back until every subscriber is attached (the stream then
    // replays the backup's whole history), so every subscriber is owed every event.
    ocore.setFault(PROGRESS_ROUTE, { latencyMs: 2500 });
    const started = (await (await fetch(`${ocore.url}/api/environments/${envs.environments[0].id}/backups`, { method: 'POST', headers: { ...auth, 'content-type': 'application/json' }, body: JSON.stringify({ type: 'db' }) })).json()) as any;
    const id = encodeGlobalId('ocore', 'backup', started.backupId);
    const openedBefore = ocore.stats.sseOpenedByRoute[PROGRESS_ROUTE] ?? 0;
    const opened = () => (ocore.stats.sseOpenedByRoute[PROGRESS_ROUTE] ?? 0) - openedBefore;

    let killedAt = 0;
    let firstAfterKill = 0;
    const subs = Array.from({ length: total }, (_, i) => {
      const replica = cluster.list[i % count];
      return { replica, events: [] as Array<[number | null, string, boolean]>, atKill: 0, errored: false, completed: false };
    });
    const clients = cluster.list.map((r) => r.sse());
    const done = subs.map(
      (s, i) =>
        new Promise<void>((resolveDone) => {
          clients[i % count].subscribe<any>(
            { query: PROGRESS, variables: { id } },
            {
              next: (r) => {
                const u = r.data?.backupProgress;
                if (!u) return;
                s.events.push([u.percent, u.at, u.done]);
                if (killedAt && !firstAfterKill && s.replica.alive) firstAfterKill = Date.now();
              },
              error: () => {
                s.errored = true;
                resolveDone();
              },
              complete: () => {
                s.completed = true;
                resolveDone();
              },
            },
          );
        }),
    );
    const perReplica = (r: TReplica) => subs.filter((s) => s.replica === r).length;
    await until(async () => (await Promise.all(cluster.list.map(async (r) => ((await r.metric('backup_graph_open_subscriptions')) ?? 0) >= perReplica(r)))).every(Boolean), 'every subscriber attached');
    const attachedBeforeFirstEvent = opened() === 0;
    await until(() => (ocore.stats.byRoute[PROGRESS_ROUTE] ?? 0) > 0, 'the first upstream open');
    ocore.clearFaults();
    await until(() => subs.every((s) => s.events.length >= killAfterEvents), `every subscriber to have ${killAfterEvents} events`);
    const open = await Promise.all(cluster.list.map((r) => r.metric('backup_graph_upstream_streams_open')));
    const reader = cluster.list[open.indexOf(1)];
    // None: the backup ended before every subscriber had its events (a machine too busy for this stepMs).
    if (!reader || open.filter((n) => n === 1).length !== 1) throw new Error(`expected exactly one replica reading the upstream, got ${JSON.stringify(open)}: try a larger stepMs`);
    await reader.kill('SIGKILL');
    killedAt = Date.now();
    for (const s of subs) s.atKill = s.events.length;
    await until(() => opened() >= 2, 'the takeover stream');
    const takeoverMs = Date.now() - killedAt;
    await Promise.all(done);
    const gapMs = firstAfterKill ? firstAfterKill - killedAt : NaN;
    const upstreamStreamsOpened = opened();
    for (const c of clients) c.dispose();

    const res = await fetch(`${ocore.url}/api/backups/${started.backupId}/progress`, { headers: { ...auth, 'last-event-id': '0' } });
    const truth = [...(await res.text()).matchAll(/^data: (.*)$/gm)].map((m) => JSON.parse(m[1]));
    const expected = truth.map((e, i) => JSON.stringify([e.percent ?? null, new Date(e.at).toISOString(), i === truth.length - 1]));
    const survivors = subs.filter((s) => s.replica !== reader);
    const lostPer: number[] = [];
    const dupPer: number[] = [];
    let outOfOrder = 0;
    let exact = 0;
    for (const s of survivors) {
      const got = s.events.map((e) => JSON.stringify(e));
      const unique = new Set(got);
      lostPer.push(expected.filter((e) => !unique.has(e)).length);
      dupPer.push(got.length - unique.size);
      const inExpectedOrder = got.map((g) => expected.indexOf(g));
      if (inExpectedOrder.some((x, i) => i > 0 && x <= inExpectedOrder[i - 1])) outOfOrder++;
      if (JSON.stringify(got) === JSON.stringify(expected)) exact++;
    }
    const sum = (a: number[]) => a.reduce((x, y) => x + y, 0);
    return {
      replicas: count,
      subscribers: total,
      leaseMs,
      events: truth.length,
      survivors: survivors.length,
      survivorsCompleted: survivors.filter((s) => s.completed && s.events.at(-1)?.[2] === true).length,
      survivorsExact: exact,
      upstreamStreamsOpened,
      eventsAfterKill: Math.min(...survivors.map((s) => s.events.length - s.atKill)),
      lost: { total: sum(lostPer), maxPerSubscriber: Math.max(0, ...lostPer) },
      duplicated: { total: sum(dupPer), maxPerSubscriber: Math.max(0, ...dupPer) },
      outOfOrder,
      takeoverMs,
      gapMs,
      attachedBeforeFirstEvent,
    };
  } finally {
    await cluster.close();
    await sims.close();
  }
}

/** The figures as the bench prints them. */
export function formatReplicasFigures(f: ReplicasFigures): string {
  return [
    `replicas: ${f.replicas} processes, ${f.subscribers} subscribers on one oCore backup (${f.events} events), lease ${f.leaseMs} ms, reader SIGKILLed mid-stream`,
    `  upstream SSE streams opened: ${f.upstreamStreamsOpened} (1 + the takeover)`,
    `  events each survivor still got after the kill: at least ${f.eventsAfterKill}`,
    `  takeover: ${f.takeoverMs} ms to the next upstream open; survivors' gap: ${f.gapMs} ms to their next event`,
    `  survivors: ${f.survivors}, completed with done: ${f.survivorsCompleted}, exactly the provider's events: ${f.survivorsExact}`,
    `  per survivor: lost ${f.lost.total} in total (max ${f.lost.maxPerSubscriber}), duplicated ${f.duplicated.total} (max ${f.duplicated.maxPerSubscriber}), out of order ${f.outOfOrder}`,
    `  every subscriber attached before the first event: ${f.attachedBeforeFirstEvent}`,
  ].join('\n');
}

if (process.argv[1] && resolve(process.argv[1]) === fileURLToPath(import.meta.url)) {
  const arg = (name: string) => {
    const i = process.argv.indexOf(`--${name}`);
    return i > 0 ? Number(process.argv[i + 1]) : undefined;
  };
  const figures = await replicasScenario({ leaseMs: arg('lease'), subscribers: arg('subscribers') });
  process.stdout.write(`${formatReplicasFigures(figures)}\n${JSON.stringify(figures)}\n`);
}
