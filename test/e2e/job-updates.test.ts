/**
 * `jobUpdates` over a real graphql-sse client against the simulators: triggered backups (oCore,
 * Norcube) appear and move to their end in order, a live Bocada job appears and fails with its
 * timeline's reason, subscribers of one shape share one watch (and callers of another tenant scope
 * do not), `initial: true` starts with the newest jobs, and a provider failing its polls does not
 * end the stream.
 */
import { randomUUID } from 'node:crypto';
import { afterEach, beforeAll, describe, expect, it } from 'vitest';
import { createClient, type Client } from 'graphql-sse';
import { OPEN_CALLER, type Caller } from '../../src/access/caller.ts';
import { TERMINAL_JOB_STATUSES } from '../../src/domain/statuses.ts';
import type { BocadaSimulator } from '../../src/simulators/bocada/index.ts';
import type { BocadaJobRecord } from '../../src/simulators/bocada/dto.ts';
import { timelineOf } from '../../src/simulators/bocada/seed.ts';
import { tgateway, type TGateway } from '../utils/tgateway.ts';
import { until } from './sse-client.ts';

/** Test callers, chosen per request by a test-only header through the gateway's `callerOf` hook. */
const CALLERS: Record<string, Caller> = {};

let t: TGateway;
let bocada: BocadaSimulator;
beforeAll(async () => {
  t = await tgateway({
    // Triggered operations step every 250 ms; watches poll every 10 ms while jobs move and back off
    // to 50 ms, so each step is seen even on a loaded machine.
    stepMs: 250,
    gateway: {
      progress: { poll: { runningMs: 15, queuedMs: 15 }, relay: { baseDelayMs: 20 }, watch: { minIntervalMs: 10, maxIntervalMs: 50 } },
      callerOf: (request) => CALLERS[request.headers.get('x-test-caller') ?? ''] ?? OPEN_CALLER,
    },
  });
  bocada = t.sims.get('bocada').simulator as BocadaSimulator;
});
afterEach(async () => {
  for (const s of t.sims.list) s.simulator.clearFaults();
  // Every subscription of a test has left: its watches stop (the next test counts its own).
  await until(() => t.gateway.jobWatch.stats.openWatches === 0, 'the watches to stop');
});

const JOB_UPDATES = `subscription($filter: JobUpdatesFilter, $initial: Boolean) {
  jobUpdates(filter: $filter, initial: $initial) {
    change previousStatus at
    job { id nativeId status operation failureReason startedAt createdAt provider { id } organization { id } }
  }
}`;

interface Update {
  change: 'INITIAL' | 'APPEARED' | 'STATUS_CHANGED';
  previousStatus: string | null;
  at: string;
  job: { id: string; nativeId: string; status: string; operation: string; failureReason: string | null; startedAt: string | null; createdAt: string | null; provider: { id: string }; organization: { id: string } | null };
}

/** One live subscription: what it received so far, and a way to await an update. */
interface Watch {
  updates: Update[];
  errors: unknown[];
  ended: boolean;
  /** Resolves with the first update (received so far or later) that `match` accepts. */
  next(match: (u: Update) => boolean, what: string): Promise<Update>;
  cancel(): void;
}

const clients: Client[] = [];
afterEach(() => {
  for (const c of clients.splice(0)) c.dispose();
});

function client(caller?: string, mode: 'distinct' | 'single' = 'distinct'): Client {
  const c = createClient({ url: `${t.url}/graphql`, retryAttempts: 0, singleConnection: mode === 'single', headers: caller ? { 'x-test-caller': caller } : {} });
  clients.push(c);
  return c;
}

