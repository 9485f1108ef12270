import { beforeAll, describe, expect, it } from 'vitest';
import { NO_RATE_LIMIT } from '../utils/tsimulator.ts';
import { disposeAfterAll } from '../utils/leftovers.ts';
import { drain as drainList, paginateAll, sourceOf } from '../utils/tupstream.ts';
import { GatewayError } from '../../src/domain/errors.ts';
import { matchesFilter } from '../../src/domain/filter.ts';
import type { EntityKind, JobModel, ProviderRef } from '../../src/domain/models.ts';
import type { ListFilter, ProviderAdapter, RequestContext } from '../../src/providers/contract/index.ts';
import { OCORE_QUEUE_GRACE_MS, createOcoreAdapter } from '../../src/providers/ocore/index.ts';
import { startOcoreSimulator } from '../../src/simulators/ocore/index.ts';
import { ProviderHttpError, ProviderResponseError } from '../../src/upstream/errors.ts';

type Sim = Awaited<ReturnType<typeof startOcoreSimulator>>;

const ref: ProviderRef = { id: 'ocore-test', kind: 'ocore', name: 'oCore (test)' };
let sim: Sim;
let adapter: ProviderAdapter;
/** Every error an adapter call raised, to scan for the secret. */
const seenErrors: unknown[] = [];

let n = 0;
const ctx = (): RequestContext => ({ requestId: `test-${++n}` });

/** Direct upstream read, for expectations. */
async function upstream<T = any>(path: string): Promise<T> {
  const res = await fetch(`${sim.url}/api${path}`, { headers: { authorization: `Bearer ${sim.credential}` } });
  expect(res.status).toBe(200);
  return (await res.json()) as T;
}

/** Pages a list to the end with a fresh request context per page, as the gateway does. */
async function drain<K extends EntityKind>(kind: K, filter: ListFilter = {}, limit = 100) {
  const { items, pages } = await drainList(adapter, kind, { limit, filter, ctx });
  for (const page of pages) {
    expect(page.items.length).toBeLessThanOrEqual(limit);
    if (page.next !== null) expect(page.items.length).toBeGreaterThan(0);
  }
  return { items, totals: pages.map((p) => p.total) };
}

async function rejection(p: Promise<unknown>): Promise<unknown> {
  try {
    await p;
  } catch (e) {
    seenErrors.push(e);
    return e;
  }
  throw new Error('expected a rejection');
}

const ids = (xs: { nativeId: string }[]) => xs.map((x) => x.nativeId);
/** Whether `xs` are newest first by `createdAt`. */
const newestFirst = (xs: { createdAt?: unknown }[]) => xs.every((x, i) => i === 0 || Date.parse(String(xs[i - 1].createdAt)) >= Date.parse(String(x.createdAt)));
const unique = (xs: string[]) => new Set(xs).size === xs.length;

beforeAll(async () => {
  // Slow steps and no scheduler: the dataset stays still while lists are paged.
  sim = disposeAfterAll(await startOcoreSimulator({ stepMs: 60_000, scheduleEveryMs: 0 }));
  // Only the rate-limit test is about the simulator's quota; the others page whole lists (hundreds of calls).
  sim.setRateLimit(NO_RATE_LIMIT);
  adapter = disposeAfterAll(createOcoreAdapter({ ref, baseUrl: sim.url, secret: sim.credential }));
});

