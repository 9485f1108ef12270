/**
 * The Norcube simulator over real HTTP: auth, cursor paging and its 400s, the batch job list,
 * details and 404s, run-now / restores / restore tests progressing on timers, download links,
 * policies and attachments (409 on a duplicate), the cron message, the 501 switch, the audit log's
 * own paging, throttling and faults.
 */
import { beforeAll, describe, expect, it } from 'vitest';
import { disposeAfterAll, disposeAfterEach } from '../utils/leftovers.ts';
import { callOn, NO_RATE_LIMIT, norcubeAll, pollUntil, type CallInit, type Json } from '../utils/tsimulator.ts';
import { startNorcubeSimulator, type NorcubeSimulator } from '../../src/simulators/norcube/index.ts';
import { NORCUBE_DATA_SOURCES_PER_SCALE } from '../../src/simulators/norcube/seed.ts';

let sim: NorcubeSimulator;

const call = (path: string, init: CallInit = {}) => callOn(sim, path, init);

/** Every item of a cursor-paged list, following `cursors.next` to the end. */
const allPages = (path: string, limit = 100, target = sim): Promise<Json[]> =>
  norcubeAll(target, path, {
    limit,
    onPage: (r) => {
      expect(r.status).toBe(200);
      expect(r.body.list.length).toBeLessThanOrEqual(limit);
    },
  });

async function datasourceNamed(name: string): Promise<Json> {
  const r = await call(`/datasources?query=${encodeURIComponent(name)}&limit=100`);
  const ds = r.body.list.find((d: Json) => d.name === name);
  if (!ds) throw new Error(`no data source ${name}`);
  return ds;
}

async function jobsOf(dsId: string): Promise<Json[]> {
  return allPages(`/datasources/${dsId}/backups`);
}

const TERMINAL = ['success', 'partial', 'failed', 'canceled'];
const MISSING_UUID = '00000000-0000-4000-8000-000000000000';

beforeAll(async () => {
  sim = disposeAfterAll(await startNorcubeSimulator({ stepMs: 30, scheduleEveryMs: 0, rateLimit: NO_RATE_LIMIT }));
});

describe('auth', () => {
  it('answers 401 UNAUTHORIZED in the spec error shape without a token', async () => {
    const r = await call('/datasources', { auth: null });
    expect(r.status).toBe(401);
    expect(r.body).toMatchObject({ type: 'UNAUTHORIZED', msg: expect.any(String) });
    expect(typeof r.body.traceId).toBe('string');
  });

  it('answers 401 for a wrong token and never echoes it', async () => {
    const r = await call('/backups', { headers: { authorization: 'Bearer stolen-token-123' } });
    expect(r.status).toBe(401);
    expect(r.body.type).toBe('UNAUTHORIZED');
    expect(JSON.stringify(r.body)).not.toContain('stolen-token-123');
  });

  it('rejects a non-Bearer scheme and accepts the scheme case-insensitively', async () => {
    expect((await call('/datasources', { auth: null, headers: { authorization: `Basic ${sim.credential}` } })).status).toBe(401);
    expect((await call('/datasources', { auth: null, headers: { authorization: `bearer ${sim.credential}` } })).status).toBe(200);
  });

  it('echoes a client X-Request-Id as the error traceId', async () => {
    const r = await call('/datasources', { auth: null, headers: { 'x-request-id': 'trace-norcube-1' } });
    expect(r.body.traceId).toBe('trace-norcube-1');
  });
});