function watch(variables: Record<string, unknown>, c: Client = client()): Watch {
  const w: Watch = { updates: [], errors: [], ended: false, next: undefined as never, cancel: undefined as never };
  const waiters = new Set<{ match: (u: Update) => boolean; resolve: (u: Update) => void }>();
  w.cancel = c.subscribe<{ jobUpdates: Update }>({ query: JOB_UPDATES, variables }, {
    next: (r) => {
      if (r.errors) w.errors.push(...r.errors);
      const u = r.data?.jobUpdates;
      if (!u) return;
      w.updates.push(u);
      for (const x of waiters) if (x.match(u)) {
        waiters.delete(x);
        x.resolve(u);
      }
    },
    error: (e) => {
      w.errors.push(e);
      w.ended = true;
    },
    complete: () => {
      w.ended = true;
    },
  });
  w.next = (match, what) => {
    const seen = w.updates.find(match);
    if (seen) return Promise.resolve(seen);
    return new Promise<Update>((resolve, reject) => {
      const x = { match, resolve };
      waiters.add(x);
      const timer = setTimeout(() => {
        waiters.delete(x);
        reject(new Error(`timed out waiting for ${what}; got ${JSON.stringify(w.updates.map((u) => [u.change, u.job.nativeId, u.job.status]))}, errors ${JSON.stringify(w.errors)}`));
      }, 20_000);
      void Promise.resolve().then(() => timer.unref?.());
    });
  };
  return w;
}

/** The updates of one job, in the order received. */
const updatesOf = (w: Watch, jobId: string) => w.updates.filter((u) => u.job.id === jobId);

/** Checks a job's updates tell one story: it appeared, then each change starts where the previous one left it, ending terminal. */
function expectInOrder(updates: Update[]) {
  expect(updates[0].change).toBe('APPEARED');
  expect(updates[0].previousStatus).toBeNull();
  for (let i = 1; i < updates.length; i++) {
    expect(updates[i].change).toBe('STATUS_CHANGED');
    expect(updates[i].previousStatus).toBe(updates[i - 1].job.status);
    expect(updates[i].job.status).not.toBe(updates[i - 1].job.status);
  }
  expect(TERMINAL_JOB_STATUSES.has(updates.at(-1)!.job.status as never)).toBe(true);
}

async function firstResource(provider: string): Promise<string> {
  const r = await t.gql(`{ resources(first: 1, filter: { providers: ["${provider}"] }) { nodes { id } } }`);
  expect(r.errors, JSON.stringify(r.errors)).toBeUndefined();
  return r.data.resources.nodes[0].id;
}

async function triggerBackup(provider: 'ocore' | 'norcube'): Promise<string> {
  const res = await t.gql(`mutation($r: ID!) { triggerBackup(input: { resourceId: $r }) { job { id } } }`, { r: await firstResource(provider) });
  expect(res.errors, JSON.stringify(res.errors)).toBeUndefined();
  return res.data.triggerBackup.job.id;
}

/** A job added to the Bocada simulator's live store (Bocada is read-only: jobs appear on its side), queued now on a resource of `organizationId`. */
function addBocadaJob(organizationId?: string): BocadaJobRecord {
  const resource = bocada.data.resources.find((r) => organizationId === undefined || r.organizationId === organizationId)!;
  const job: BocadaJobRecord = {
    id: randomUUID(), organizationId: resource.organizationId, resourceId: resource.id, connectionId: resource.connectionId, status: 'queued',
    startedAt: new Date(t.sims.clock.now()).toISOString(), endedAt: null, bytesTransferred: 0, filesTransferred: 0,
  };
  bocada.jobStore.add(job);
  return job;
}

/** Awaits the INITIAL updates of a subscription started with `initial: true`: once they are in, its watches have read. */
const started = (w: Watch) => w.next((u) => u.change === 'INITIAL', 'the INITIAL updates');

describe('jobUpdates: a triggered backup, from appearing to its end', () => {
  it.each([
    ['ocore', 'distinct'], ['norcube', 'distinct'], ['ocore', 'single'], ['norcube', 'single'],
  ] as const)('%s (%s connections mode): APPEARED, then each status change in order, to a terminal status', async (provider, mode) => {
    const w = watch({ filter: { providers: [provider] }, initial: true }, client(undefined, mode));
    await started(w);
    const jobId = await triggerBackup(provider);
    const last = await w.next((u) => u.job.id === jobId && TERMINAL_JOB_STATUSES.has(u.job.status as never), `${provider} job ${jobId} to end`);
    const mine = updatesOf(w, jobId);
    expect(mine.length).toBeGreaterThan(1); // it was seen before it ended
    expectInOrder(mine);
    expect(mine.every((u) => u.job.provider.id === provider && u.job.operation === 'BACKUP')).toBe(true);
    // The reason is there exactly when the job did not succeed.
    if (last.job.status === 'SUCCEEDED') expect(last.job.failureReason).toBeNull();
    if (last.job.status === 'FAILED') expect(last.job.failureReason).toEqual(expect.any(String));
    expect(w.errors).toEqual([]);
    expect(w.ended).toBe(false); // it never ends on its own
    w.cancel();
  });
});

