import { capabilitiesOf } from '../../src/providers/contract/index.ts';
import { beforeAll, beforeEach, describe, expect, it } from 'vitest';
import { disposeAfterAll, disposeAfterEach } from '../utils/leftovers.ts';
import { healthy, norcubeAll, okOn, type Json } from '../utils/tsimulator.ts';
import { drain as drainList, paginateAll, sourceOf } from '../utils/tupstream.ts';
import { startNorcubeSimulator } from '../../src/simulators/norcube/index.ts';
import { NORCUBE_QUEUE_GRACE_MS, createNorcubeAdapter } from '../../src/providers/norcube/index.ts';
import type { EntityKind, EntityModel, JobModel } from '../../src/domain/models.ts';
import { GatewayError } from '../../src/domain/errors.ts';
import { ProviderHttpError, ProviderResponseError } from '../../src/upstream/errors.ts';
import type { ListFilter, ProgressUpdate, ProviderAdapter, RequestContext } from '../../src/providers/contract/index.ts';

type Sim = Awaited<ReturnType<typeof startNorcubeSimulator>>;

const ref = { id: 'norcube-test', kind: 'norcube' as const, name: 'Norcube Test' };
const ctx = (): RequestContext => ({ requestId: 'test-1' });
const fast = { retry: { maxRetries: 1, baseDelayMs: 5, maxDelayMs: 20 }, deadlineMs: 5000 };

let sim: Sim;
let adapter: ProviderAdapter;

/** Raw reads of the simulator, to compare the adapter with. */
const raw = (path: string, method = 'GET', body?: unknown): Promise<Json> => okOn(sim, path, { method, body });
const rawAll = (path: string): Promise<Json[]> => norcubeAll(sim, path);

/** Pages an adapter list to the end (a fresh request context per page), checking the page contract. */
async function drain(kind: EntityKind, filter: ListFilter, limit: number): Promise<EntityModel[]> {
  const { items, pages } = await drainList(adapter, kind, { limit, filter, ctx });
  for (const page of pages) {
    expect(page.items.length).toBeLessThanOrEqual(limit);
    if (page.next !== null) expect(page.items.length, 'a page with a next token is never empty').toBeGreaterThan(0);
    expect(page.total).toBe(kind === 'organization' ? page.items.length : null);
  }
  return items;
}

/** Pages through the gateway's paginator (which re-reads pages with `skip`), to the end. */
async function drainThroughGateway(kind: EntityKind, filter: ListFilter, first: number): Promise<EntityModel[]> {
  const { items, pages } = await paginateAll<EntityModel>(kind, () => [sourceOf(adapter, kind, filter, ctx())], first);
  for (const page of pages) expect(page.failures).toEqual([]);
  return items;
}

const ids = (items: EntityModel[]) => items.map((m) => m.nativeId);

/**
 * The ids of the adapter's job list: backup jobs and each data source's restores (segments in
 * that order), merged newest first by creation; ties to the earlier segment, then its own order.
 */
function mergedNewestFirst(segments: Array<Array<{ id: string; at: string }>>): string[] {
  return segments
    .flatMap((seg, s) => seg.map((x, i) => ({ ...x, s, i })))
    .sort((a, b) => Date.parse(b.at) - Date.parse(a.at) || a.s - b.s || a.i - b.i)
    .map((x) => x.id);
}
const backupJobsOf = (js: Json[]) => js.map((j) => ({ id: jobId(j), at: j.jobCreatedAt as string }));
const restoresOf = (rs: Json[]) => rs.map((r) => ({ id: `restore:${r.id}`, at: r.createdAt as string }));
const jobId = (j: Json) => `${j.datasourceId}/${j.jobId}`;
const hasFile = (j: Json) => ['success', 'partial'].includes(j.jobStatus) && j.jobBytesWritten > 0;

let dataSources: Json[];
let jobs: Json[];
/** Manual restores per data source, in data source order. */
let restoresByDs: Map<string, Json[]>;
let expectedJobIds: string[];

beforeAll(async () => {
  sim = disposeAfterAll(await startNorcubeSimulator({ stepMs: 30, scheduleEveryMs: 0 }));
  adapter = disposeAfterAll(createNorcubeAdapter({ ref, baseUrl: sim.url, secret: sim.credential, upstream: fast }));
  dataSources = await rawAll('/datasources');
  jobs = await rawAll('/backups');
  restoresByDs = new Map();
  for (const ds of dataSources) restoresByDs.set(ds.id, await rawAll(`/datasources/${ds.id}/restores?trigger=manual`));
  expectedJobIds = mergedNewestFirst([backupJobsOf(jobs), ...[...restoresByDs.values()].map(restoresOf)]);
});
beforeEach(() => {
  healthy(sim);
  sim.setRestoresUnsupported(false);
  sim.setErrorShape('spec');
});