describe('oCore adapter: lists', () => {
  it('lists the token organization once', async () => {
    const page = await adapter.lists.organization!({ after: null, limit: 10, filter: {} }, ctx());
    expect(page).toMatchObject({ next: null, total: 1 });
    expect(page.items).toEqual([expect.objectContaining({ typename: 'OcoreOrganization', nativeId: 'default', name: ref.name, provider: ref })]);
  });

  it('pages every environment of every project exactly once', async () => {
    const { projects } = await upstream('/projects');
    const expected: string[] = [];
    for (const p of projects) expected.push(...(await upstream(`/projects/${p.id}/environments?limit=100`)).environments.map((e: any) => e.id));
    for (const limit of [1, 3, 100]) {
      const { items, totals } = await drain('resource', {}, limit);
      expect(ids(items)).toEqual(expected);
      expect(totals[0]).toBeNull(); // several projects: no exact total without extra calls
    }
    const { items } = await drain('resource');
    expect(items[0]).toMatchObject({
      typename: 'OcoreEnvironment', projectId: projects[0].id, projectName: projects[0].name, organizationNativeId: 'default',
    });
    expect(new Set(items.map((e) => e.environmentType))).toEqual(new Set(['production', 'staging', 'development']));
    expect(items.map((e) => e.projectName)).toContain('Café Ñandú — Intranet 東京');
  });

  it('pages every backup of every project exactly once, newest first across projects, with the exact total', async () => {
    const { items, totals } = await drain('backup', {}, 100);
    expect(items.length).toBe(sim.counts().backups);
    expect(unique(ids(items))).toBe(true);
    expect(totals[0]).toBe(items.length);
    expect(newestFirst(items)).toBe(true);
    expect(items.every((b) => b.typename === 'OcoreBackup' && b.resourceNativeId)).toBe(true);
  });

  it('pushes a resource filter down to the environment list, with its exact total', async () => {
    const env = sim.fixtures().productionEnvironmentId;
    const { total } = await upstream(`/environments/${env}/backups?limit=1`);
    const { items, totals } = await drain('backup', { resourceId: env }, 37);
    expect(items.length).toBe(total);
    expect(totals[0]).toBe(total);
    expect(items.every((b) => b.resourceNativeId === env)).toBe(true);
  });

  it('pushes a status that maps to one raw value down', async () => {
    const env = sim.fixtures().productionEnvironmentId;
    const failed = await drain('backup', { status: ['FAILED'] });
    expect(failed.items.length).toBeGreaterThan(0);
    expect(failed.items.every((b) => b.status === 'FAILED' && b.providerStatus === 'failed')).toBe(true);
    const { total } = await upstream(`/environments/${env}/backups?status=completed&limit=1`);
    const available = await drain('backup', { resourceId: env, status: ['AVAILABLE'] });
    expect(available.items.every((b) => b.status === 'AVAILABLE')).toBe(true);
    expect([available.items.length, available.totals[0]]).toEqual([total, total]);
  });

  it('ends a `since` list one queue grace past it: every run at or after `since`, newest first, without the older history', async () => {
    /** The distinct project backup pages (project, offset) read by `read`. */
    const pagesRead = async (read: () => Promise<unknown>) => {
      sim.resetStats();
      await read();
      return new Set(sim.stats.requests.filter((r) => r.route === 'GET /api/projects/:projectId/backups').map((r) => `${r.path} ${r.query.get('offset')}`)).size;
    };
    let all!: Awaited<ReturnType<typeof drain>>;
    const whole = await pagesRead(async () => (all = await drain('job', { operation: ['backup'], nameContains: ' ' })));
    const since = new Date(Date.parse(String(all.items[100].createdAt)));
    let got!: Awaited<ReturnType<typeof drain>>;
    const partial = await pagesRead(async () => (got = await drain('job', { operation: ['backup'], since })));
    const expected = all.items.filter((j) => Date.parse(String(j.startedAt ?? j.createdAt)) >= since.getTime());
    expect(ids(got.items)).toEqual(ids(expected));
    expect(newestFirst(got.items as JobModel[])).toBe(true);
    // Pages down to `since` minus the grace, not the whole history.
    expect(OCORE_QUEUE_GRACE_MS).toBeGreaterThan(0);
    expect(partial).toBeLessThan(whole);
  });

  it('checks a status of several raw values in memory (not upstream), without a total', async () => {
    const env = sim.fixtures().productionEnvironmentId;
    sim.resetStats();
    const page = await adapter.lists.backup!({ after: null, limit: 50, filter: { resourceId: env, status: ['CREATING'] } }, ctx());
    expect(page.total).toBeNull();
    expect(page.items.every((b) => b.status === 'CREATING')).toBe(true);
    expect(sim.stats.requests.every((r) => !r.query.has('status'))).toBe(true);
  });

  it('answers nothing, without asking upstream, for a status no raw value has or another organization', async () => {
    sim.resetStats();
    expect(await adapter.lists.backup!({ after: null, limit: 10, filter: { status: ['EXPIRED'] } }, ctx())).toEqual({ items: [], next: null, total: 0 });
    expect(await adapter.lists.job!({ after: null, limit: 10, filter: { status: ['MISSED'] } }, ctx())).toEqual({ items: [], next: null, total: 0 });
    for (const kind of ['organization', 'resource', 'backup', 'job', 'alert', 'schedule'] as const) {
      const page = await adapter.lists[kind]!({ after: null, limit: 10, filter: { organizationId: 'someone-else' } }, ctx());
      expect(page).toEqual({ items: [], next: null, total: 0 });
    }
    expect(sim.stats.total).toBe(0);
  });

  it('pages backup runs and each restore once, merged newest first (restores show under source and target upstream)', async () => {
    const { items, totals } = await drain('job', {}, 100);
    const runs = items.filter((j) => j.operation === 'backup');
    const restores = items.filter((j) => j.operation === 'restore');
    expect(totals[0]).toBe(items.length);
    expect(unique(ids(items))).toBe(true);
    expect(runs.length).toBe(sim.counts().backups);
    expect(newestFirst(items)).toBe(true);
    // Restores sit among the runs by creation time, not after them.
    expect(items.findIndex((j) => j.operation === 'restore')).toBeLessThan(runs.length);
    expect(restores.length).toBe(sim.counts().restoreLogs);
    for (const r of restores) {
      expect(r.typename).toBe('OcoreRestore');
      expect(r.nativeId).toBe(`restore:${r.targetEnvironmentId}:${r.restoreLogId}`);
      expect(r.resourceNativeId).toBe(r.targetEnvironmentId);
    }
    expect(runs.every((j) => j.typename === 'OcoreBackupRun' && j.nativeId === `backup:${j.backupNativeId}`)).toBe(true);
    // Paging with a small page size crosses project and phase boundaries identically.
    const small = await drain('job', { resourceId: sim.fixtures().productionEnvironmentId }, 9);
    const big = await drain('job', { resourceId: sim.fixtures().productionEnvironmentId }, 100);
    expect(ids(small.items)).toEqual(ids(big.items));
  });

  it('lists the restores into an environment under its jobs', async () => {
    const { restoreLogs } = await upstream(`/environments/${sim.fixtures().productionEnvironmentId}/restore-logs?limit=100`);
    const into = restoreLogs.find((l: any) => l.targetEnvironmentId !== l.sourceEnvironmentId);
    expect(into).toBeDefined();
    const target = await drain('job', { resourceId: into.targetEnvironmentId });
    const source = await drain('job', { resourceId: into.sourceEnvironmentId });
    expect(ids(target.items)).toContain(`restore:${into.targetEnvironmentId}:${into.id}`);
    expect(source.items.some((j) => j.restoreLogId === into.id)).toBe(false);
  });

  it('pushes a job status down to the backup runs, and checks it on the restore logs read whole', async () => {
    const all = (await drain('job', {})).items.filter((j) => j.operation === 'restore');
    sim.resetStats();
    const { items } = await drain('job', { status: ['SUCCEEDED'] });
    const runs = items.filter((j) => j.operation === 'backup');
    expect(runs.length).toBeGreaterThan(0);
    expect(runs.every((j) => j.status === 'SUCCEEDED' && j.providerStatus === 'completed')).toBe(true);
    expect(ids(items.filter((j) => j.operation === 'restore'))).toEqual(ids(all.filter((j) => j.status === 'SUCCEEDED')));
    expect(sim.stats.requests.filter((r) => /\/backups/.test(r.path)).every((r) => r.query.get('status') === 'completed')).toBe(true);
  });

  it('lists alerts with include_dismissed pushed down and an exact total', async () => {
    const active = await upstream('/backup-alerts?limit=100');
    const all = await upstream('/backup-alerts?limit=100&include_dismissed=true');
    expect(all.total).toBeGreaterThan(active.total);
    const undismissed = await drain('alert', {}, 7);
    expect(ids(undismissed.items)).toEqual(active.alerts.map((a: any) => a.id));
    expect(undismissed.totals[0]).toBe(active.total);
    const everything = await drain('alert', { includeDismissed: true }, 100);
    expect(ids(everything.items)).toEqual(all.alerts.map((a: any) => a.id));
    expect(everything.totals[0]).toBe(all.total);
    const env = sim.fixtures().productionEnvironmentId;
    const ofEnv = await drain('alert', { resourceId: env, includeDismissed: true }, 2);
    expect(ofEnv.items.length).toBe(all.alerts.filter((a: any) => a.environmentId === env).length);
    expect(ofEnv.totals[0]).toBe(ofEnv.items.length);
    const a = everything.items.find((x) => x.backupNativeId !== null)!;
    expect(a).toMatchObject({ typename: 'OcoreAlert', organizationNativeId: 'default' });
    expect(['INFO', 'WARNING', 'CRITICAL']).toContain(a.severity);
    expect(a.providerSeverity).toBe(a.severity.toLowerCase());
  });

  it('lists one schedule per scheduled environment, reading at most 8 at once', async () => {
    const f = sim.fixtures();
    for (const limit of [3, 100]) {
      const { items, totals } = await drain('schedule', {}, limit);
      expect(items.length).toBe(sim.counts().schedules);
      expect(unique(ids(items))).toBe(true);
      expect(totals[0]).toBe(limit === 100 ? items.length : null);
      expect(ids(items)).not.toContain(f.unscheduledEnvironmentIds[0]);
    }
    const { items } = await drain('schedule');
    const byEnv = new Map(items.map((s) => [s.nativeId, s]));
    expect(byEnv.get(f.productionEnvironmentId)).toMatchObject({
      typename: 'OcoreSchedule', enabled: true, crons: ['0 */8 * * *', '0 3 */2 * *'], walEnabled: true, resourceNativeId: f.productionEnvironmentId,
    });
    expect(byEnv.get(f.pausedEnvironmentId)).toMatchObject({ enabled: false, paused: true, configuredEnabled: true });
    expect(byEnv.get(f.disabledEnvironmentId)).toMatchObject({ enabled: false, configuredEnabled: false });
    expect(await adapter.lists.schedule!({ after: null, limit: 5, filter: { resourceId: f.unscheduledEnvironmentIds[0] } }, ctx()))
      .toEqual({ items: [], next: null, total: 0 });
  });

  it('reads schedules with at most 8 upstream calls in flight', async () => {
    // Every finished call reports its duration: rebuild the intervals and find the peak overlap.
    const calls: { start: number; end: number }[] = [];
    const observed = createOcoreAdapter({
      ref, baseUrl: sim.url, secret: sim.credential,
      onUpstreamCall: (c) => {
        if (c.path.endsWith('/backup-schedule')) calls.push({ start: performance.now() - c.durationMs, end: performance.now() });
      },
    });
    sim.setFault('GET /api/environments/:env_id/backup-schedule', { latencyMs: 40 });
    try {
      const page = await observed.lists.schedule!({ after: null, limit: 100, filter: {} }, ctx());
      expect(page.items.length).toBe(sim.counts().schedules);
      expect(calls.length).toBe(sim.counts().environments);
      const peak = Math.max(...calls.map((c) => calls.filter((o) => o.start < c.end - 5 && o.end > c.start + 5).length));
      expect(peak).toBeGreaterThanOrEqual(4);
      expect(peak).toBeLessThanOrEqual(8);
    } finally {
      sim.clearFaults();
      await observed.close();
    }
  });

  it.each([
    ['job', { status: ['RUNNING', 'FAILED'] }, 7],
    ['backup', { status: ['CREATING', 'FAILED'], sinceDays: 10 }, 11],
    ['job', { resourceId: 'production-env', sinceDays: 19 }, 5],
  ] as const)('pages %s with in-memory filters through the gateway paginator, each match once', async (kind, f, first) => {
    // Windows are days before the simulator's anchor, so the test holds on any date.
    const { sinceDays, ...rest } = f as typeof f & { sinceDays?: number };
    const filter: ListFilter = {
      ...rest, status: 'status' in f ? [...f.status] : undefined,
      since: sinceDays === undefined ? undefined : new Date(sim.anchor.getTime() - sinceDays * 86_400_000),
    } as ListFilter;
    if (filter.resourceId) filter.resourceId = sim.fixtures().productionEnvironmentId;
    const expected = ids((await drain(kind, filter)).items.filter((m) => matchesFilter(m, filter)));
    expect(expected.length).toBeGreaterThan(0);
    const { items, pages } = await paginateAll(kind, () => [sourceOf(adapter, kind, filter, ctx())], first);
    for (const page of pages) expect(page.failures).toEqual([]);
    const got = ids(items);
    expect(got).toEqual(expected);
  });

  it('rejects a malformed or foreign resume token as BAD_USER_INPUT', async () => {
    const first = await adapter.lists.backup!({ after: null, limit: 5, filter: {} }, ctx());
    for (const [kind, after] of [
      ['backup', 'not a token!'], ['backup', 'Zm9vOjE6Mjoz'], ['job', first.next!], ['alert', first.next!], ['organization', 'x'],
      ['backup', Buffer.from('backup:1:0:0').toString('base64url')],
    ] as const) {
      const e = await rejection(adapter.lists[kind]!({ after, limit: 5, filter: {} }, ctx()));
      expect(e).toBeInstanceOf(GatewayError);
      expect(e).toMatchObject({ code: 'BAD_USER_INPUT', extensions: { field: 'after' } });
    }
  });
});