describe('jobUpdates: Bocada, polled like the others', () => {
  it('a job appearing on the Bocada side is APPEARED, then RUNNING, then FAILED with its timeline error as failureReason', async () => {
    const w = watch({ filter: { providers: ['bocada'] }, initial: true });
    await started(w);
    const job = addBocadaJob();
    const appeared = await w.next((u) => u.job.nativeId === job.id, 'the Bocada job to appear');
    expect(appeared).toMatchObject({ change: 'APPEARED', previousStatus: null, job: { status: 'QUEUED', failureReason: null } });
    job.status = 'running';
    await w.next((u) => u.job.nativeId === job.id && u.job.status === 'RUNNING', 'RUNNING');
    job.status = 'failed';
    job.endedAt = new Date(t.sims.clock.now()).toISOString();
    const failed = await w.next((u) => u.job.nativeId === job.id && u.job.status === 'FAILED', 'FAILED');
    expect(failed).toMatchObject({ change: 'STATUS_CHANGED', previousStatus: 'RUNNING' });
    // The truth: the first error line of the job's timeline as the simulator serves it.
    const firstError = timelineOf(job).find((e) => e.severity === 'error')!.message;
    expect(failed.job.failureReason).toBe(firstError);
    expectInOrder(updatesOf(w, appeared.job.id));
    w.cancel();
  });
});

describe('Job.failureReason on every provider', () => {
  const TIMELINE = 'GET /api/v1/backup-jobs/:id/timeline';

  it('Bocada: the first timeline error of each failed job, one timeline read per job shared with `timeline`, none for jobs that succeeded', async () => {
    const before = bocada.stats.byRoute[TIMELINE] ?? 0;
    const ok = await t.gql(`{ jobs(first: 30, filter: { providers: ["bocada"], status: [SUCCEEDED, SUCCEEDED_WITH_WARNINGS] }) { nodes { status failureReason } } }`);
    expect(ok.errors, JSON.stringify(ok.errors)).toBeUndefined();
    expect(ok.data.jobs.nodes.length).toBeGreaterThan(0);
    expect(ok.data.jobs.nodes.every((n: any) => n.failureReason === null)).toBe(true);
    expect((bocada.stats.byRoute[TIMELINE] ?? 0) - before).toBe(0);
    const failed = await t.gql(`{ jobs(first: 12, filter: { providers: ["bocada"], status: [FAILED, MISSED] }) { nodes { nativeId status failureReason ... on BocadaJob { timeline { severity message } } } } }`);
    expect(failed.errors, JSON.stringify(failed.errors)).toBeUndefined();
    const nodes = failed.data.jobs.nodes;
    expect(nodes.length).toBeGreaterThan(0);
    for (const n of nodes) {
      // The truth: the simulator's own timeline of the job.
      const truth = timelineOf(bocada.jobStore.get(n.nativeId)!).find((e) => e.severity === 'error')!.message;
      expect(n.failureReason).toBe(truth);
      expect(n.timeline.find((e: any) => e.severity === 'ERROR').message).toBe(truth);
    }
    expect((bocada.stats.byRoute[TIMELINE] ?? 0) - before).toBe(nodes.length);
  });

  it.each([
    ['norcube', '... on NorcubeJob { own: errorSummary }'],
    ['ocore', '... on OcoreBackupRun { own: errorMessage } ... on OcoreRestore { own: errorMessage }'],
  ] as const)('%s: its own error field, exactly on the jobs that did not succeed', async (provider, own) => {
    const r = await t.gql(`{ jobs(first: 100, filter: { providers: ["${provider}"] }) { nodes { status failureReason ${own} } } }`);
    expect(r.errors, JSON.stringify(r.errors)).toBeUndefined();
    const nodes = r.data.jobs.nodes;
    for (const n of nodes) expect(n.failureReason).toBe(['FAILED', 'PARTIAL', 'CANCELED', 'MISSED'].includes(n.status) ? n.own?.trim() || null : null);
    // Some job in the list said why it failed (else the check above proves little).
    const withReason = await t.gql(`{ jobs(first: 100, filter: { providers: ["${provider}"], status: [FAILED, PARTIAL] }) { nodes { failureReason } } }`);
    expect(withReason.data.jobs.nodes.some((n: any) => typeof n.failureReason === 'string')).toBe(true);
  });
});