describe('data sources', () => {
  it('pages to the end with each data source exactly once, in the org of the token', async () => {
    const all = await allPages('/datasources', 7);
    expect(all).toHaveLength(NORCUBE_DATA_SOURCES_PER_SCALE);
    expect(new Set(all.map((d) => d.id)).size).toBe(NORCUBE_DATA_SOURCES_PER_SCALE);
    for (const d of all) expect(d.organizationId).toBe(sim.organizationId);
    const engines = new Set(all.map((d) => d.engine));
    const envs = new Set(all.map((d) => d.environment));
    expect([...engines].sort()).toEqual(['mongodb', 'postgres']);
    expect([...envs].sort()).toEqual(['dev', 'prod', 'staging', 'test']);
    expect(all.some((d) => d.isActive === false)).toBe(true);
    expect(all.some((d) => /[^\x00-\x7f]/.test(d.name))).toBe(true);
    // Newest first.
    const created = all.map((d) => Date.parse(d.createdAt));
    expect([...created].sort((a, b) => b - a)).toEqual(created);
  });

  it('uses the default page size of 20 and omits cursors.next on the last page', async () => {
    const first = await call('/datasources');
    expect(first.body.list).toHaveLength(20);
    expect(typeof first.body.cursors.next).toBe('string');
    expect(typeof first.body.meta.timestamp).toBe('string');
    const last = await call(`/datasources?cursor=${encodeURIComponent(first.body.cursors.next)}`);
    expect(last.body.list).toHaveLength(NORCUBE_DATA_SOURCES_PER_SCALE - 20);
    expect(last.body.cursors.next).toBeUndefined();
  });

  it.each([['0'], ['101'], ['-3'], ['ten']])('rejects limit=%s with 400 VALIDATION_FAILED naming the field', async (limit) => {
    const r = await call(`/datasources?limit=${limit}`);
    expect(r.status).toBe(400);
    expect(r.body.type).toBe('VALIDATION_FAILED');
    expect(r.body.fields).toHaveProperty('limit');
  });

  it.each([
    ['not base64 at all!'],
    [Buffer.from('{"hello":1}').toString('base64')],
    [Buffer.from('{"createdAt":"yesterday","id":"x"}').toString('base64')],
  ])('rejects a malformed cursor %#', async (cursor) => {
    const r = await call(`/backups?cursor=${encodeURIComponent(cursor)}`);
    expect(r.status).toBe(400);
    expect(r.body).toMatchObject({ type: 'VALIDATION_FAILED', fields: { cursor: expect.any(String) } });
  });

  it('filters by name with `query`, case-insensitively and with unicode', async () => {
    const r = await call('/datasources?query=ZÜRICH');
    expect(r.body.list.map((d: Json) => d.name)).toEqual(['Zürich-kunden']);
  });

  it('serves the by-id detail with storage totals and 404/400 in the spec shape', async () => {
    const row = await datasourceNamed('orders-db');
    expect(row.restoreCheckTotal).toBeGreaterThan(0);
    const r = await call(`/datasources/${row.id}`);
    expect(r.status).toBe(200);
    expect(r.body).toMatchObject({ id: row.id, name: 'orders-db', engine: 'postgres', restoreTestingEnabled: true });
    expect(r.body.totalStoredBytes).toBeGreaterThan(0);
    expect(r.body).not.toHaveProperty('restoreCheckTotal');
    const missing = await call(`/datasources/${MISSING_UUID}`);
    expect(missing.status).toBe(404);
    expect(missing.body.type).toBe('NOT_FOUND');
    const bad = await call('/datasources/not-a-uuid');
    expect(bad.status).toBe(400);
    expect(bad.body.fields).toHaveProperty('id');
  });

  it('creates, updates and deletes a data source (delete needs the name as confirmation)', async () => {
    const bad = await call('/datasources', { method: 'POST', body: { name: 'x', engine: 'oracle', environment: 'prod', region: 'eu-central-1' } });
    expect(bad.status).toBe(400);
    expect(bad.body.fields).toHaveProperty('engine');
    const created = await call('/datasources', { method: 'POST', body: { name: 'tmp-ds', engine: 'postgres', environment: 'dev', region: 'eu-central-1' } });
    expect(created.status).toBe(201);
    const id = created.body.id;
    expect((await call(`/datasources/${id}`, { method: 'PATCH', body: { name: 'tmp-ds-renamed', isActive: false } })).status).toBe(204);
    expect((await call(`/datasources/${id}`)).body).toMatchObject({ name: 'tmp-ds-renamed', isActive: false, hasCredentials: false });
    expect((await call(`/datasources/${id}`, { method: 'PATCH', body: { environment: 'production' } })).status).toBe(400);
    const wrong = await call(`/datasources/${id}`, { method: 'DELETE', body: { confirmation: 'tmp-ds' } });
    expect(wrong.status).toBe(400);
    const del = await call(`/datasources/${id}`, { method: 'DELETE', body: { confirmation: 'tmp-ds-renamed' } });
    expect(del.status).toBe(200);
    expect(del.body).toEqual({ deletedResourcesCount: 1, enqueuedS3Blobs: 0 });
    expect((await call(`/datasources/${id}`)).status).toBe(404);
  });
});