describe('oCore adapter: lookups', () => {
  it('finds backups, null for unknown ids, in order', async () => {
    const f = sim.fixtures();
    const out = await adapter.lookups.backup!([f.completedBackupId, 'no-such-backup', f.failedBackupId, f.inFlightBackupIds[0]], ctx());
    expect(out[0]).toMatchObject({ nativeId: f.completedBackupId, status: 'AVAILABLE', providerStatus: 'completed' });
    expect(out[1]).toBeNull();
    expect(out[2]).toMatchObject({ nativeId: f.failedBackupId, status: 'FAILED', providerStatus: 'failed' });
    expect(out[3]).toMatchObject({ status: 'CREATING', providerStatus: expect.stringMatching(/^(pending|running)$/) });
  });

  it('finds backup runs and restores by their job ids', async () => {
    const f = sim.fixtures();
    const { restoreLogs } = await upstream(`/environments/${f.productionEnvironmentId}/restore-logs?limit=100`);
    const all = (await drain('job', {})).items.filter((j) => j.operation === 'restore');
    const completed = all.find((j) => j.restoreLogId === f.restoreLogId)!;
    const failed = all.find((j) => j.restoreLogId === f.failedRestoreLogId)!;
    const cross = restoreLogs.find((l: any) => l.targetEnvironmentId !== l.sourceEnvironmentId);
    const out = await adapter.lookups.job!([
      `backup:${f.inFlightBackupIds[0]}`, completed.nativeId, failed.nativeId, 'backup:nope',
      `restore:${cross.sourceEnvironmentId}:${cross.id}`, 'restore:nope:nope', 'garbage',
    ], ctx());
    expect(out[0]).toMatchObject({ typename: 'OcoreBackupRun', operation: 'backup', status: expect.stringMatching(/^(QUEUED|RUNNING)$/) });
    expect(out[1]).toMatchObject({ typename: 'OcoreRestore', nativeId: completed.nativeId, status: 'SUCCEEDED' });
    expect(out[2]).toMatchObject({ nativeId: failed.nativeId, status: 'FAILED', providerStatus: 'failed' });
    expect(out.slice(3)).toEqual([null, null, null, null]);
  });

  it('finds environments, alerts, schedules and the organization', async () => {
    const f = sim.fixtures();
    const { alerts } = await upstream('/backup-alerts?limit=100&include_dismissed=true');
    const dismissed = alerts.find((a: any) => a.dismissed);
    const [env, missing] = await adapter.lookups.resource!([f.productionEnvironmentId, 'nope'], ctx());
    expect(env).toMatchObject({ typename: 'OcoreEnvironment', name: 'production', type: 'production', projectId: f.projectIds[0] });
    expect(missing).toBeNull();
    expect(await adapter.lookups.alert!([dismissed.id, 'nope'], ctx())).toEqual([expect.objectContaining({ nativeId: dismissed.id, dismissed: true }), null]);
    const [s, none] = await adapter.lookups.schedule!([f.productionEnvironmentId, f.unscheduledEnvironmentIds[0]], ctx());
    expect(s).toMatchObject({ typename: 'OcoreSchedule', nativeId: f.productionEnvironmentId, enabled: true });
    expect(none).toBeNull();
    expect(await adapter.lookups.organization!(['default', 'other'], ctx())).toEqual([expect.objectContaining({ nativeId: 'default' }), null]);
  });

  it('fails only the id whose upstream call failed', async () => {
    const f = sim.fixtures();
    sim.setFault('GET /api/backups/:id', { forceStatusTimes: 1, errorStatus: 400 });
    try {
      const out = await adapter.lookups.backup!([f.completedBackupId, f.failedBackupId, f.inFlightBackupIds[0]], ctx());
      const errors = out.filter((x) => x instanceof Error);
      seenErrors.push(...errors);
      expect(errors).toHaveLength(1);
      expect(errors[0]).toBeInstanceOf(ProviderHttpError);
      expect(out.filter((x) => x !== null && !(x instanceof Error))).toHaveLength(2);
    } finally {
      sim.clearFaults();
    }
  });
});