describe('norcube adapter: lists', () => {
  it('has a dataset worth testing', () => {
    expect(dataSources.length).toBeGreaterThan(10);
    expect(jobs.some((j) => j.jobDeletedAt)).toBe(true);
    expect(jobs.some((j) => j.jobStatus === 'failed')).toBe(true);
    expect([...restoresByDs.values()].flat().length).toBeGreaterThan(3);
  });

  it('lists the token organization once, named after the instance', async () => {
    const page = await adapter.lists.organization!({ after: null, limit: 20, filter: {} }, ctx());
    expect(page).toMatchObject({ next: null, total: 1 });
    expect(page.items.map((o) => [o.typename, o.nativeId, o.name])).toEqual([['NorcubeOrganization', sim.organizationId, 'Norcube Test']]);
    await expect(adapter.lists.organization!({ after: 'x', limit: 20, filter: {} }, ctx())).rejects.toMatchObject({ code: 'BAD_USER_INPUT' });
  });

  it('pages data sources to the end, each once, in the provider order', async () => {
    const items = await drain('resource', {}, 7);
    expect(ids(items)).toEqual(dataSources.map((d) => d.id));
    expect(items.every((m) => m.typename === 'NorcubeDataSource' && m.organizationNativeId === sim.organizationId)).toBe(true);
  });

  it('answers nothing for another organization', async () => {
    for (const kind of ['resource', 'job', 'backup', 'schedule'] as const) {
      const page = await adapter.lists[kind]!({ after: null, limit: 10, filter: { organizationId: 'someone-else' } }, ctx());
      expect(page.items, kind).toEqual([]);
    }
  });

  it('pages jobs to the end: backup jobs and every data source\'s restores, merged newest first', async () => {
    const items = await drain('job', {}, 37) as JobModel[];
    expect(ids(items)).toEqual(expectedJobIds);
    const byId = new Map(jobs.map((j) => [jobId(j), j]));
    for (const m of items.filter((x) => x.operation === 'backup')) {
      const j = byId.get(m.nativeId)!;
      expect(m.providerStatus).toBe(j.jobStatus);
      expect(m.status).toBe({ queued: 'QUEUED', running: 'RUNNING', success: 'SUCCEEDED', partial: 'PARTIAL', failed: 'FAILED', canceled: 'CANCELED' }[j.jobStatus as string]);
    }
    expect(items.filter((x) => x.operation === 'restore').every((m) => m.backupNativeId && m.nativeId.startsWith('restore:'))).toBe(true);
  });

  it('pages jobs exactly once through the gateway paginator (re-reads with skip)', async () => {
    const items = await drainThroughGateway('job', {}, 23);
    expect(ids(items)).toEqual(expectedJobIds);
  });

  it('pushes a resource filter down to one data source, restores included', async () => {
    const ds = dataSources.find((d) => (restoresByDs.get(d.id)?.length ?? 0) >= 2 && jobs.some((j) => j.datasourceId === d.id))!;
    expect(ds).toBeDefined();
    const count = (route: string) => sim.stats.byRoute[route] ?? 0;
    const before = { backups: count('GET /backups'), datasources: count('GET /datasources') };
    const items = await drain('job', { resourceId: ds.id }, 5);
    const expected = mergedNewestFirst([backupJobsOf(jobs.filter((j) => j.datasourceId === ds.id)), restoresOf(restoresByDs.get(ds.id)!)]);
    expect(ids(items)).toEqual(expected);
    // At most one batch-route page per page of 5; the restores of one data source need no data source list.
    expect(count('GET /backups') - before.backups).toBeLessThanOrEqual(Math.ceil(expected.length / 5));
    expect(count('GET /datasources') - before.datasources).toBe(0);
  });

  it('treats 501 on restore routes as "no restores"', async () => {
    sim.setRestoresUnsupported(true);
    const items = await drain('job', {}, 100);
    expect(ids(items)).toEqual(jobs.map(jobId));
  });

  it('pages backups: only file-bearing jobs, EXPIRED exactly when the file was deleted', async () => {
    const items = await drain('backup', {}, 13);
    const files = jobs.filter(hasFile);
    expect(ids(items)).toEqual(files.map(jobId));
    const deleted = new Set(files.filter((j) => j.jobDeletedAt).map(jobId));
    expect(deleted.size).toBeGreaterThan(0);
    for (const b of items) expect(b.status).toBe(deleted.has(b.nativeId) ? 'EXPIRED' : 'AVAILABLE');
    expect(items.every((b) => b.typename === 'NorcubeBackup' && typeof b.sizeBytes === 'number')).toBe(true);
  });

  it('pages backups of one data source with the batch route, and skips upstream for impossible statuses', async () => {
    const ds = dataSources.find((d) => jobs.filter((j) => j.datasourceId === d.id && hasFile(j)).length > 3)!;
    const items = await drainThroughGateway('backup', { resourceId: ds.id }, 2);
    expect(ids(items)).toEqual(jobs.filter((j) => j.datasourceId === ds.id && hasFile(j)).map(jobId));
    const before = sim.stats.byRoute['GET /backups'] ?? 0;
    const page = await adapter.lists.backup!({ after: null, limit: 10, filter: { status: ['FAILED', 'CREATING'] } }, ctx());
    expect(page).toEqual({ items: [], next: null, total: null });
    expect(sim.stats.byRoute['GET /backups'] ?? 0).toBe(before);
  });

  it('pages schedules: every policy attached to every data source, once', async () => {
    const expected: string[] = [];
    const crons = new Map<string, string>();
    for (const ds of dataSources) {
      for (const a of await raw(`/datasources/${ds.id}/policies`) as unknown as Json[]) {
        expected.push(`${ds.id}/${a.backupPolicy.id}`);
        crons.set(`${ds.id}/${a.backupPolicy.id}`, a.backupPolicy.scheduleCron);
      }
    }
    for (const limit of [1, 4, 100]) {
      const items = await drain('schedule', {}, limit);
      expect(ids(items), `limit ${limit}`).toEqual(expected);
      for (const s of items) expect(s.crons).toEqual([crons.get(s.nativeId)]);
    }
    expect(ids(await drainThroughGateway('schedule', {}, 3))).toEqual(expected);
    const one = dataSources.find((d) => expected.some((e) => e.startsWith(d.id)))!;
    expect(ids(await drain('schedule', { resourceId: one.id }, 10))).toEqual(expected.filter((e) => e.startsWith(`${one.id}/`)));
  });

  it('reads full pages of 100 from the first when it filters in memory, and ends a `since` list past the queue grace', async () => {
    const since = new Date(Date.parse(jobs[Math.min(150, jobs.length - 1)].jobCreatedAt));
    const filter: ListFilter = { status: ['FAILED'], since, operation: ['backup'] };
    sim.resetStats();
    const got = await drainThroughGateway('job', filter, 5);
    // What the filter keeps, from the whole list: exactly those, newest first.
    const failed = jobs.filter((j) => j.jobStatus === 'failed' && Date.parse(j.jobStartedAt ?? j.jobCreatedAt) >= since.getTime());
    expect(ids(got)).toEqual(failed.map(jobId));
    const reads = sim.stats.requests.filter((r) => r.route === 'GET /backups');
    expect(reads.every((r) => r.query.get('limit') === '100')).toBe(true);
    // Only the pages down to `since` minus the grace, not the whole history.
    const needed = jobs.findIndex((j) => Date.parse(j.jobCreatedAt) < since.getTime() - NORCUBE_QUEUE_GRACE_MS);
    expect(new Set(reads.map((r) => r.query.get('cursor'))).size).toBe(needed < 0 ? Math.ceil(jobs.length / 100) : Math.floor(needed / 100) + 1);
  });

  it('rejects a tampered resume token as BAD_USER_INPUT', async () => {
    for (const [kind, after] of [['resource', 'bm90LWEtY3Vyc29y'], ['job', 'x:1'], ['job', 'r:%%%'], ['job', 'b:bm9wZQ'], ['schedule', 'WzEsMl0'], ['backup', 'bm9wZQ']] as const) {
      const e = await adapter.lists[kind]!({ after, limit: 5, filter: {} }, ctx()).catch((x) => x);
      expect(e, `${kind} ${after}`).toBeInstanceOf(GatewayError);
      expect(e.code).toBe('BAD_USER_INPUT');
    }
  });
});