describe('backup jobs', () => {
  it('lists every job once, newest first, with every status and retention-expired files', async () => {
    const all = await allPages('/backups');
    expect(all.length).toBe(sim.counts().jobs);
    expect(all.length).toBeGreaterThan(700);
    expect(new Set(all.map((j) => j.jobId)).size).toBe(all.length);
    const created = all.map((j) => Date.parse(j.jobCreatedAt));
    for (let i = 1; i < created.length; i++) expect(created[i]).toBeLessThanOrEqual(created[i - 1]);
    expect(new Set(all.map((j) => j.jobStatus))).toEqual(new Set(['queued', 'running', 'success', 'partial', 'failed', 'canceled']));
    expect(new Set(all.map((j) => j.jobTrigger))).toEqual(new Set(['manual', 'schedule']));
    const expired = all.filter((j) => j.jobDeletedAt);
    expect(expired.length).toBeGreaterThan(50);
    for (const j of expired) expect(['age_exceeded', 'keep_last_n_exceeded']).toContain(j.jobExpirationReason);
    expect(new Set(expired.map((j) => j.jobExpirationReason)).size).toBe(2);
    for (const j of all.filter((x) => x.jobStatus === 'failed')) expect(j.jobErrorSummary).toBeTruthy();
    const times = all.map((j) => Date.parse(j.jobCreatedAt));
    expect(Math.max(...times) - Math.min(...times)).toBeGreaterThan(40 * 86_400_000);
  });

  it('filters the batch list by repeated datasourceIDs, newest first across them', async () => {
    const a = await datasourceNamed('orders-db');
    const b = await datasourceNamed('catalog-mongo');
    const batch = await allPages(`/backups?datasourceIDs=${a.id}&datasourceIDs=${b.id}`, 13);
    const expected = [...(await jobsOf(a.id)), ...(await jobsOf(b.id))]
      .sort((x, y) => Date.parse(y.jobCreatedAt) - Date.parse(x.jobCreatedAt) || (x.jobId < y.jobId ? 1 : -1));
    expect(batch.map((j) => j.jobId)).toEqual(expected.map((j) => j.jobId));
    expect(new Set(batch.map((j) => j.datasourceId))).toEqual(new Set([a.id, b.id]));
    const unknown = await call(`/backups?datasourceIDs=${MISSING_UUID}`);
    expect(unknown.body.list).toEqual([]);
    const bad = await call('/backups?datasourceIDs=nope');
    expect(bad.status).toBe(400);
    expect(bad.body.fields).toHaveProperty('datasourceIDs');
  });

  it('answers 404 for the jobs of an unknown data source', async () => {
    const r = await call(`/datasources/${MISSING_UUID}/backups`);
    expect(r.status).toBe(404);
    expect(r.body.type).toBe('NOT_FOUND');
  });

  it('serves backup history points, oldest first, within `days`', async () => {
    const ds = await datasourceNamed('orders-db');
    const r = await call(`/datasources/${ds.id}/backup-history?days=10`);
    expect(r.status).toBe(200);
    expect(r.body.points.length).toBeGreaterThan(3);
    const at = r.body.points.map((p: Json) => Date.parse(p.finishedAt));
    expect([...at].sort((x, y) => x - y)).toEqual(at);
    expect((await call(`/datasources/${ds.id}/backup-history?days=0`)).status).toBe(400);
  });

  describe('download links', () => {
    it('gives a presigned URL for a stored backup on managed storage', async () => {
      const ds = await datasourceNamed('Zürich-kunden');
      const job = (await jobsOf(ds.id)).find((j) => j.jobStatus === 'success' && !j.jobDeletedAt && j.destinationIsManaged);
      const r = await call(`/datasources/${ds.id}/backups/${job.jobId}/download-link`, { method: 'POST' });
      expect(r.status).toBe(200);
      expect(r.body).toMatchObject({ ok: true, url: expect.stringMatching(/^https:\/\/.+X-Amz-Signature=/), sizeBytes: job.jobBytesWritten, contentEncoding: 'gzip' });
      expect(Date.parse(r.body.expiresAt)).toBeGreaterThan(Date.now() - 1);
    });

    it('answers HTTP 200 ok:false with the spec error codes for domain failures', async () => {
      const ds = await datasourceNamed('orders-db');
      const jobs = await jobsOf(ds.id);
      const link = (jobId: string) => call(`/datasources/${ds.id}/backups/${jobId}/download-link`, { method: 'POST' });
      const expired = jobs.find((j) => j.jobDeletedAt);
      const failed = jobs.find((j) => j.jobStatus === 'failed');
      const byo = jobs.find((j) => !j.destinationIsManaged && j.jobStatus === 'success' && !j.jobDeletedAt);
      expect((await link(expired.jobId)).body).toMatchObject({ ok: false, errorCode: 'missing_artifact' });
      expect((await link(failed.jobId)).body).toMatchObject({ ok: false, errorCode: 'not_succeeded' });
      const r = await link(byo.jobId);
      expect(r.status).toBe(200);
      expect(r.body).toMatchObject({ ok: false, errorCode: 'customer_managed_storage' });
      expect(r.body).not.toHaveProperty('url');
      expect((await link(MISSING_UUID)).body).toMatchObject({ ok: false, errorCode: 'not_found' });
      expect((await call(`/datasources/${MISSING_UUID}/backups/${MISSING_UUID}/download-link`, { method: 'POST' })).status).toBe(404);
    });
  });

  it('deletes a backup file once (then 409), after which its link is missing_artifact', async () => {
    const ds = await datasourceNamed('crm-münchen');
    const job = (await jobsOf(ds.id)).find((j) => j.jobStatus === 'success' && !j.jobDeletedAt);
    const path = `/datasources/${ds.id}/backups/${job.jobId}`;
    const del = await call(path, { method: 'DELETE' });
    expect(del.status).toBe(200);
    expect(del.body).toEqual({ enqueuedS3Blobs: 1 });
    const again = await call(path, { method: 'DELETE' });
    expect(again.status).toBe(409);
    expect(again.body.type).toBe('CONFLICT');
    const after = (await jobsOf(ds.id)).find((j) => j.jobId === job.jobId);
    expect(after.jobDeletedAt).toBeTruthy();
    expect((await call(`${path}/download-link`, { method: 'POST' })).body.errorCode).toBe('missing_artifact');
    expect((await call(`/datasources/${ds.id}/backups/${MISSING_UUID}`, { method: 'DELETE' })).status).toBe(404);
  });
});

