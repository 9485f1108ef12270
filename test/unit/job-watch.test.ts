/**
 * The job watch's rules, tick by tick, over an in-memory job list (no time passes: the watch's
 * timers are injected and each `next()` is one tick): the baseline reports nothing, new jobs at the
 * top appear, jobs sliding into view do not, running jobs off the page are re-read by id, a failed
 * tick changes nothing, and the interval adapts. Plus what the cost estimate says of `jobUpdates`
 * and of `failureReason` selected on the Job interface.
 */
import { makeExecutableSchema } from '@graphql-tools/schema';
import { parse } from 'graphql';
import { describe, expect, it } from 'vitest';
import { createManualClock } from '../../src/domain/clock.ts';
import type { JobModel } from '../../src/domain/models.ts';
import type { JobStatus } from '../../src/domain/statuses.ts';
import { watchJobs, type JobWatchSource, type JobWatchTick } from '../../src/progress/job-watch.ts';
import { estimateCost } from '../../src/server/cost/estimate-cost.ts';
import { createGatewayCostModel } from '../../src/server/cost/gateway-cost-model.ts';
import { loadTypeDefs } from '../../src/server/type-defs.ts';

const ref = { id: 'p1', kind: 'norcube', name: 'P1' };
const T0 = Date.parse('2026-11-20T12:00:00.000Z');

function jobAt(id: string, minute: number, status: JobStatus): JobModel {
  const at = new Date(T0 + minute * 60_000).toISOString();
  return {
    typename: 'NorcubeJob', provider: ref, nativeId: id, name: null, operation: 'backup', status, providerStatus: null, organizationNativeId: null,
    resourceNativeId: null, backupNativeId: null, bytesTransferred: null, createdAt: at, startedAt: at, endedAt: null, failureReason: null,
  };
}

/** An in-memory provider: its jobs newest first, a page of `limit`, lookups by id, and a switch to fail. */
function provider(jobs: JobModel[]) {
  const state = { jobs, fail: false, lists: 0, looked: [] as string[][] };
  const sorted = () => [...state.jobs].sort((a, b) => Date.parse(b.startedAt!) - Date.parse(a.startedAt!));
  const source: JobWatchSource = {
    providerId: 'p1',
    filter: {},
    list: async (req) => {
      state.lists++;
      if (state.fail) throw new Error('upstream down');
      const all = sorted();
      return { items: all.slice(0, req.limit), next: all.length > req.limit ? 'more' : null, total: null };
    },
    lookup: async (ids) => {
      state.looked.push([...ids]);
      if (state.fail) throw new Error('upstream down');
      return ids.map((id) => state.jobs.find((j) => j.nativeId === id) ?? null);
    },
  };
  return { state, source, set: (id: string, status: JobStatus) => (state.jobs.find((j) => j.nativeId === id)!.status = status) };
}

/** A watch over `source` whose waits are recorded and take no time; `tick()` runs one read. */
function watch(source: JobWatchSource, pageSize = 3) {
  const waits: number[] = [];
  const clock = createManualClock(T0);
  const abort = new AbortController();
  const gen = watchJobs(source, abort.signal, (signal) => ({ requestId: 't', signal }), clock, {
    minIntervalMs: 100, maxIntervalMs: 800, pageSize, sleep: async (ms) => void waits.push(ms),
  });
  return {
    waits,
    async tick(): Promise<JobWatchTick> {
      const r = await gen.next();
      if (r.done) throw new Error('the watch ended');
      return r.value;
    },
    stop: () => abort.abort(),
  };
}

const summary = (t: JobWatchTick) => (t.ok ? t.updates.map((u) => [u.change, u.job.nativeId, u.previousStatus, u.job.status]) : 'failed');