describe('oCore adapter: lazy fields', () => {
  it('reads PITR coverage of an environment', async () => {
    const [env] = await adapter.lookups.resource!([sim.fixtures().productionEnvironmentId], ctx());
    const cov = (await adapter.fieldResolvers!.OcoreEnvironment.pitrCoverage(env, {}, ctx())) as any;
    expect(cov.earliestRecoverable).toMatch(/Z$/);
    expect(cov.gaps.length).toBeGreaterThan(0);
    expect(cov.baseBackups[0]).toEqual({ backupId: expect.any(String), timestamp: expect.stringMatching(/Z$/) });
  });

  it('reads the steps of a backup run and of a restore, in order', async () => {
    const f = sim.fixtures();
    const [run] = await adapter.lookups.job!([`backup:${f.completedBackupId}`], ctx());
    const steps = (await adapter.fieldResolvers!.OcoreBackupRun.steps(run, {}, ctx())) as any[];
    expect(steps.map((s) => s.name).slice(0, 4)).toEqual(['snapshot', 'dump', 'upload', 'verify']);
    expect(steps.map((s) => s.sortOrder)).toEqual([...steps.map((s) => s.sortOrder)].sort((a, b) => a - b));
    expect(steps[0]).toMatchObject({ status: 'completed', durationMs: expect.any(Number), output: expect.any(String) });
    const restore = (await drain('job')).items.find((j) => j.restoreLogId === f.failedRestoreLogId)!;
    const rsteps = (await adapter.fieldResolvers!.OcoreRestore.steps(restore, {}, ctx())) as any[];
    expect(rsteps.length).toBeGreaterThan(0);
    expect(rsteps.map((s) => s.sortOrder)).toEqual([...rsteps.map((s) => s.sortOrder)].sort((a, b) => a - b));
  });
});