describe('jobUpdates: one watch per provider, scope and filter shape', () => {
  it('two subscribers of one shape (status filters aside) share one watch and both get the job; another operation is another shape', async () => {
    const stats = t.gateway.jobWatch.stats;
    const before = { started: stats.watchesStarted, subscribers: stats.subscribers };
    const norcube = t.sims.get('norcube').simulator;
    const a = watch({ filter: { providers: ['norcube'] }, initial: true });
    const b = watch({ filter: { providers: ['norcube'], status: ['SUCCEEDED', 'FAILED', 'PARTIAL'] }, initial: true });
    await Promise.all([started(a), started(b)]);
    expect(stats.watchesStarted - before.started).toBe(1);
    expect(stats.subscribers - before.subscribers).toBe(2);
    expect(stats.openWatches).toBe(1);
    const restores = watch({ filter: { providers: ['norcube'], operation: ['RESTORE'] } });
    await until(() => stats.watchesStarted - before.started === 2, 'a watch of its own for RESTORE only');
    restores.cancel();
    await until(() => stats.openWatches === 1, 'the RESTORE watch to stop');
    // One upstream read of the newest jobs per tick, whatever the number of subscribers.
    const route = 'GET /backups';
    const reads0 = norcube.stats.byRoute[route] ?? 0;
    const ticks0 = stats.ticks;
    const jobId = await triggerBackup('norcube');
    const end = await a.next((u) => u.job.id === jobId && TERMINAL_JOB_STATUSES.has(u.job.status as never), 'the job to end (a)');
    const endB = await b.next((u) => u.job.id === jobId, 'the job to end (b)');
    expect(endB.job.status).toBe(end.job.status); // b only hears of the end it filters for
    expect(updatesOf(b, jobId).every((u) => ['SUCCEEDED', 'FAILED', 'PARTIAL'].includes(u.job.status))).toBe(true);
    expectInOrder(updatesOf(a, jobId));
    const ticks = stats.ticks - ticks0;
    expect(ticks).toBeGreaterThan(0);
    // Each tick reads the list once (plus, at most, one lookup scan of the same route); two watches would read twice as often.
    expect((norcube.stats.byRoute[route] ?? 0) - reads0).toBeLessThanOrEqual(2 * ticks + 2);
    a.cancel();
    b.cancel();
    await until(() => stats.openWatches === 0, 'the shared watch to stop when both left');
    expect(stats.subscribers).toBe(before.subscribers);
  });

  it('a caller limited to one Bocada organization gets a watch of its own and only its organization\'s jobs', async () => {
    const orgs = [...new Set(bocada.data.resources.map((r) => r.organizationId))];
    const [mine, other] = orgs;
    CALLERS['acme'] = { id: 'acme', kind: 'api-key', role: 'reader', providers: null, organizations: [`bocada/${mine}`] };
    const stats = t.gateway.jobWatch.stats;
    const before = stats.watchesStarted;
    const open = watch({ filter: { providers: ['bocada'] }, initial: true });
    const scoped = watch({ filter: { providers: ['bocada'] }, initial: true }, client('acme'));
    await Promise.all([started(open), started(scoped)]);
    expect(stats.watchesStarted - before).toBe(2);
    const theirs = addBocadaJob(other);
    const ours = addBocadaJob(mine);
    await open.next((u) => u.job.nativeId === theirs.id, 'the other organization\'s job (open caller)');
    await open.next((u) => u.job.nativeId === ours.id, 'our job (open caller)');
    await scoped.next((u) => u.job.nativeId === ours.id, 'our job (scoped caller)');
    // Any tick that found ours (added last) would have found theirs had the scoped caller been able to see it.
    expect(scoped.updates.some((u) => u.job.nativeId === theirs.id)).toBe(false);
    const orgIds = new Set(scoped.updates.map((u) => u.job.organization?.id));
    expect(orgIds.size).toBe(1);
    open.cancel();
    scoped.cancel();
  });
});