describe('live state', () => {
  it('run-now queues a manual job that goes queued -> running -> success with a downloadable file', async () => {
    const ds = await datasourceNamed('Zürich-kunden');
    const before = await jobsOf(ds.id);
    const r = await call(`/datasources/${ds.id}/backups/run-now`, { method: 'POST', body: {} });
    expect(r.status).toBe(200);
    expect(r.body).toMatchObject({ jobId: expect.any(String), policyId: expect.any(String), destinationId: expect.any(String) });
    const read = async () => (await call(`/backups?datasourceIDs=${ds.id}&limit=5`)).body.list.find((j: Json) => j.jobId === r.body.jobId);
    const first = await read();
    expect(first).toMatchObject({ jobStatus: 'queued', jobTrigger: 'manual', jobBytesWritten: 0 });
    expect(first.jobStartedAt).toBeUndefined();
    const seen = new Set<string>([first.jobStatus]);
    const done = await pollUntil(read, (j) => {
      seen.add(j.jobStatus);
      return TERMINAL.includes(j.jobStatus);
    });
    // The first live job of a simulator always succeeds (deterministic outcomes).
    expect(done.jobStatus).toBe('success');
    expect(seen.has('running')).toBe(true);
    expect(done.jobBytesWritten).toBeGreaterThan(0);
    expect(Date.parse(done.jobFinishedAt)).toBeGreaterThanOrEqual(Date.parse(done.jobStartedAt));
    expect(done.jobDurationMs).toBe(Date.parse(done.jobFinishedAt) - Date.parse(done.jobStartedAt));
    // Newest first: the live job tops the lists.
    const after = await jobsOf(ds.id);
    expect(after).toHaveLength(before.length + 1);
    expect(after[0].jobId).toBe(r.body.jobId);
    const link = await call(`/datasources/${ds.id}/backups/${r.body.jobId}/download-link`, { method: 'POST' });
    expect(link.body.ok).toBe(true);
    const detail = await call(`/datasources/${ds.id}`);
    expect(detail.body.lastBackupAt).toBe(done.jobFinishedAt);
    const audit = await call(`/audit-log?targetId=${r.body.jobId}&limit=10`);
    expect(audit.body.list.map((e: Json) => e.action)).toEqual(
      expect.arrayContaining(['backup_job.manual_run', 'backup_job.queued', 'backup_job.started', 'backup_job.completed']),
    );
  });

  it('run-now refuses data sources without an enabled policy, inactive ones and unknown ones', async () => {
    const noPolicy = await datasourceNamed('wiki');
    const r = await call(`/datasources/${noPolicy.id}/backups/run-now`, { method: 'POST' });
    expect(r.status).toBe(400);
    expect(r.body.type).toBe('VALIDATION_FAILED');
    const inactive = await datasourceNamed('legacy-erp');
    expect((await call(`/datasources/${inactive.id}/backups/run-now`, { method: 'POST', body: {} })).status).toBe(400);
    expect((await call(`/datasources/${MISSING_UUID}/backups/run-now`, { method: 'POST', body: {} })).status).toBe(404);
    const active = await datasourceNamed('sessions');
    expect((await call(`/datasources/${active.id}/backups/run-now`, { method: 'POST', body: { policyId: MISSING_UUID } })).status).toBe(404);
  });

  it('ends live jobs deterministically: the 4th fails, the 7th is partial, the others succeed', async () => {
    const own = disposeAfterEach(await startNorcubeSimulator({ stepMs: 20, scheduleEveryMs: 0 }));
    const ds = (await callOn(own, '/datasources?query=payments-ledger')).body.list[0];
    const ids: string[] = [];
    for (let i = 0; i < 8; i++) ids.push((await callOn(own, `/datasources/${ds.id}/backups/run-now`, { method: 'POST' })).body.jobId);
    const read = async () => (await callOn(own, `/backups?datasourceIDs=${ds.id}&limit=20`)).body.list.filter((j: Json) => ids.includes(j.jobId));
    const jobs = await pollUntil(read, (xs) => xs.length === 8 && xs.every((j: Json) => TERMINAL.includes(j.jobStatus)));
    const byId = new Map(jobs.map((j: Json) => [j.jobId, j]));
    expect(ids.map((id) => (byId.get(id) as Json).jobStatus)).toEqual(['success', 'success', 'success', 'failed', 'success', 'success', 'partial', 'success']);
    const failed = byId.get(ids[3]) as Json;
    expect(failed.jobErrorSummary).toBeTruthy();
    expect(failed.jobBytesWritten).toBe(0);
  });

  it('the scheduler queues schedule-trigger jobs for enabled attachments on its own', async () => {
    // Live timestamps are never before the simulator's anchor; every seeded job is.
    const own = disposeAfterEach(await startNorcubeSimulator({ stepMs: 20, scheduleEveryMs: 25 }));
    const startedAt = own.anchor.getTime();
    const read = async () => (await callOn(own, '/backups?limit=20')).body.list.filter((j: Json) => Date.parse(j.jobCreatedAt) >= startedAt);
    const fresh = await pollUntil(read, (xs) => xs.length >= 2 && xs.some((j: Json) => TERMINAL.includes(j.jobStatus)));
    expect(fresh.length).toBeGreaterThanOrEqual(2);
    for (const j of fresh) expect(j.jobTrigger).toBe('schedule');
    const dsIds = new Set(fresh.map((j: Json) => j.datasourceId));
    for (const id of dsIds) {
      const atts = (await callOn(own, `/datasources/${id}/policies`)).body;
      expect(atts.some((a: Json) => a.isEnabled)).toBe(true);
    }
  });

  it('runScheduleTick queues one schedule job right away', async () => {
    const id = sim.runScheduleTick();
    expect(id).toBeTruthy();
    const job = (await call('/backups?limit=3')).body.list.find((j: Json) => j.jobId === id);
    expect(job).toMatchObject({ jobTrigger: 'schedule', jobStatus: 'queued' });
    await pollUntil(async () => (await call('/backups?limit=5')).body.list.find((j: Json) => j.jobId === id), (j) => TERMINAL.includes(j.jobStatus));
  });

  it('verify runs a restore test that records its outcome on the backup', async () => {
    const ds = await datasourceNamed('hr-portal');
    const job = (await jobsOf(ds.id)).find((j) => j.jobStatus === 'success' && !j.jobDeletedAt && !j.verifyStatus);
    const r = await call(`/datasources/${ds.id}/backups/${job.jobId}/verify`, { method: 'POST' });
    expect(r.status).toBe(202);
    const restoreId = r.body.restoreJobId;
    const restore = await pollUntil(async () => (await call(`/restores/${restoreId}`)).body, (x) => TERMINAL.includes(x.status));
    expect(restore).toMatchObject({ status: 'success', verifyPassed: true, sourceBackupId: job.jobId, dataSourceId: ds.id, mode: 'new_database' });
    const verified = (await jobsOf(ds.id)).find((j) => j.jobId === job.jobId);
    expect(verified).toMatchObject({ verifyStatus: 'success', verifyPassed: true, verifyRestoreJobId: restoreId, verifyHasLog: true });
    const tests = (await call(`/datasources/${ds.id}/restores?trigger=verification`)).body.list;
    expect(tests.map((x: Json) => x.id)).toContain(restoreId);
    const failed = (await jobsOf(ds.id)).find((j) => j.jobStatus === 'failed');
    if (failed) expect((await call(`/datasources/${ds.id}/backups/${failed.jobId}/verify`, { method: 'POST' })).status).toBe(409);
    const expired = (await jobsOf(ds.id)).find((j) => j.jobDeletedAt);
    expect((await call(`/datasources/${ds.id}/backups/${expired.jobId}/verify`, { method: 'POST' })).status).toBe(409);
  });
});

