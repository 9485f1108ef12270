/**
 * Norcube adapter actions against the simulator over real HTTP: every action's upstream effect is
 * checked by a follow-up read through the adapter (a fresh request context, since the memo caches
 * GETs), upstream errors stay typed, and every state-changing call is sent exactly once.
 */
import { beforeAll, beforeEach, describe, expect, it } from 'vitest';
import { disposeAfterAll } from '../utils/leftovers.ts';
import { norcubeAll, okOn, type Json } from '../utils/tsimulator.ts';
import { randomUUID } from 'node:crypto';
import { startNorcubeSimulator } from '../../src/simulators/norcube/index.ts';
import { createNorcubeAdapter } from '../../src/providers/norcube/index.ts';
import { defaultDestinationId, defaultRestoreDatabase, toDownloadLink } from '../../src/providers/norcube/mapper.ts';
import { GatewayError } from '../../src/domain/errors.ts';
import type { BackupModel, JobModel, ScheduleModel } from '../../src/domain/models.ts';
import { ProviderHttpError } from '../../src/upstream/errors.ts';
import type { ProviderActions, ProviderAdapter, RequestContext } from '../../src/providers/contract/index.ts';

type Sim = Awaited<ReturnType<typeof startNorcubeSimulator>>;

const ref = { id: 'norcube', kind: 'norcube' as const, name: 'Norcube' };
const ctx = (): RequestContext => ({ requestId: 't' });
const fast = { retry: { maxRetries: 2, baseDelayMs: 5, maxDelayMs: 20 }, deadlineMs: 5000 };
const TERMINAL = ['SUCCEEDED', 'PARTIAL', 'FAILED', 'CANCELED'];

let sim: Sim;
let adapter: ProviderAdapter;
let act: Required<ProviderActions>;

const raw = (path: string, method = 'GET', body?: unknown): Promise<Json> => okOn(sim, path, { method, body });
const rawAll = (path: string): Promise<Json[]> => norcubeAll(sim, path);

const nid = (j: Json) => `${j.datasourceId}/${j.jobId}`;
const isFile = (j: Json) => ['success', 'partial'].includes(j.jobStatus) && j.jobBytesWritten > 0 && !j.jobDeletedAt;
const jobOf = async (id: string) => (await adapter.lookups.job!([id], ctx()))[0] as JobModel | null | Error;
const backupOf = async (id: string) => (await adapter.lookups.backup!([id], ctx()))[0] as BackupModel | null | Error;
const scheduleOf = async (id: string) => (await adapter.lookups.schedule!([id], ctx()))[0] as ScheduleModel | null | Error;
const routeCount = (key: string) => sim.stats.byRoute[key] ?? 0;

/** Polls a job through the adapter (fresh context each time) until it is terminal; bounded. */
async function untilTerminal(id: string): Promise<JobModel> {
  for (let i = 0; i < 200; i++) {
    const job = await jobOf(id);
    if (job instanceof Error) throw job;
    if (job && TERMINAL.includes(job.status)) return job;
    await new Promise((r) => setTimeout(r, 15));
  }
  throw new Error(`job ${id} did not finish`);
}

/** Expects `p` to reject with a ProviderHttpError of `status`; answers it. */
async function httpError(p: Promise<unknown>, status: number): Promise<ProviderHttpError> {
  const e = await p.then(() => null, (x: unknown) => x);
  expect(e).toBeInstanceOf(ProviderHttpError);
  expect((e as ProviderHttpError).status).toBe(status);
  expect(JSON.stringify({ ...(e as object), message: (e as Error).message })).not.toContain(sim.credential);
  return e as ProviderHttpError;
}

/** Expects `p` to reject with a GatewayError of `code`; answers it. */
async function gatewayError(p: Promise<unknown>, code: string): Promise<GatewayError> {
  const e = await p.then(() => null, (x: unknown) => x);
  expect(e).toBeInstanceOf(GatewayError);
  expect((e as GatewayError).code).toBe(code);
  return e as GatewayError;
}

// Fixtures, read raw from the simulator once.
let dataSources: Json[];
let jobs: Json[];
let policies: Json[];
let destinations: Json[];
/** Attachments per data source at the start. */
let attachments: Map<string, Json[]>;
/** An active data source with credentials and an enabled attachment: run-now works on it. */
let runnable: Json;
let runnablePolicyId: string;
/** A data source and a policy not attached to it. */
let attachDs: Json;
let freePolicy: Json;
/** Backup files on managed storage, one per purpose, of distinct data sources. */
const files: Record<'restore' | 'verify' | 'download' | 'delete' | 'restoreDefault', Json> = {} as never;