describe('jobUpdates: initial and errors', () => {
  it('initial: true starts with the newest jobs (at most 20, newest first) as INITIAL, filtered like the updates', async () => {
    const all = watch({ filter: { providers: ['bocada'] }, initial: true });
    const failed = watch({ filter: { providers: ['bocada'], status: ['FAILED'] }, initial: true });
    await Promise.all([started(all), started(failed)]);
    // The truth, from the simulator's own job store (newest first): the watch reads the 50 newest.
    const newest = bocada.data.jobs.slice(0, 50);
    await until(() => all.updates.filter((u) => u.change === 'INITIAL').length === 20, '20 INITIAL updates');
    expect(all.updates.slice(0, 20).map((u) => [u.change, u.job.nativeId])).toEqual(newest.slice(0, 20).map((j) => ['INITIAL', j.id]));
    const failedTruth = newest.filter((j) => j.status === 'failed').slice(0, 20).map((j) => j.id);
    expect(failedTruth.length).toBeGreaterThan(0);
    await until(() => failed.updates.length >= failedTruth.length, 'the FAILED INITIAL updates');
    expect(failed.updates.map((u) => u.job.nativeId)).toEqual(failedTruth);
    expect(failed.updates.every((u) => u.job.status === 'FAILED' && u.job.failureReason !== null)).toBe(true);
    // Without `initial`, nothing comes until something moves.
    const quiet = watch({ filter: { providers: ['bocada'] } });
    const job = addBocadaJob();
    const first = await quiet.next((u) => u.job.nativeId === job.id, 'the new job without initial');
    expect(quiet.updates[0]).toBe(first);
    all.cancel();
    failed.cancel();
    quiet.cancel();
  });

  it('a provider failing its polls sends nothing, is polled again, and the stream goes on', async () => {
    const norcube = t.sims.get('norcube').simulator;
    const w = watch({ filter: { providers: ['norcube'] }, initial: true });
    await started(w);
    const failedBefore = t.gateway.jobWatch.stats.failedTicks;
    const logsBefore = t.logs.length;
    norcube.setFault('GET /backups', { forceStatus: 500 });
    await until(() => t.gateway.jobWatch.stats.failedTicks >= failedBefore + 2, 'two failed polls');
    norcube.clearFaults();
    expect(w.ended).toBe(false);
    expect(w.errors).toEqual([]);
    expect(t.logs.slice(logsBefore).some((l) => l.includes('job watch: a poll failed'))).toBe(true);
    const jobId = await triggerBackup('norcube');
    await w.next((u) => u.job.id === jobId && TERMINAL_JOB_STATUSES.has(u.job.status as never), 'the job after the failures');
    expectInOrder(updatesOf(w, jobId));
    expect(w.ended).toBe(false);
    w.cancel();
  });

  it('ends cleanly (complete, no error) when the gateway drains, and its watches stop', async () => {
    const other = await tgateway({ gateway: { progress: { watch: { minIntervalMs: 10, maxIntervalMs: 80 } } } });
    const c = createClient({ url: `${other.url}/graphql`, retryAttempts: 0 });
    clients.push(c);
    const w = watch({ initial: true }, c);
    await started(w);
    expect(other.gateway.jobWatch.stats.openWatches).toBe(other.gateway.providers.list.filter((a) => a.lists.job).length);
    const outcome = await other.gateway.drain();
    await until(() => w.ended, 'the subscription to complete');
    expect(w.errors).toEqual([]);
    expect(outcome.forced).toBe(false);
    expect(other.gateway.jobWatch.stats.openWatches).toBe(0);
    await other.close();
  });

  it.each([
    ['an unknown provider', { providers: ['nope'] }, 'BAD_USER_INPUT'],
    ['a malformed organization id', { organizationId: 'not-an-id' }, 'BAD_USER_INPUT'],
  ])('%s is a typed error before anything runs', async (_name, filter, code) => {
    const w = watch({ filter });
    await until(() => w.ended || w.errors.length > 0, 'the error');
    await until(() => w.ended, 'the subscription to end');
    expect(w.updates).toEqual([]);
    expect((w.errors as any[]).map((e) => e.extensions?.code ?? (Array.isArray(e) ? e[0]?.extensions?.code : undefined))).toContain(code);
  });
});