describe('restores', () => {
  it('creates a restore that progresses to a terminal status and is listed for its data source', async () => {
    const ds = await datasourceNamed('inventory');
    const job = (await jobsOf(ds.id)).find((j) => j.jobStatus === 'success' && !j.jobDeletedAt);
    const r = await call('/restores', {
      method: 'POST',
      body: { dataSourceId: ds.id, sourceBackupId: job.jobId, mode: 'new_database', targetDatabase: 'inventory_restored', targetUri: 'postgres://admin:s3cret@db.example.com:5432/postgres' },
    });
    expect(r.status).toBe(201);
    const first = (await call(`/restores/${r.body.id}`)).body;
    expect(first).toMatchObject({ status: 'queued', dataSourceName: 'inventory', engine: 'postgres', targetDatabase: 'inventory_restored' });
    expect(first.targetConnectionRef).toBe('postgres://…@db.example.com:5432/postgres');
    expect(JSON.stringify(first)).not.toContain('s3cret');
    const busy = await call('/restores', { method: 'POST', body: { dataSourceId: ds.id, sourceBackupId: job.jobId, mode: 'overwrite', confirmOverwrite: true } });
    expect(busy.status).toBe(409);
    const done = await pollUntil(async () => (await call(`/restores/${r.body.id}`)).body, (x) => TERMINAL.includes(x.status));
    expect(done.status).toBe('success');
    expect(done.bytesRestored).toBeGreaterThan(0);
    const listed = await allPages(`/datasources/${ds.id}/restores?trigger=manual`, 2);
    expect(listed[0].id).toBe(r.body.id);
    expect(listed.length).toBeGreaterThanOrEqual(3);
  });

  it('validates restore requests', async () => {
    const ds = await datasourceNamed('inventory');
    const jobs = await jobsOf(ds.id);
    const ok = jobs.find((j) => j.jobStatus === 'success' && !j.jobDeletedAt);
    const failed = jobs.find((j) => j.jobStatus === 'failed');
    const post = (body: unknown) => call('/restores', { method: 'POST', body });
    const overwrite = await post({ dataSourceId: ds.id, sourceBackupId: ok.jobId, mode: 'overwrite' });
    expect(overwrite.status).toBe(400);
    expect(overwrite.body.fields).toHaveProperty('confirmOverwrite');
    expect((await post({ dataSourceId: ds.id, sourceBackupId: ok.jobId, mode: 'sideways' })).body.fields).toHaveProperty('mode');
    expect((await post({ dataSourceId: ds.id, sourceBackupId: failed.jobId, mode: 'overwrite', confirmOverwrite: true })).status).toBe(409);
    expect((await post({ dataSourceId: ds.id, sourceBackupId: MISSING_UUID, mode: 'overwrite', confirmOverwrite: true })).status).toBe(404);
    expect((await call(`/restores/${MISSING_UUID}`)).status).toBe(404);
    expect((await call(`/datasources/${ds.id}/restores?trigger=cron`)).status).toBe(400);
  });

  it('answers 501 on every restore route while switched off, and recovers when switched back', async () => {
    const ds = await datasourceNamed('inventory');
    sim.setRestoresUnsupported(true);
    try {
      for (const [method, path] of [['GET', `/datasources/${ds.id}/restores`], ['GET', `/restores/${MISSING_UUID}`], ['POST', '/restores']] as const) {
        const r = await call(path, { method, body: method === 'POST' ? {} : undefined });
        expect(r.status).toBe(501);
        expect(r.body).toMatchObject({ type: expect.any(String), msg: expect.stringMatching(/not implemented/) });
      }
    } finally {
      sim.setRestoresUnsupported(false);
    }
    expect((await call(`/datasources/${ds.id}/restores`)).status).toBe(200);
  });

  it('starts switched off with `restoresUnsupported`', async () => {
    const own = disposeAfterEach(await startNorcubeSimulator({ restoresUnsupported: true, scheduleEveryMs: 0 }));
    expect((await callOn(own, `/restores/${MISSING_UUID}`)).status).toBe(501);
    expect((await callOn(own, '/backups?limit=1')).status).toBe(200);
  });
});

