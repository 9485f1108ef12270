import { beforeAll, beforeEach, describe, expect, it } from 'vitest';
import { disposeAfterAll, disposeAfterEach } from '../utils/leftovers.ts';
import { collectPages, healthy, withQuery, type Json } from '../utils/tsimulator.ts';
import { createBycloudAdapter } from '../../src/providers/bycloud/index.ts';
import { databaseBackupStatus, toVolumeBackupModel, volumeBackupStatus } from '../../src/providers/bycloud/mapper.ts';
import { startBycloudSimulator, type BycloudSimulator } from '../../src/simulators/bycloud/index.ts';
import { ProviderHttpError, ProviderResponseError } from '../../src/upstream/errors.ts';

let sim: BycloudSimulator;
beforeAll(async () => {
  sim = disposeAfterAll(await startBycloudSimulator({ stepMs: 20 }));
});
beforeEach(() => healthy(sim));

const auth = () => ({ authorization: `Bearer ${sim.credential}` });
const get = (path: string, headers: Record<string, string> = auth()) => fetch(`${sim.url}/v1${path}`, { headers });
const post = (body: unknown) => fetch(`${sim.url}/v1/backups`, { method: 'POST', headers: { ...auth(), 'content-type': 'application/json' }, body: JSON.stringify(body) });
/** Every item of a collection, paging by the last item's id as the marker. */
const all = async (path: string, key: string, limit = 1000): Promise<Json[]> =>
  (await collectPages(async (marker: string | null) => {
    const body: Json = await (await get(withQuery(path, { limit, marker }))).json();
    return { items: body[key] as Json[], next: body.meta.has_more ? (body[key].at(-1).id as string) : null };
  }, { what: path })).items;