beforeAll(async () => {
  sim = disposeAfterAll(await startNorcubeSimulator({ stepMs: 20, scheduleEveryMs: 0 }));
  adapter = disposeAfterAll(createNorcubeAdapter({ ref, baseUrl: sim.url, secret: sim.credential, upstream: fast }));
  act = adapter.actions as Required<ProviderActions>;
  dataSources = await rawAll('/datasources');
  jobs = await rawAll('/backups');
  policies = await rawAll('/backup-policies');
  destinations = (await raw('/storage-destinations')) as unknown as Json[];
  attachments = new Map<string, Json[]>();
  for (const ds of dataSources) attachments.set(ds.id, (await raw(`/datasources/${ds.id}/policies`)) as unknown as Json[]);

  runnable = dataSources.find((d) => d.isActive && d.hasCredentials && attachments.get(d.id)!.some((a) => a.isEnabled))!;
  runnablePolicyId = attachments.get(runnable.id)!.find((a) => a.isEnabled)!.backupPolicy.id;
  attachDs = dataSources.find((d) => d.id !== runnable.id && attachments.get(d.id)!.length < policies.length)!;
  freePolicy = policies.find((p) => !attachments.get(attachDs.id)!.some((a) => a.backupPolicy.id === p.id))!;

  const used = new Set<string>([runnable.id]);
  for (const k of ['restore', 'verify', 'download', 'delete', 'restoreDefault'] as const) {
    const j = jobs.find((x) => isFile(x) && x.destinationIsManaged === true && !used.has(x.datasourceId) && !x.verifyStatus);
    expect(j, `a managed backup file for ${k}`).toBeDefined();
    used.add(j!.datasourceId);
    files[k] = j!;
  }
});
beforeEach(() => {
  sim.clearFaults();
  sim.setRestoresUnsupported(false);
});