describe('norcube adapter: lookups', () => {
  const unknown = '00000000-0000-4000-8000-000000000000';

  it('looks data sources up: found, null for unknown or malformed ids, in order', async () => {
    const [a, b] = dataSources;
    const out = await adapter.lookups.resource!([b.id, unknown, 'not-a-uuid', a.id], ctx());
    expect(out.map((m) => (m && !(m instanceof Error) ? m.nativeId : m))).toEqual([b.id, null, null, a.id]);
  });

  it('looks jobs of several data sources up with ONE batch call, restores by id, and memoizes per request', async () => {
    const newest = new Map<string, Json>();
    for (const j of jobs) if (!newest.has(j.datasourceId)) newest.set(j.datasourceId, j);
    const picked = [...newest.values()].slice(0, 3);
    const restoreId = [...restoresByDs.values()].flat()[0].id;
    const wanted = [
      jobId(picked[0]), `${picked[1].datasourceId}/${unknown}`, jobId(picked[1]), `restore:${restoreId}`, `restore:${unknown}`, 'garbage', jobId(picked[2]),
    ];
    const c = ctx();
    const before = sim.stats.byRoute['GET /backups'] ?? 0;
    const out = await adapter.lookups.job!(wanted, c);
    expect(out.map((m) => (m && !(m instanceof Error) ? m.nativeId : m))).toEqual([
      jobId(picked[0]), null, jobId(picked[1]), `restore:${restoreId}`, null, null, jobId(picked[2]),
    ]);
    // The unknown job makes the scan read its data sources to the end; the found ones come in the same scan.
    const scanPages = Math.ceil(jobs.filter((j) => [picked[0], picked[1], picked[2]].some((p) => p.datasourceId === j.datasourceId)).length / 100);
    expect((sim.stats.byRoute['GET /backups'] ?? 0) - before).toBe(scanPages);
    const again = await adapter.lookups.job!([jobId(picked[2]), jobId(picked[0])], c);
    expect(again.map((m) => (m as JobModel).nativeId)).toEqual([jobId(picked[2]), jobId(picked[0])]);
    expect((sim.stats.byRoute['GET /backups'] ?? 0) - before).toBe(scanPages);
  });

  it('looks backups up: a file is found, a job without a file is not', async () => {
    const file = jobs.find((j) => hasFile(j) && j.jobDeletedAt)!;
    const failed = jobs.find((j) => j.jobStatus === 'failed')!;
    const out = await adapter.lookups.backup!([jobId(failed), jobId(file)], ctx());
    expect(out[0]).toBeNull();
    expect(out[1]).toMatchObject({ nativeId: jobId(file), status: 'EXPIRED', typename: 'NorcubeBackup' });
  });

  it('looks schedules and the organization up', async () => {
    const ds = dataSources.find((d) => (d.totalBackupJobs ?? 0) > 0)!;
    const [a] = await raw(`/datasources/${ds.id}/policies`) as unknown as Json[];
    const out = await adapter.lookups.schedule!([`${ds.id}/${unknown}`, `${ds.id}/${a.backupPolicy.id}`, `${unknown}/${a.backupPolicy.id}`, 'x'], ctx());
    expect(out[0]).toBeNull();
    expect(out[1]).toMatchObject({ typename: 'NorcubeSchedule', policyId: a.backupPolicy.id, name: a.backupPolicy.name, enabled: a.isEnabled });
    expect(out.slice(2)).toEqual([null, null]);
    const orgs = await adapter.lookups.organization!([sim.organizationId, unknown], ctx());
    expect(orgs[0]).toMatchObject({ nativeId: sim.organizationId, name: 'Norcube Test' });
    expect(orgs[1]).toBeNull();
  });

  it('answers restore lookups with null where restores are not implemented (501)', async () => {
    sim.setRestoresUnsupported(true);
    const restoreId = [...restoresByDs.values()].flat()[0].id;
    expect(await adapter.lookups.job!([`restore:${restoreId}`], ctx())).toEqual([null]);
  });

  it('gives an Error for a failing id alone, not for the batch', async () => {
    sim.setFault('GET /datasources/:id', { forceStatus: 500 });
    const out = await adapter.lookups.resource!([dataSources[0].id, 'not-a-uuid'], ctx());
    expect(out[0]).toBeInstanceOf(ProviderHttpError);
    expect((out[0] as ProviderHttpError).status).toBe(500);
    expect(out[1]).toBeNull();
  });
});