describe('ByCloud simulator over HTTP', () => {
  it.each([[{}], [{ authorization: 'Bearer nope' }]])('answers 401 in the { error: { code, message } } shape (%j)', async (headers) => {
    const res = await get('/backups', headers as Record<string, string>);
    expect(res.status).toBe(401);
    expect(await res.json()).toMatchObject({ error: { code: 401, message: expect.any(String) } });
  });

  it('pages by marker with meta (links point at the wrong collection, as in the docs)', async () => {
    const first: any = await (await get('/backups?limit=7')).json();
    expect(first.meta).toMatchObject({ limit: 7, has_more: true, total: sim.volumeBackups.length });
    expect(first.links.next).toContain('/v1/instances');
    const everything = await all('/backups', 'backups', 97);
    expect(everything.length).toBe(sim.volumeBackups.length);
    expect(new Set(everything.map((b) => b.id)).size).toBe(everything.length);
    expect((await all('/database-backups', 'database_backups', 33)).length).toBe(sim.databaseBackups.length);
  });

  it.each([['limit=0'], ['limit=1001'], ['limit=x'], ['marker=not-a-uuid'], ['marker=00000000-0000-4000-8000-000000000000']])('rejects %s with 400', async (q) => {
    const res = await get(`/backups?${q}`);
    expect(res.status).toBe(400);
    expect((await res.json()).error.code).toBe(400);
  });

  it('filters by name (exact and prefix*), case-insensitive status, volume, instance and datastore', async () => {
    const b = sim.volumeBackups[5];
    expect((await all(`/backups?name=${encodeURIComponent(b.name)}`, 'backups')).map((x) => x.id)).toContain(b.id);
    const prefixed = await all('/backups?name=vol-backup-00*', 'backups');
    expect(prefixed.length).toBeGreaterThan(0);
    expect(prefixed.every((x) => x.name.startsWith('vol-backup-00'))).toBe(true);
    const avail = await all('/backups?status=AVAILABLE', 'backups');
    expect(avail.every((x) => x.status.toLowerCase() === 'available')).toBe(true);
    expect(avail.some((x) => x.status === 'Available')).toBe(true); // mixed casing on the wire
    expect((await all(`/backups?volume_id=${b.volume_id}`, 'backups')).every((x) => x.volume_id === b.volume_id)).toBe(true);
    const d = sim.databaseBackups[0];
    const byInst = await all(`/database-backups?instance_id=${d.instance_id}&datastore_type=${d.datastore.type}`, 'database_backups');
    expect(byInst.length).toBeGreaterThan(0);
    expect(byInst.every((x) => x.instance_id === d.instance_id && x.datastore.type === d.datastore.type)).toBe(true);
    expect(sim.databaseBackups.every((x) => x.status === x.status.toUpperCase())).toBe(true);
  });

  it('answers details and 404s', async () => {
    expect((await (await get(`/backups/${sim.volumeBackups[0].id}`)).json()).id).toBe(sim.volumeBackups[0].id);
    expect((await get('/backups/00000000-0000-4000-8000-000000000000')).status).toBe(404);
    expect((await get('/database-backups/00000000-0000-4000-8000-000000000000')).status).toBe(404);
  });

  it('sends X-RateLimit headers (reset as a Unix time) and 429 with Retry-After', async () => {
    const ok = await get('/backups?limit=1');
    expect(Number(ok.headers.get('x-ratelimit-reset'))).toBeGreaterThan(1_700_000_000);
    sim.setRateLimit({ limit: 1, windowMs: 30_000 });
    await get('/backups?limit=1');
    const limited = await get('/backups?limit=1');
    expect(limited.status).toBe(429);
    expect(Number(limited.headers.get('x-ratelimit-reset'))).toBeGreaterThan(Date.now() / 1000);
    expect(Number(limited.headers.get('retry-after'))).toBeGreaterThan(0);
  });

  it('creates a volume backup that goes creating -> available; 409 while one is running; 400/404 on bad volumes', async () => {
    const volume = sim.volumeBackups.find((b) => !sim.volumeBackups.some((x) => x.volume_id === b.volume_id && x.status === 'creating'))!.volume_id;
    const res = await post({ volume_id: volume, name: 'contract' });
    expect(res.status).toBe(202);
    const created: any = await res.json();
    expect(created).toMatchObject({ status: 'creating', volume_id: volume, name: 'contract' });
    expect((await post({ volume_id: volume })).status).toBe(409);
    expect((await post({ volume_id: volume, force: true })).status).toBe(202);
    expect((await post({})).status).toBe(400);
    expect((await post({ volume_id: 'abc' })).status).toBe(400);
    expect((await post({ volume_id: '00000000-0000-4000-8000-000000000000' })).status).toBe(404);
    let status = created.status;
    for (let i = 0; i < 200 && status === 'creating'; i++) {
      await new Promise((r) => setTimeout(r, 10));
      status = (await (await get(`/backups/${created.id}`)).json()).status;
    }
    expect(status).toBe('available');
  });
});