describe('watchJobs', () => {
  it('reports nothing for the baseline, then appearances at the top and status changes, oldest first', async () => {
    const p = provider([jobAt('a', 1, 'SUCCEEDED'), jobAt('b', 2, 'RUNNING'), jobAt('c', 3, 'QUEUED')]);
    const w = watch(p.source, 10);
    const base = await w.tick();
    expect(summary(base)).toEqual([]);
    expect(base.ok && base.newest.map((j) => j.nativeId)).toEqual(['c', 'b', 'a']);
    p.state.jobs.push(jobAt('d', 4, 'QUEUED'), jobAt('e', 5, 'RUNNING'));
    p.set('c', 'RUNNING');
    expect(summary(await w.tick())).toEqual([
      ['STATUS_CHANGED', 'c', 'QUEUED', 'RUNNING'], ['APPEARED', 'd', null, 'QUEUED'], ['APPEARED', 'e', null, 'RUNNING'],
    ]);
    expect(summary(await w.tick())).toEqual([]); // nothing moved: nothing said
    w.stop();
  });

  it('a job older than the page it was not on only slid into view: remembered, not APPEARED', async () => {
    const p = provider([jobAt('a', 1, 'SUCCEEDED'), jobAt('b', 2, 'SUCCEEDED'), jobAt('c', 3, 'SUCCEEDED'), jobAt('d', 4, 'SUCCEEDED')]);
    const w = watch(p.source, 3); // sees d, c, b
    await w.tick();
    p.state.jobs = p.state.jobs.filter((j) => j.nativeId !== 'd'); // the newest went away: a slides in
    expect(summary(await w.tick())).toEqual([]);
    p.state.jobs.push(jobAt('n', 9, 'QUEUED'));
    expect(summary(await w.tick())).toEqual([['APPEARED', 'n', null, 'QUEUED']]);
    w.stop();
  });

  it('re-reads running jobs that left the page by id, in one batch, and forgets the ones that are gone', async () => {
    const p = provider([jobAt('r1', 1, 'RUNNING'), jobAt('r2', 2, 'RUNNING'), jobAt('x', 3, 'SUCCEEDED')]);
    const w = watch(p.source, 3);
    await w.tick();
    expect(p.state.looked).toEqual([]); // everything is on the page: no lookup
    p.state.jobs.push(jobAt('y', 4, 'SUCCEEDED'), jobAt('z', 5, 'SUCCEEDED'), jobAt('w', 6, 'SUCCEEDED'));
    expect(summary(await w.tick())).toEqual([['APPEARED', 'y', null, 'SUCCEEDED'], ['APPEARED', 'z', null, 'SUCCEEDED'], ['APPEARED', 'w', null, 'SUCCEEDED']]);
    expect(p.state.looked.at(-1)?.sort()).toEqual(['r1', 'r2']);
    p.set('r1', 'FAILED');
    p.state.jobs = p.state.jobs.filter((j) => j.nativeId !== 'r2');
    expect(summary(await w.tick())).toEqual([['STATUS_CHANGED', 'r1', 'RUNNING', 'FAILED']]);
    const lookupsBefore = p.state.looked.length;
    await w.tick();
    expect(p.state.looked.length).toBe(lookupsBefore); // r1 ended and r2 is gone: nothing left to re-read
    w.stop();
  });

  it('a failed tick reports the failure and changes nothing; the next good tick reports what moved meanwhile', async () => {
    const p = provider([jobAt('a', 1, 'RUNNING')]);
    const w = watch(p.source, 10);
    await w.tick();
    p.state.fail = true;
    const failed = await w.tick();
    expect(failed.ok).toBe(false);
    p.set('a', 'SUCCEEDED');
    expect(summary(await w.tick())).toEqual('failed');
    p.state.fail = false;
    expect(summary(await w.tick())).toEqual([['STATUS_CHANGED', 'a', 'RUNNING', 'SUCCEEDED']]);
    w.stop();
  });

  it('polls at the short interval while a job it saw start runs, backs off to the longest one when quiet and after failures', async () => {
    const p = provider([jobAt('old', 1, 'RUNNING')]); // running at the baseline: tracked, but keeps nothing short
    const w = watch(p.source, 10);
    for (let i = 0; i < 5; i++) await w.tick();
    expect(w.waits).toEqual([200, 400, 800, 800]);
    p.state.jobs.push(jobAt('new', 2, 'QUEUED'));
    await w.tick(); // it appears: short again, and stays short while it runs
    p.set('new', 'RUNNING');
    await w.tick();
    await w.tick();
    p.set('new', 'SUCCEEDED');
    await w.tick();
    await w.tick(); // quiet again
    p.state.fail = true;
    await w.tick();
    await w.tick();
    // Each wait follows the tick before it: 800 after the last quiet one, short while `new` moves or runs, then doubling.
    expect(w.waits.slice(4)).toEqual([800, 100, 100, 100, 100, 200, 400]);
    w.stop();
  });
});

describe('cost of jobUpdates and failureReason', () => {
  const schema = makeExecutableSchema({ typeDefs: loadTypeDefs() });
  const model = createGatewayCostModel({ providerCount: 4, lazyFields: ['BocadaJob.timeline', 'BocadaJob.failureReason'] });
  const cost = (query: string) => estimateCost({ schema, document: parse(query), model }).requested;

  it('failureReason selected on the Job interface costs a call per job (it is lazy on BocadaJob); on a type where it is not lazy, nothing', () => {
    expect(cost('{ jobs(first: 10) { nodes { id failureReason } } }')).toBe(4 + 10);
    expect(cost('{ jobs(first: 10) { nodes { ... on NorcubeJob { failureReason } } } }')).toBe(4);
    expect(cost('{ jobs(first: 10) { nodes { ... on BocadaJob { failureReason } } } }')).toBe(4 + 10);
  });

  it('an update costs its subscriber only what is selected under the job it carries', () => {
    expect(cost('subscription { jobUpdates { change job { id status } } }')).toBe(0);
    expect(cost('subscription { jobUpdates(initial: true) { job { id resource { name } failureReason } } }')).toBe(2);
  });
});