describe('norcube adapter: errors', () => {
  it('a garbage body is a typed upstream error', async () => {
    sim.setFault('GET /datasources', { garbageBody: '<html>oops</html>' });
    await expect(adapter.lists.resource!({ after: null, limit: 5, filter: {} }, ctx())).rejects.toBeInstanceOf(ProviderResponseError);
    sim.clearFaults();
    sim.setFault('GET /backups', { garbageBody: '{"list": "nope"}' });
    await expect(adapter.lists.job!({ after: null, limit: 5, filter: {} }, ctx())).rejects.toBeInstanceOf(ProviderResponseError);
  });

  it('a field of the wrong type reads as absent; the rest of the record and of its page still counts', async () => {
    const [good, other] = jobs;
    const odd = { ...other, jobStartedAt: 'x', jobFinishedAt: {}, jobBytesWritten: 'many', jobErrorSummary: 3, datasourceName: 4, policyName: [], destinationRegion: 5, verifiedAt: 7 };
    sim.setFault('GET /backups', { garbageBody: JSON.stringify({ list: [good, odd], cursors: { next: null } }) });
    const page = await adapter.lists.job!({ after: null, limit: 2, filter: {} }, ctx());
    expect(page.items).toHaveLength(2);
    const [first, second] = page.items as Json[];
    expect(first.startedAt).toBe(good.jobStartedAt ? new Date(good.jobStartedAt).toISOString() : null);
    expect(first.nativeId).toBe(`${good.datasourceId}/${good.jobId}`);
    // Names are made of strings only (a number is not a data source name).
    expect(second).toMatchObject({ nativeId: `${other.datasourceId}/${other.jobId}`, name: null, startedAt: null, endedAt: null, bytesTransferred: null, failureReason: null });
    expect(second.createdAt).toBe(new Date(other.jobCreatedAt).toISOString());
  });

  it('a record without what the adapter needs (a job without its data source, a data source without a name) fails its page', async () => {
    sim.setFault('GET /backups', { garbageBody: JSON.stringify({ list: [{ ...jobs[0], datasourceId: 7 }] }) });
    await expect(adapter.lists.job!({ after: null, limit: 5, filter: {} }, ctx())).rejects.toThrow(/backups: malformed item/);
    sim.setFault('GET /backups', { garbageBody: JSON.stringify({ list: [jobs[0]], cursors: { next: 5 } }) });
    await expect(adapter.lists.job!({ after: null, limit: 5, filter: {} }, ctx())).rejects.toThrow(/backups: cursors/);
    sim.clearFaults();
    sim.setFault('GET /datasources', { garbageBody: JSON.stringify({ list: [{ ...dataSources[0], name: '' }] }) });
    await expect(adapter.lists.resource!({ after: null, limit: 5, filter: {} }, ctx())).rejects.toThrow(/datasources: malformed item/);
  });

  it('a wrong token is a ProviderHttpError 401 that never shows the token', async () => {
    const secret = 'wrong-token-s3cr3t';
    const bad = disposeAfterEach(createNorcubeAdapter({ ref, baseUrl: sim.url, secret, upstream: fast }));
    const e = await bad.lists.resource!({ after: null, limit: 5, filter: {} }, ctx()).catch((x) => x);
    expect(e).toBeInstanceOf(ProviderHttpError);
    expect(e).toMatchObject({ status: 401, providerCode: 'UNAUTHORIZED' });
    expect(`${e.message} ${e.providerMessage} ${e.stack}`).not.toContain(secret);
    const health = await bad.health(ctx());
    expect(health.status).toBe('DOWN');
    expect(JSON.stringify(health)).not.toContain(secret);
    const looked = await bad.lookups.resource!([dataSources[0].id], ctx());
    expect(looked[0]).toBeInstanceOf(ProviderHttpError);
    expect(String((looked[0] as Error).message)).not.toContain(secret);
  });

  it.each(['spec', 'legacy'] as const)('reads the %s error body', async (shape) => {
    sim.setErrorShape(shape);
    sim.setFault('GET /backups', { forceStatus: 400 });
    const err = await adapter.lists.job!({ after: null, limit: 5, filter: {} }, ctx()).catch((x) => x);
    expect(err).toBeInstanceOf(ProviderHttpError);
    expect(err.providerCode).toBe(shape === 'spec' ? 'VALIDATION_FAILED' : 'INVALID_INPUT');
    expect(err.providerMessage).toEqual(expect.any(String));
    // A provider-side "malformed cursor" 400 becomes BAD_USER_INPUT in both shapes.
    sim.clearFaults();
    const bad = await adapter.lists.resource!({ after: 'eyJub3QiOiJ2YWxpZCJ9', limit: 5, filter: {} }, ctx()).catch((x) => x);
    expect(bad).toMatchObject({ code: 'BAD_USER_INPUT' });
  });

  it('reports health', async () => {
    expect(await adapter.health(ctx())).toMatchObject({ status: 'UP', message: null });
    sim.setFault('GET /datasources', { forceStatus: 500 });
    // One probe for every adapter: a failed probe is timed too and says only its HTTP status.
    expect(await adapter.health(ctx())).toMatchObject({ status: 'DOWN', latencyMs: expect.any(Number), message: 'HTTP 500' });
  });

  it('declares its capabilities', () => {
    expect(capabilitiesOf(adapter)).toEqual({
      lists: ['organization', 'resource', 'backup', 'job', 'schedule'], progress: 'poll', triggerBackup: true, restoreBackup: true,
      deleteBackup: true, manageAlerts: false, manageSchedules: false, managePolicies: true, verifyBackup: true, downloadBackup: true,
    });
  });
});