describe('norcube actions: backups', () => {
  it('triggers a backup: the new job is readable and reaches a terminal status', async () => {
    const before = routeCount('POST /datasources/:datasourceId/backups/run-now');
    const op = await act.triggerBackup({ resourceNativeId: runnable.id }, ctx());
    expect(routeCount('POST /datasources/:datasourceId/backups/run-now')).toBe(before + 1);
    expect(op.backup).toBeNull();
    expect(op.progress.kind).toBe('job');
    expect(op.progress.nativeId).toMatch(new RegExp(`^${runnable.id}/[0-9a-f-]{36}$`));
    expect(op.job).toMatchObject({ nativeId: op.progress.nativeId, operation: 'backup', resourceNativeId: runnable.id, trigger: 'manual', policyId: runnablePolicyId });
    expect(['QUEUED', 'RUNNING']).toContain(op.job!.status);

    const done = await untilTerminal(op.progress.nativeId);
    expect(done.nativeId).toBe(op.progress.nativeId);
    const backup = await backupOf(op.progress.nativeId);
    if (done.status === 'FAILED') expect(backup).toBeNull();
    else expect(backup).toMatchObject({ nativeId: op.progress.nativeId, status: 'AVAILABLE' });
    // The progress snapshot follows the same id.
    expect(await adapter.progress!.snapshot!('backup', op.progress.nativeId, ctx())).toMatchObject({ done: true, status: done.status });
  });

  it('triggers a backup with an explicit policy', async () => {
    const op = await act.triggerBackup({ resourceNativeId: runnable.id, policyId: runnablePolicyId }, ctx());
    expect(op.job).toMatchObject({ policyId: runnablePolicyId });
    await untilTerminal(op.progress.nativeId);
  });

  it('keeps run-now refusals typed (unknown data source: 404, policy not attached: 404)', async () => {
    await httpError(act.triggerBackup({ resourceNativeId: randomUUID() }, ctx()), 404);
    const e = await httpError(act.triggerBackup({ resourceNativeId: runnable.id, policyId: freePolicyFor(runnable.id) }, ctx()), 404);
    expect(e.providerMessage).toContain('policy attachment not found');
  });

  it('deletes a backup: the file reads EXPIRED afterwards; deleting again is a typed 409', async () => {
    const id = nid(files.delete);
    const now = await act.deleteBackup(id, ctx());
    expect(now).toMatchObject({ nativeId: id, status: 'EXPIRED' });
    expect(await backupOf(id)).toMatchObject({ nativeId: id, status: 'EXPIRED' });
    const again = await httpError(act.deleteBackup(id, ctx()), 409);
    expect(again.providerMessage).toContain('already deleted');
  });

  it('verifies a backup: accepted, and the restore test shows on the backup', async () => {
    const id = nid(files.verify);
    const before = routeCount('POST /datasources/:datasourceId/backups/:jobId/verify');
    const res = await act.verifyBackup(id, ctx());
    expect(routeCount('POST /datasources/:datasourceId/backups/:jobId/verify')).toBe(before + 1);
    expect(res.accepted).toBe(true);
    const restoreJobId = /restore test ([0-9a-f-]{36}) queued/.exec(res.message ?? '')?.[1];
    expect(restoreJobId).toBeDefined();
    const backup = await backupOf(id);
    expect(backup).toMatchObject({ nativeId: id, verification: { restoreJobId } });
  });

  it('creates a download link for a finished backup on managed storage', async () => {
    const link = await act.createDownloadLink(nid(files.download), ctx());
    expect(link.url).toMatch(/^https:\/\//);
    expect(link.url).toContain(files.download.jobId);
    expect(Date.parse(link.expiresAt!)).toBeGreaterThan(Date.now());
  });

  it('turns an HTTP-200 ok:false download answer into an error, never a link', async () => {
    // not_found -> NOT_FOUND
    const missing = await gatewayError(act.createDownloadLink(`${files.download.datasourceId}/${randomUUID()}`, ctx()), 'NOT_FOUND');
    expect(missing.message).toBe('provider "norcube" refused the download link: not_found');
    expect(missing.extensions).toMatchObject({ provider: 'norcube', requestId: 't' });
    // a deleted file (missing_artifact) and a failed job (not_succeeded) -> UPSTREAM_ERROR
    const deleted = await gatewayError(act.createDownloadLink(nid(files.delete), ctx()), 'UPSTREAM_ERROR');
    expect(deleted.message).toBe('provider "norcube" refused the download link: missing_artifact');
    const failed = jobs.find((j) => j.jobStatus === 'failed')!;
    const notDone = await gatewayError(act.createDownloadLink(nid(failed), ctx()), 'UPSTREAM_ERROR');
    expect(notDone.message).toBe('provider "norcube" refused the download link: not_succeeded');
    const byo = jobs.find((j) => isFile(j) && j.destinationIsManaged === false);
    expect(byo, 'a backup file on customer-managed storage').toBeDefined();
    const e = await gatewayError(act.createDownloadLink(nid(byo!), ctx()), 'UPSTREAM_ERROR');
    expect(e.message).toBe('provider "norcube" refused the download link: customer_managed_storage');
  });

  it('answers BAD_USER_INPUT for ids that name no Norcube backup, before any upstream call', async () => {
    const total = sim.stats.total;
    for (const call of [
      () => act.verifyBackup('not-a-backup', ctx()),
      () => act.createDownloadLink('x/y', ctx()),
      () => act.deleteBackup('nope', ctx()),
      () => act.restoreBackup({ backupNativeId: 'nope', targetType: 'same' }, ctx()),
    ]) await gatewayError(call(), 'BAD_USER_INPUT');
    expect(sim.stats.total).toBe(total);
  });
});

/** A policy of the org not attached to `dataSourceId` (at the start). */
function freePolicyFor(dataSourceId: string): string {
  return policies.find((p) => !attachments.get(dataSourceId)!.some((a) => a.backupPolicy.id === p.id))!.id;
}

describe('norcube actions: restores', () => {
  it('restores a backup (overwrite): the restore job is readable and reaches a terminal status', async () => {
    const backupId = nid(files.restore);
    const before = routeCount('POST /restores');
    const op = await act.restoreBackup({ backupNativeId: backupId, targetType: 'same', mode: 'overwrite', confirmOverwrite: true }, ctx());
    expect(routeCount('POST /restores')).toBe(before + 1);
    expect(op.progress.kind).toBe('job');
    expect(op.progress.nativeId).toMatch(/^restore:[0-9a-f-]{36}$/);
    expect(op.job).toMatchObject({
      nativeId: op.progress.nativeId, operation: 'restore', backupNativeId: backupId, resourceNativeId: files.restore.datasourceId,
      restore: { mode: 'overwrite', sourceJobId: files.restore.jobId },
    });
    expect(op.backup).toMatchObject({ nativeId: backupId, status: 'AVAILABLE' });
    const done = await untilTerminal(op.progress.nativeId);
    expect(['SUCCEEDED', 'FAILED']).toContain(done.status);
    // The restore also shows in the data source's job list.
    const page = await adapter.lists.job!({ after: null, limit: 100, filter: { resourceId: files.restore.datasourceId } }, ctx());
    expect(page.items.map((j) => j.nativeId)).toContain(op.progress.nativeId);
  });

  it('sends the default mode (new_database) with a default target database; the provider\'s refusal stays a typed 400', async () => {
    // The gateway has no target URI to send, and the service needs one for new_database: its 400 names
    // targetUri only, so the defaulted targetDatabase was accepted.
    const e = await httpError(act.restoreBackup({ backupNativeId: nid(files.restoreDefault), targetType: 'same' }, ctx()), 400);
    expect(e.providerMessage).toContain('targetUri');
    expect(e.providerMessage).not.toContain('targetDatabase');
  });

  it('answers UNSUPPORTED_BY_PROVIDER when the deployment has no restores (501)', async () => {
    sim.setRestoresUnsupported(true);
    const before = routeCount('POST /restores');
    const e = await gatewayError(
      act.restoreBackup({ backupNativeId: nid(files.restoreDefault), targetType: 'same', mode: 'overwrite', confirmOverwrite: true }, ctx()),
      'UNSUPPORTED_BY_PROVIDER',
    );
    expect(e.message).toBe('restore is not supported by provider "norcube"');
    expect(e.extensions).toMatchObject({ provider: 'norcube' });
    expect(routeCount('POST /restores')).toBe(before + 1);
  });

  it('refuses point-in-time restores without calling upstream', async () => {
    const total = sim.stats.total;
    await gatewayError(act.restoreBackup({ backupNativeId: nid(files.restoreDefault), targetType: 'same', pointInTime: new Date().toISOString() }, ctx()), 'UNSUPPORTED_BY_PROVIDER');
    expect(sim.stats.total).toBe(total);
  });
});

describe('norcube actions: policy attachments', () => {
  it('attaches a policy: the schedule is listed; a duplicate attach stays a typed 409', async () => {
    const before = routeCount('POST /datasources/:datasourceId/policies');
    const schedule = await act.attachPolicy(attachDs.id, freePolicy.id, true, ctx());
    expect(routeCount('POST /datasources/:datasourceId/policies')).toBe(before + 1);
    expect(schedule).toMatchObject({ nativeId: `${attachDs.id}/${freePolicy.id}`, enabled: true, policyId: freePolicy.id, resourceNativeId: attachDs.id });
    const page = await adapter.lists.schedule!({ after: null, limit: 100, filter: { resourceId: attachDs.id } }, ctx());
    expect(page.items.map((s) => s.nativeId)).toContain(schedule.nativeId);

    const dup = await httpError(act.attachPolicy(attachDs.id, freePolicy.id, true, ctx()), 409);
    expect(dup.providerCode).toBe('CONFLICT');
    expect(dup.providerMessage).toBe('this backup policy is already attached to this datasource');
  });

  it('disables and enables an attachment: schedule.enabled flips', async () => {
    const id = `${attachDs.id}/${freePolicy.id}`;
    const off = await act.setPolicyEnabled(attachDs.id, freePolicy.id, false, ctx());
    expect(off).toMatchObject({ nativeId: id, enabled: false });
    expect(await scheduleOf(id)).toMatchObject({ enabled: false });
    const on = await act.setPolicyEnabled(attachDs.id, freePolicy.id, true, ctx());
    expect(on).toMatchObject({ nativeId: id, enabled: true });
    expect(await scheduleOf(id)).toMatchObject({ enabled: true });
  });

  it('detaches a policy: the schedule is gone; detaching again is a typed 404', async () => {
    const id = `${attachDs.id}/${freePolicy.id}`;
    await act.detachPolicy(attachDs.id, freePolicy.id, ctx());
    expect(await scheduleOf(id)).toBeNull();
    const page = await adapter.lists.schedule!({ after: null, limit: 100, filter: { resourceId: attachDs.id } }, ctx());
    expect(page.items.map((s) => s.nativeId)).not.toContain(id);
    await httpError(act.detachPolicy(attachDs.id, freePolicy.id, ctx()), 404);
    await httpError(act.setPolicyEnabled(attachDs.id, freePolicy.id, true, ctx()), 404);
  });

  it('reads fresh data within the same request after a change', async () => {
    const c = ctx();
    const id = `${attachDs.id}/${freePolicy.id}`;
    expect((await adapter.lookups.schedule!([id], c))[0]).toBeNull(); // memoized: not attached
    await act.attachPolicy(attachDs.id, freePolicy.id, false, c);
    expect((await adapter.lookups.schedule!([id], c))[0]).toMatchObject({ enabled: false });
    await act.detachPolicy(attachDs.id, freePolicy.id, c);
    expect((await adapter.lookups.schedule!([id], c))[0]).toBeNull();
  });
});

describe('norcube actions: policies', () => {
  let created: string;
  const name = `gateway-test-${randomUUID().slice(0, 8)}`;

  it('creates a policy with defaults for the spec\'s required fields; it reads back through a schedule', async () => {
    const before = routeCount('POST /backup-policies');
    const policy = await act.createPolicy({ name, scheduleCron: '15 3 * * *' }, ctx());
    expect(routeCount('POST /backup-policies')).toBe(before + 1);
    expect(policy).toMatchObject({ provider: ref, name, scheduleCron: '15 3 * * *', timezone: 'UTC', retentionDays: 30, keepLastN: 7 });
    expect(policy.nativeId).toMatch(/^[0-9a-f-]{36}$/);
    created = policy.nativeId;
    const managed = destinations.find((d) => d.isManaged && d.isActive !== false)!;
    expect(policy.destinationId).toBe(managed.id);

    // Read back through the adapter: attach it (disabled) and read the schedule.
    await act.attachPolicy(attachDs.id, created, false, ctx());
    expect(await scheduleOf(`${attachDs.id}/${created}`)).toMatchObject({
      name, crons: ['15 3 * * *'], timezone: 'UTC', retentionDays: 30, keepLastN: 7, enabled: false, destination: { id: managed.id },
    });
  });

  it('creates a policy with every field given', async () => {
    const byo = destinations.find((d) => !d.isManaged) ?? destinations[0];
    const policy = await act.createPolicy(
      { name: `${name}-full`, scheduleCron: '0 */6 * * *', timezone: 'Europe/Berlin', retentionDays: 14, keepLastN: 3, destinationId: byo.id }, ctx(),
    );
    expect(policy).toMatchObject({ name: `${name}-full`, scheduleCron: '0 */6 * * *', timezone: 'Europe/Berlin', retentionDays: 14, keepLastN: 3, destinationId: byo.id });
  });

  it('updates a policy and reads it back', async () => {
    const before = routeCount('PATCH /backup-policies/:id');
    const policy = await act.updatePolicy(created, { scheduleCron: '30 4 * * 1', retentionDays: 90, timezone: 'America/New_York' }, ctx());
    expect(routeCount('PATCH /backup-policies/:id')).toBe(before + 1);
    expect(policy).toMatchObject({ nativeId: created, name, scheduleCron: '30 4 * * 1', retentionDays: 90, timezone: 'America/New_York', keepLastN: 7 });
    expect(await scheduleOf(`${attachDs.id}/${created}`)).toMatchObject({ crons: ['30 4 * * 1'], retentionDays: 90, timezone: 'America/New_York' });
    await act.detachPolicy(attachDs.id, created, ctx());
  });

  it('keeps the provider\'s 400 for a bad cron, with its message', async () => {
    const e = await httpError(act.createPolicy({ name: `${name}-bad`, scheduleCron: 'every day' }, ctx()), 400);
    expect(e.providerCode).toBe('VALIDATION_FAILED');
    expect(e.providerMessage).toContain('scheduleCron must be a valid 5-field cron expression');
    const u = await httpError(act.updatePolicy(created, { scheduleCron: '61 * * * *' }, ctx()), 400);
    expect(u.providerMessage).toContain('scheduleCron must be a valid 5-field cron expression');
  });

  it('keeps the provider\'s 409 for a duplicate name and 404 for an unknown policy', async () => {
    const dup = await httpError(act.createPolicy({ name, scheduleCron: '0 1 * * *' }, ctx()), 409);
    expect(dup.providerMessage).toContain('already exists');
    await httpError(act.updatePolicy(randomUUID(), { name: 'x' }, ctx()), 404);
  });
});

describe('norcube actions: never retried', () => {
  const cases: Array<[string, () => Promise<unknown>]> = [
    ['POST /datasources/:datasourceId/backups/run-now', () => act.triggerBackup({ resourceNativeId: runnable.id }, ctx())],
    ['POST /restores', () => act.restoreBackup({ backupNativeId: nid(files.restoreDefault), targetType: 'same', mode: 'overwrite', confirmOverwrite: true }, ctx())],
    ['POST /datasources/:datasourceId/policies', () => act.attachPolicy(attachDs.id, freePolicy.id, true, ctx())],
    ['PATCH /datasources/:datasourceId/policies/:policyId', () => act.setPolicyEnabled(runnable.id, runnablePolicyId, true, ctx())],
    ['DELETE /datasources/:datasourceId/policies/:policyId', () => act.detachPolicy(runnable.id, runnablePolicyId, ctx())],
    ['POST /backup-policies', () => act.createPolicy({ name: `never-${randomUUID().slice(0, 8)}`, scheduleCron: '0 2 * * *' }, ctx())],
    ['PATCH /backup-policies/:id', () => act.updatePolicy(runnablePolicyId, { keepLastN: 5 }, ctx())],
    ['DELETE /datasources/:datasourceId/backups/:jobId', () => act.deleteBackup(nid(files.download), ctx())],
    ['POST /datasources/:datasourceId/backups/:jobId/verify', () => act.verifyBackup(nid(files.download), ctx())],
    ['POST /datasources/:datasourceId/backups/:jobId/download-link', () => act.createDownloadLink(nid(files.download), ctx())],
  ];
  for (const [route, call] of cases) {
    it(`sends ${route} once when the provider answers 503`, async () => {
      const jobsBefore = sim.counts();
      sim.setFault(route, { forceStatusTimes: 1, errorStatus: 503 });
      const before = routeCount(route);
      await httpError(call(), 503);
      expect(routeCount(route)).toBe(before + 1);
      // Nothing was created upstream.
      const after = sim.counts();
      expect({ jobs: after.jobs, restores: after.restores, policies: after.policies, attachments: after.attachments })
        .toEqual({ jobs: jobsBefore.jobs, restores: jobsBefore.restores, policies: jobsBefore.policies, attachments: jobsBefore.attachments });
    });
  }
});

describe('norcube actions: request defaults', () => {
  it('names the default restore database as a plain identifier the service accepts', () => {
    const job = 'bc70e90d-a49f-4333-9f33-54a27d18869e';
    expect(defaultRestoreDatabase('orders-prod', job)).toBe('orders_prod_restore_bc70e90d');
    expect(defaultRestoreDatabase('42 Metrics DB', job)).toBe('db_42_metrics_db_restore_bc70e90d');
    expect(defaultRestoreDatabase(null, job)).toBe('db_restore_bc70e90d');
    const long = defaultRestoreDatabase('x'.repeat(200), job);
    expect(long.length).toBeLessThanOrEqual(63);
    for (const n of ['orders-prod', '42 Metrics DB', '___', 'ünïcode', 'x'.repeat(200)]) {
      expect(defaultRestoreDatabase(n, job)).toMatch(/^[A-Za-z_][A-Za-z0-9_]{0,62}$/);
    }
  });

  it('picks the first active managed destination, else the first active one', () => {
    expect(defaultDestinationId([{ id: 'a', isManaged: false }, { id: 'b', isManaged: true, isActive: false }, { id: 'c', isManaged: true }])).toBe('c');
    expect(defaultDestinationId([{ id: 'a', isActive: false }, { id: 'b', isManaged: false }])).toBe('b');
    expect(defaultDestinationId([])).toBeNull();
  });

  it('reads a download answer: a link only when ok with a url, else the refusal code (sanitized)', () => {
    expect(toDownloadLink({ ok: true, url: 'https://x/y', expiresAt: '2026-05-20T00:42:00Z' })).toEqual({ url: 'https://x/y', expiresAt: '2026-05-20T00:42:00.000Z' });
    expect(toDownloadLink({ ok: false, errorCode: 'presign_failed', errorMessage: 'boom' })).toEqual({ refused: 'presign_failed' });
    expect(toDownloadLink({ ok: true })).toEqual({ refused: 'unknown' });
    expect(toDownloadLink({ ok: false, errorCode: 'Bearer abc def' })).toEqual({ refused: 'unknown' });
  });
});