describe('policies and attachments', () => {
  const cronMessage = 'scheduleCron must be a valid 5-field cron expression';

  it('lists the policy templates', async () => {
    const all = await allPages('/backup-policies', 4);
    expect(all.length).toBe(6);
    for (const p of all) expect(p.organizationId).toBe(sim.organizationId);
    expect(all.some((p) => p.name === 'Tägliche Sicherung – Büro')).toBe(true);
  });

  it('creates a policy and rejects a bad cron with the documented message', async () => {
    const dest = (await call('/storage-destinations?ownership=managed')).body[0];
    const base = { name: 'tmp-policy', destinationId: dest.id, scheduleCron: '0 3 * * *', timezone: 'Europe/Oslo', retentionDays: 7, keepLastN: 7 };
    const bad = await call('/backup-policies', { method: 'POST', body: { ...base, scheduleCron: '0 3 * *' } });
    expect(bad.status).toBe(400);
    expect(bad.body).toMatchObject({ type: 'VALIDATION_FAILED', msg: cronMessage, fields: { scheduleCron: expect.any(String) } });
    const missing = await call('/backup-policies', { method: 'POST', body: { name: 'x' } });
    expect(missing.status).toBe(400);
    expect(Object.keys(missing.body.fields)).toEqual(expect.arrayContaining(['destinationId', 'scheduleCron', 'timezone', 'retentionDays', 'keepLastN']));
    const created = await call('/backup-policies', { method: 'POST', body: base });
    expect(created.status).toBe(201);
    const dup = await call('/backup-policies', { method: 'POST', body: base });
    expect(dup.status).toBe(409);
    expect((await allPages('/backup-policies')).find((p) => p.id === created.body.id)).toMatchObject({ name: 'tmp-policy', method: 'logical_dump', compression: 'gzip' });
  });

  it.each([['61 * * * *'], ['* * * *'], ['@daily'], ['0 0 * * * *'], ['0 25 * * *'], ['*/0 * * * *'], ['0 0 1-40 * *']])(
    'PATCH with scheduleCron %j -> 400 with the cron message', async (cron) => {
      const p = (await call('/backup-policies')).body.list[0];
      const r = await call(`/backup-policies/${p.id}`, { method: 'PATCH', body: { scheduleCron: cron } });
      expect(r.status).toBe(400);
      expect(r.body.msg).toBe(cronMessage);
      expect(r.body.fields).toHaveProperty('scheduleCron');
    },
  );

  it('PATCHes a policy (204), 404 for unknown, 409 for a taken name', async () => {
    const list = (await call('/backup-policies')).body.list;
    const p = list.find((x: Json) => x.name === 'monthly-compliance');
    expect((await call(`/backup-policies/${p.id}`, { method: 'PATCH', body: { scheduleCron: '0 5 1,15 * *', retentionDays: 400 } })).status).toBe(204);
    expect((await call('/backup-policies')).body.list.find((x: Json) => x.id === p.id)).toMatchObject({ scheduleCron: '0 5 1,15 * *', retentionDays: 400 });
    expect((await call(`/backup-policies/${MISSING_UUID}`, { method: 'PATCH', body: { retentionDays: 3 } })).status).toBe(404);
    const taken = await call(`/backup-policies/${p.id}`, { method: 'PATCH', body: { name: 'hourly-pitr' } });
    expect(taken.status).toBe(409);
    expect(taken.body.type).toBe('CONFLICT');
  });

  it('attaches a policy once (duplicate -> 409), toggles and detaches it', async () => {
    const ds = await datasourceNamed('sandbox-ålesund');
    expect((await call(`/datasources/${ds.id}/policies`)).body).toEqual([]);
    const policy = (await call('/backup-policies')).body.list.find((x: Json) => x.name === 'nightly-logical-gzip');
    const attach = await call(`/datasources/${ds.id}/policies`, { method: 'POST', body: { policyId: policy.id, enabled: true } });
    expect(attach.status).toBe(201);
    const dup = await call(`/datasources/${ds.id}/policies`, { method: 'POST', body: { policyId: policy.id, enabled: false } });
    expect(dup.status).toBe(409);
    expect(dup.body.type).toBe('CONFLICT');
    const listed = (await call(`/datasources/${ds.id}/policies`)).body;
    expect(listed).toHaveLength(1);
    expect(listed[0]).toMatchObject({ id: attach.body.id, isEnabled: true, backupPolicy: { id: policy.id }, destination: { isManaged: true } });
    expect(typeof listed[0].nextRunAt).toBe('string');
    expect((await call(`/datasources/${ds.id}`)).body.nextRunAt).toBe(listed[0].nextRunAt);
    expect((await call(`/datasources/${ds.id}/policies/${policy.id}`, { method: 'PATCH', body: { enabled: false } })).status).toBe(204);
    const toggled = (await call(`/datasources/${ds.id}/policies`)).body[0];
    expect(toggled.isEnabled).toBe(false);
    expect(toggled.nextRunAt).toBeUndefined();
    expect((await call(`/datasources/${ds.id}/policies/${policy.id}`, { method: 'DELETE' })).status).toBe(204);
    expect((await call(`/datasources/${ds.id}/policies/${policy.id}`, { method: 'DELETE' })).status).toBe(404);
    expect((await call(`/datasources/${ds.id}/policies`, { method: 'POST', body: { policyId: policy.id } })).body.fields).toHaveProperty('enabled');
    expect((await call(`/datasources/${ds.id}/policies`, { method: 'POST', body: { policyId: MISSING_UUID, enabled: true } })).status).toBe(404);
  });

  it('shows enabled and disabled attachments in the seed', async () => {
    const inventory = await datasourceNamed('inventory');
    const atts = (await call(`/datasources/${inventory.id}/policies`)).body;
    expect(atts.map((a: Json) => a.isEnabled).sort()).toEqual([false, true]);
    expect(atts.find((a: Json) => a.isEnabled).lastSheduledAt).toBeTruthy();
  });
});