describe('norcube adapter: live state (polled progress)', () => {
  /** Polls a snapshot until it is done, returning the distinct statuses seen. */
  async function follow(read: () => Promise<ProgressUpdate | null>): Promise<ProgressUpdate[]> {
    const seen: ProgressUpdate[] = [];
    for (let n = 0; n < 400; n++) {
      const s = await read();
      expect(s).not.toBeNull();
      if (seen.at(-1)?.providerStatus !== s!.providerStatus) seen.push(s!);
      if (s!.done) return seen;
      await new Promise((r) => setTimeout(r, 5));
    }
    throw new Error('never finished');
  }

  it('follows a triggered backup to its end, then lists it first and finds its file', async () => {
    const ds = dataSources.find((d) => d.isActive && d.hasCredentials && (d.totalBackupJobs ?? 0) > 0)!;
    const started = await raw(`/datasources/${ds.id}/backups/run-now`, 'POST', {});
    const id = `${ds.id}/${started.jobId}`;
    const seen = await follow(() => adapter.progress!.snapshot!('backup', id, ctx()));
    expect(seen[0].status).toMatch(/QUEUED|RUNNING/);
    const last = seen.at(-1)!;
    expect(['SUCCEEDED', 'PARTIAL', 'FAILED']).toContain(last.status);
    expect(last.done).toBe(true);
    const first = await adapter.lists.job!({ after: null, limit: 1, filter: {} }, ctx());
    expect(first.items[0].nativeId).toBe(id);
    const [backup] = await adapter.lookups.backup!([id], ctx());
    if (last.status === 'FAILED') expect(backup).toBeNull();
    else expect(backup).toMatchObject({ status: 'AVAILABLE', nativeId: id });
  });

  it('follows a restore by its job id and by its backup id', async () => {
    const ds = dataSources.find((d) => d.engine === 'postgres' && jobs.some((j) => j.datasourceId === d.id && hasFile(j) && !j.jobDeletedAt)
      && !restoresByDs.get(d.id)!.some((r) => r.status === 'queued' || r.status === 'running'))!;
    const file = jobs.find((j) => j.datasourceId === ds.id && hasFile(j) && !j.jobDeletedAt)!;
    const created = await raw('/restores', 'POST', {
      dataSourceId: ds.id, sourceBackupId: file.jobId, mode: 'new_database', targetDatabase: 'adapter_test_restored',
      targetUri: 'postgres://restore@db.example.com:5432/postgres',
    });
    const byBackup = await adapter.progress!.snapshot!('restore', jobId(file), ctx());
    expect(byBackup).not.toBeNull();
    const seen = await follow(() => adapter.progress!.snapshot!('restore', `restore:${created.id}`, ctx()));
    expect(['SUCCEEDED', 'FAILED']).toContain(seen.at(-1)!.status);
    const [job] = await adapter.lookups.job!([`restore:${created.id}`], ctx());
    expect(job).toMatchObject({ operation: 'restore', backupNativeId: jobId(file), resourceNativeId: ds.id });
    expect(JSON.stringify(job)).not.toContain('restore@');
  });
});