describe('ByCloud adapter', () => {
  const ref = { id: 'bycloud', kind: 'bycloud' as const, name: 'ByCloud' };
  const ctx = () => ({ requestId: 'req-1', memo: new Map<string, Promise<unknown>>() });
  const adapter = () => disposeAfterAll(createBycloudAdapter({ ref, baseUrl: sim.url, secret: sim.credential }));

  it('pages backups across both collections to the end, each once, with exact totals', async () => {
    const a = adapter();
    const seen: string[] = [];
    let after: string | null = null;
    let total: number | null = null;
    do {
      const page = await a.lists.backup!({ after, limit: 250, filter: {} }, ctx());
      if (after === null) total = page.total;
      seen.push(...page.items.map((b) => b.nativeId));
      after = page.next;
    } while (after);
    expect(new Set(seen).size).toBe(seen.length);
    expect(seen.length).toBe(sim.volumeBackups.length + sim.databaseBackups.length);
    expect(total).toBe(seen.length);
  });

  it('pushes a resource filter down to one collection', async () => {
    const d = sim.databaseBackups[0];
    const page = await adapter().lists.backup!({ after: null, limit: 100, filter: { resourceId: `db:${d.instance_id}` } }, ctx());
    expect(page.items.length).toBe(sim.databaseBackups.filter((x) => x.instance_id === d.instance_id).length);
    expect(page.items.every((b) => b.typename === 'ByCloudDatabaseBackup' && b.resourceNativeId === `db:${d.instance_id}`)).toBe(true);
  });

  it('derives volumes and instances, and looks them up', async () => {
    const a = adapter();
    const resources = await a.lists.resource!({ after: null, limit: 1000, filter: {} }, ctx());
    expect(resources.items.filter((r) => r.typename === 'ByCloudVolume').length).toBe(new Set(sim.volumeBackups.map((b) => b.volume_id)).size);
    const vol = resources.items[0];
    const found = await a.lookups.resource!([vol.nativeId, 'vol:00000000-0000-4000-8000-000000000000', 'garbage'], ctx());
    expect((found[0] as any).nativeId).toBe(vol.nativeId);
    expect(found.slice(1)).toEqual([null, null]);
  });

  it('triggers a volume backup and follows it through progress snapshots; a database one is unsupported', async () => {
    const a = adapter();
    const volume = sim.volumeBackups[10].volume_id;
    const op = await a.actions!.triggerBackup!({ resourceNativeId: `vol:${volume}`, force: true }, ctx());
    expect(op.backup?.status).toBe('CREATING');
    let u = await a.progress!.snapshot!('backup', op.progress.nativeId, ctx());
    for (let i = 0; i < 200 && !u?.done; i++) {
      await new Promise((r) => setTimeout(r, 10));
      u = await a.progress!.snapshot!('backup', op.progress.nativeId, ctx());
    }
    expect(u).toMatchObject({ done: true, status: 'SUCCEEDED' });
    await expect(a.actions!.triggerBackup!({ resourceNativeId: `db:${sim.databaseBackups[0].instance_id}` }, ctx())).rejects.toMatchObject({ code: 'UNSUPPORTED_BY_PROVIDER' });
  });

  it('sends a create once even when it fails with 503', async () => {
    sim.resetStats();
    sim.setFault('POST /v1/backups', { forceStatusTimes: 1, errorStatus: 503 });
    await expect(adapter().actions!.triggerBackup!({ resourceNativeId: `vol:${sim.volumeBackups[1].volume_id}`, force: true }, ctx())).rejects.toMatchObject({ status: 503 });
    expect(sim.stats.byRoute['POST /v1/backups']).toBe(1);
  });

  it('types failures and never leaks the token', async () => {
    const bad = disposeAfterEach(createBycloudAdapter({ ref, baseUrl: sim.url, secret: 'tok-leaky-123' }));
    const err = await bad.lists.backup!({ after: null, limit: 5, filter: {} }, ctx()).catch((e) => e);
    expect(err).toBeInstanceOf(ProviderHttpError);
    expect(JSON.stringify({ m: err.message, ...err })).not.toContain('tok-leaky-123');
    sim.setFault('GET /v1/backups', { garbageBody: 'not json' });
    await expect(adapter().lists.backup!({ after: null, limit: 5, filter: {} }, ctx())).rejects.toBeInstanceOf(ProviderResponseError);
    await expect(adapter().lists.backup!({ after: 'x:y', limit: 5, filter: {} }, ctx())).rejects.toMatchObject({ code: 'BAD_USER_INPUT' });
  });

  it.each([
    ['creating', 'CREATING'], ['available', 'AVAILABLE'], ['Available', 'AVAILABLE'], ['deleting', 'DELETING'], ['error', 'FAILED'],
    ['restoring', 'RESTORING'], ['error_restoring', 'AVAILABLE'], ['weird', 'UNKNOWN'],
  ])('maps volume status %s to %s', (raw, status) => expect(volumeBackupStatus.map(raw)).toBe(status));

  it.each([
    ['NEW', 'CREATING'], ['BUILDING', 'CREATING'], ['SAVING', 'CREATING'], ['COMPLETED', 'AVAILABLE'], ['completed', 'AVAILABLE'],
    ['FAILED', 'FAILED'], ['DELETE_FAILED', 'AVAILABLE'], ['ACTIVE', 'UNKNOWN'],
  ])('maps database status %s to %s', (raw, status) => expect(databaseBackupStatus.map(raw)).toBe(status));

  it('converts GiB to bytes and keeps the raw status', () => {
    const m = toVolumeBackupModel(ref, { ...sim.volumeBackups[0], size: 3, status: 'Available' });
    expect(m).toMatchObject({ sizeBytes: 3 * 2 ** 30, sizeGiB: 3, status: 'AVAILABLE', providerStatus: 'Available' });
  });
});