describe('audit log', () => {
  it('pages to the end with cursorCreatedAt + cursorId, newest first, each entry once', async () => {
    const seen: Json[] = [];
    let q = 'limit=200';
    for (let page = 0; page < 100; page++) {
      const r = await call(`/audit-log?${q}`);
      expect(r.status).toBe(200);
      seen.push(...r.body.list);
      if (!r.body.nextCursorId) {
        expect(r.body.nextCursorCreatedAt).toBeUndefined();
        break;
      }
      expect(r.body.list).toHaveLength(200);
      q = `limit=200&cursorCreatedAt=${encodeURIComponent(r.body.nextCursorCreatedAt)}&cursorId=${r.body.nextCursorId}`;
    }
    expect(seen.length).toBeGreaterThan(300);
    expect(new Set(seen.map((e) => e.id)).size).toBe(seen.length);
    const t = seen.map((e) => Date.parse(e.createdAt));
    for (let i = 1; i < t.length; i++) expect(t[i]).toBeLessThanOrEqual(t[i - 1]);
    for (const e of seen) expect(e.organizationId).toBe(sim.organizationId);
    expect(seen.some((e) => e.actorType === 'system')).toBe(true);
    expect(seen.some((e) => e.actorType === 'user' && e.actorEmail)).toBe(true);
  });

  it('defaults to 50 entries per page', async () => {
    expect((await call('/audit-log')).body.list).toHaveLength(50);
  });

  it.each([
    ['limit=0'], ['limit=201'], ['cursorCreatedAt=2026-11-01T00:00:00Z'], [`cursorId=${MISSING_UUID}`],
    [`cursorCreatedAt=yesterday&cursorId=${MISSING_UUID}`], ['cursorCreatedAt=2026-11-01T00:00:00Z&cursorId=nope'],
    ['since=last-week'], ['actions=backup_job.exploded'], ['targetTypes=planet'], ['actorIds=someone'],
  ])('rejects %s with 400 VALIDATION_FAILED', async (q) => {
    const r = await call(`/audit-log?${q}`);
    expect(r.status).toBe(400);
    expect(r.body.type).toBe('VALIDATION_FAILED');
  });

  it('filters by actions, targetTypes, actorIds, targetId and time range', async () => {
    const failed = (await call('/audit-log?actions=backup_job.failed&actions=backup_job.reaped_stuck&limit=200')).body.list;
    expect(failed.length).toBeGreaterThan(10);
    expect(new Set(failed.map((e: Json) => e.action))).toEqual(new Set(['backup_job.failed', 'backup_job.reaped_stuck']));
    const policies = (await call('/audit-log?targetTypes=backup_policy&limit=200')).body.list;
    expect(policies.every((e: Json) => e.targetType === 'backup_policy')).toBe(true);
    const actors = (await call('/audit-log/actors')).body;
    expect(actors.length).toBeGreaterThanOrEqual(3);
    expect(actors[0]).toEqual({ id: expect.any(String), name: expect.any(String), email: expect.stringContaining('@') });
    const jana = actors.find((a: Json) => a.name === 'Jana Nováková');
    const byJana = (await call(`/audit-log?actorIds=${jana.id}&limit=200`)).body.list;
    expect(byJana.length).toBeGreaterThan(0);
    expect(byJana.every((e: Json) => e.actorId === jana.id && e.actorName === 'Jana Nováková')).toBe(true);
    const one = byJana[0];
    expect((await call(`/audit-log?targetId=${one.targetId}&limit=200`)).body.list.every((e: Json) => e.targetId === one.targetId)).toBe(true);
    const day = 86_400_000;
    const since = new Date(sim.anchor.getTime() - 10 * day).toISOString();
    const until = new Date(sim.anchor.getTime() - 8 * day).toISOString();
    const window = (await call(`/audit-log?since=${since}&until=${until}&limit=200`)).body.list;
    expect(window.length).toBeGreaterThan(0);
    for (const e of window) {
      expect(Date.parse(e.createdAt)).toBeGreaterThanOrEqual(Date.parse(since));
      expect(Date.parse(e.createdAt)).toBeLessThan(Date.parse(until));
    }
  });
});