describe('oCore adapter: failures', () => {
  it('turns a garbage body into a typed upstream error', async () => {
    for (const body of ['<html>oops</html>', '{"backups": 5, "total": 1}', '{"backups": [{"status": "completed"}], "total": 1}']) {
      sim.setFault('GET /api/projects/:projectId/backups', { garbageBody: body });
      try {
        const e = await rejection(adapter.lists.backup!({ after: null, limit: 5, filter: {} }, ctx()));
        expect(e).toBeInstanceOf(ProviderResponseError);
        expect(e).toMatchObject({ provider: ref.id });
      } finally {
        sim.clearFaults();
      }
    }
  });

  it('answers a wrong secret with ProviderHttpError 401, and reports health DOWN', async () => {
    const wrong = createOcoreAdapter({ ref, baseUrl: sim.url, secret: 'wrong-secret-3f9a' });
    try {
      const e = await rejection(wrong.lists.resource!({ after: null, limit: 5, filter: {} }, ctx()));
      expect(e).toBeInstanceOf(ProviderHttpError);
      expect(e).toMatchObject({ status: 401, providerMessage: 'unauthorized' });
      const health = await wrong.health(ctx());
      expect(health.status).toBe('DOWN');
      expect(health.message).not.toContain('wrong-secret-3f9a');
      seenErrors.push(health.message);
    } finally {
      await wrong.close();
    }
  });

  it('reports health UP, and DEGRADED when rate limited', async () => {
    expect(await adapter.health(ctx())).toMatchObject({ status: 'UP', message: null });
    sim.setRateLimit({ limit: 0, windowMs: 60_000 });
    try {
      const health = await adapter.health(ctx());
      expect(health.status).toBe('DEGRADED');
      const e = await rejection(adapter.lists.alert!({ after: null, limit: 5, filter: {} }, ctx()));
      expect(e).toMatchObject({ status: 429 });
    } finally {
      sim.setRateLimit(NO_RATE_LIMIT);
    }
  });

  it('never puts the secret in an error', () => {
    expect(seenErrors.length).toBeGreaterThan(5);
    for (const e of seenErrors) {
      const text = e instanceof Error ? `${e.message} ${e.stack} ${JSON.stringify(e)}` : String(e);
      expect(text).not.toContain(sim.credential);
      expect(text).not.toContain('wrong-secret-3f9a');
    }
  });
});