describe('cross-cutting', () => {
  it('answers 429 with Retry-After once the rate limit is spent, and no rate-limit headers before', async () => {
    sim.setRateLimit({ limit: 2, windowMs: 60_000 });
    try {
      const ok = await call('/backup-policies');
      expect(ok.status).toBe(200);
      expect([...ok.headers.keys()].filter((k) => k.includes('ratelimit'))).toEqual([]);
      await call('/backup-policies');
      const limited = await call('/backup-policies');
      expect(limited.status).toBe(429);
      expect(Number(limited.headers.get('retry-after'))).toBeGreaterThanOrEqual(1);
      expect(Number(limited.headers.get('retry-after'))).toBeLessThanOrEqual(60);
      expect(limited.body).toMatchObject({ type: expect.any(String), msg: expect.stringMatching(/rate limit/) });
    } finally {
      sim.setRateLimit(NO_RATE_LIMIT);
    }
  });

  it('injects faults in the spec error shape and garbage bodies', async () => {
    sim.setFault('GET /datasources', { forceStatus: 503 });
    try {
      const r = await call('/datasources');
      expect(r.status).toBe(503);
      expect(r.body).toMatchObject({ type: expect.any(String), msg: expect.any(String) });
    } finally {
      sim.setFault('GET /datasources', undefined);
    }
    sim.setFault('GET /backups', { garbageBody: '<html>bad gateway</html>' });
    try {
      const r = await call('/backups');
      expect(r.status).toBe(200);
      expect(r.body).toBe('<html>bad gateway</html>');
    } finally {
      sim.setFault('GET /backups', undefined);
    }
    expect((await call('/datasources')).status).toBe(200);
  });

  it('answers unknown routes 404 NOT_FOUND and bad JSON 400 INVALID_PAYLOAD', async () => {
    const r = await call('/api/v1/datasources');
    expect(r.status).toBe(404);
    expect(r.body.type).toBe('NOT_FOUND');
    const res = await fetch(`${sim.url}/backup-policies`, {
      method: 'POST', headers: { authorization: `Bearer ${sim.credential}`, 'content-type': 'application/json' }, body: '{not json',
    });
    expect(res.status).toBe(400);
    expect((await res.json()).type).toBe('INVALID_PAYLOAD');
  });

  it('can answer the docs\' legacy { code, message } error shape', async () => {
    sim.setErrorShape('legacy');
    try {
      const p = (await call('/backup-policies')).body.list[0];
      const r = await call(`/backup-policies/${p.id}`, { method: 'PATCH', body: { scheduleCron: 'nope' } });
      expect(r.status).toBe(400);
      expect(r.body).toEqual({ code: 'INVALID_INPUT', message: 'scheduleCron must be a valid 5-field cron expression' });
    } finally {
      sim.setErrorShape('spec');
    }
  });

  it('builds the same dataset for the same seed, and scales it', async () => {
    const a = disposeAfterEach(await startNorcubeSimulator({ scheduleEveryMs: 0 }));
    const b = disposeAfterEach(await startNorcubeSimulator({ scheduleEveryMs: 0, anchor: a.anchor }));
    const c = disposeAfterEach(await startNorcubeSimulator({ scheduleEveryMs: 0, scale: 2, dataSeed: 7 }));
    const pa = (await callOn(a, '/backups?limit=100')).body.list;
    const pb = (await callOn(b, '/backups?limit=100')).body.list;
    expect(pa).toEqual(pb);
    expect(a.organizationId).toBe(b.organizationId);
    expect(c.organizationId).not.toBe(a.organizationId);
    expect(c.counts().datasources).toBe(2 * NORCUBE_DATA_SOURCES_PER_SCALE);
    expect(c.counts().jobs).toBeGreaterThan(1400);
  });
});
