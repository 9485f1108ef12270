import { beforeAll, beforeEach, describe, expect, it } from 'vitest';
import { disposeAfterAll, disposeAfterEach } from '../utils/leftovers.ts';
import { collectPages, healthy, pollUntil, withQuery, type Json } from '../utils/tsimulator.ts';
import { startBycloudSimulator, type BycloudSimulator } from '../../src/simulators/bycloud/index.ts';

let sim: BycloudSimulator;
beforeAll(async () => {
  sim = disposeAfterAll(await startBycloudSimulator({ stepMs: 30 }));
});
beforeEach(() => healthy(sim));

const UNKNOWN_UUID = '00000000-0000-4000-8000-000000000000';
const auth = () => ({ authorization: `Bearer ${sim.credential}` });
const get = (path: string, headers: Record<string, string> = auth()) => fetch(`${sim.url}/v1${path}`, { headers });
const getJson = async (path: string): Promise<Json> => (await get(path)).json();
const post = (body: unknown, headers: Record<string, string> = auth()) =>
  fetch(`${sim.url}/v1/backups`, { method: 'POST', headers: { ...headers, 'content-type': 'application/json' }, body: JSON.stringify(body) });

/** Every item of a collection, paging by marker with `meta`. */
const all = async (path: string, key: string, limit = 1000): Promise<Json[]> =>
  (await collectPages(async (marker: string | null) => {
    const body = await getJson(withQuery(path, { limit, marker }));
    return { items: body[key] as Json[], next: body.meta.has_more ? (body.meta.marker as string) : null };
  }, { what: path })).items;

/** Polls a volume backup until its status leaves `from`, bounded. */
const waitStatusChange = (id: string, from: string): Promise<string> =>
  pollUntil(async () => (await getJson(`/backups/${id}`)).status as string, (status) => status !== from, { tries: 300, everyMs: 10 });

describe('ByCloud simulator: auth and errors', () => {
  it.each([
    ['no header', {}], ['wrong token', { authorization: 'Bearer nope' }], ['wrong scheme', { authorization: 'Basic Ynljbg==' }],
  ])('401 in the { error: { code, message, request_id } } shape (%s)', async (_label, headers) => {
    for (const path of ['/backups', '/database-backups', `/backups/${UNKNOWN_UUID}`]) {
      const res = await get(path, headers as Record<string, string>);
      expect(res.status).toBe(401);
      expect(await res.json()).toMatchObject({ error: { code: 401, message: expect.any(String), request_id: expect.any(String) } });
    }
    expect((await post({ volume_id: sim.volumeBackups[0].volume_id }, headers as Record<string, string>)).status).toBe(401);
  });

  it('answers 404 for unknown backups in its shape', async () => {
    for (const path of [`/backups/${UNKNOWN_UUID}`, `/database-backups/${UNKNOWN_UUID}`, `/backups/${sim.databaseBackups[0].id}`]) {
      const res = await get(path);
      expect(res.status).toBe(404);
      expect((await res.json()).error).toMatchObject({ code: 404, message: expect.any(String) });
    }
  });

  it('injected faults answer in its shape, garbage bodies as they are', async () => {
    sim.setFault('GET /v1/backups', { forceStatus: 503 });
    const res = await get('/backups');
    expect(res.status).toBe(503);
    expect((await res.json()).error.code).toBe(503);
    expect((await get('/database-backups')).status).toBe(200);
    sim.setFault('GET /v1/backups', { garbageBody: '<html>oops' });
    const garbage = await get('/backups');
    expect(garbage.status).toBe(200);
    expect(await garbage.text()).toBe('<html>oops');
  });
});

describe('ByCloud simulator: paging', () => {
  it('defaults to 20 items, reports meta, and links point at /v1/instances as in the docs', async () => {
    const body = await getJson('/backups');
    expect(body.backups).toHaveLength(20);
    expect(body.meta).toEqual({ total: sim.volumeBackups.length, limit: 20, marker: body.backups[19].id, has_more: true });
    expect(body.links.self).toContain('/v1/instances');
    expect(body.links.next).toContain('/v1/instances');
    expect(body.links.next).toContain(`marker=${body.backups[19].id}`);
  });

  it.each([['backups', 'backups'], ['database-backups', 'database_backups']])('pages /v1/%s to the end, each item once, stable order', async (path, key) => {
    const items = await all(`/${path}`, key, 37);
    const expected = path === 'backups' ? sim.volumeBackups : sim.databaseBackups;
    expect(items.map((x) => x.id)).toEqual(expected.map((x) => x.id));
    expect(new Set(items.map((x) => x.id)).size).toBe(items.length);
    for (let i = 1; i < items.length; i++) {
      const [a, b] = [items[i - 1], items[i]];
      expect(a.created_at > b.created_at || (a.created_at === b.created_at && a.id < b.id)).toBe(true);
    }
  });

  it('the last page has has_more false and no next link', async () => {
    const total = sim.databaseBackups.length;
    const first = await getJson(`/database-backups?limit=${total - 1}`);
    const last = await getJson(`/database-backups?limit=${total}&marker=${first.meta.marker}`);
    expect(last.database_backups).toHaveLength(1);
    expect(last.meta).toMatchObject({ has_more: false, total });
    expect(last.links.next).toBeUndefined();
  });

  it.each([['limit=0'], ['limit=1001'], ['limit=abc'], ['limit=-3'], ['marker=not-a-uuid'], [`marker=${UNKNOWN_UUID}`]])('%s -> 400', async (q) => {
    for (const path of ['/backups', '/database-backups']) {
      const res = await get(`${path}?${q}`);
      expect(res.status).toBe(400);
      expect((await res.json()).error).toMatchObject({ code: 400, message: expect.any(String) });
    }
  });

  it('accepts limit 1 and 1000', async () => {
    expect((await getJson('/backups?limit=1')).backups).toHaveLength(1);
    expect((await getJson('/backups?limit=1000')).backups).toHaveLength(Math.min(1000, sim.volumeBackups.length));
  });

  it('ignores unknown query parameters', async () => {
    expect((await get('/backups?colour=blue')).status).toBe(200);
  });
});

describe('ByCloud simulator: filters', () => {
  it('name: exact, or prefix with a trailing *', async () => {
    const b = sim.volumeBackups.find((x) => /é/.test(x.name))!;
    expect(b).toBeDefined();
    expect((await all(`/backups?name=${encodeURIComponent(b.name)}`, 'backups')).map((x) => x.id)).toEqual([b.id]);
    const prefixed = await all('/backups?name=vol-backup-01*', 'backups');
    expect(prefixed.length).toBe(sim.volumeBackups.filter((x) => x.name.startsWith('vol-backup-01')).length);
    expect(prefixed.length).toBeGreaterThan(0);
    expect((await getJson('/backups?name=vol-backup-01')).backups).toEqual([]);
  });

  it('status is case-insensitive, and meta.total counts the filtered set', async () => {
    const lower = await getJson('/backups?status=available&limit=1000');
    const upper = await getJson('/backups?status=AVAILABLE&limit=1000');
    expect(upper.meta.total).toBe(lower.meta.total);
    expect(lower.meta.total).toBe(sim.volumeBackups.filter((x) => x.status.toLowerCase() === 'available').length);
    expect(lower.backups.some((x: any) => x.status === 'Available')).toBe(true);
    const db = await all('/database-backups?status=failed', 'database_backups');
    expect(db.length).toBeGreaterThan(0);
    expect(db.every((x) => x.status === 'FAILED')).toBe(true);
  });

  it('volume_id, instance_id and datastore_type', async () => {
    const v = sim.volumeBackups[3];
    const byVolume = await all(`/backups?volume_id=${v.volume_id}`, 'backups');
    expect(byVolume.length).toBe(sim.volumeBackups.filter((x) => x.volume_id === v.volume_id).length);
    expect(byVolume.every((x) => x.volume_id === v.volume_id)).toBe(true);
    const d = sim.databaseBackups[0];
    const byInstance = await all(`/database-backups?instance_id=${d.instance_id}`, 'database_backups');
    expect(byInstance.length).toBeGreaterThan(1);
    expect(byInstance.every((x) => x.instance_id === d.instance_id)).toBe(true);
    const byType = await all('/database-backups?datastore_type=mysql', 'database_backups');
    expect(byType.length).toBeGreaterThan(0);
    expect(byType.every((x) => x.datastore.type === 'mysql')).toBe(true);
    expect((await getJson(`/database-backups?instance_id=${d.instance_id}&datastore_type=nosuchdb`)).database_backups).toEqual([]);
  });
});

describe('ByCloud simulator: dataset', () => {
  it('looks real: ~40 volumes, ~15 instances, mixed statuses and casing, GiB sizes, metadata, unicode', () => {
    const { volumeBackups: vb, databaseBackups: db } = sim;
    expect(vb.length).toBeGreaterThanOrEqual(400);
    expect(db.length).toBeGreaterThanOrEqual(150);
    // 40 random volumes and the 4 known ones (one per protection status); every backup names its volume.
    expect(new Set(vb.map((x) => x.volume_id)).size).toBe(40 + 4);
    expect(vb.every((x) => typeof x.metadata.volume_name === 'string' && x.metadata.volume_name !== '')).toBe(true);
    expect(new Set(db.map((x) => x.instance_id)).size).toBe(15);
    const vs = new Set(vb.map((x) => x.status));
    for (const s of ['available', 'Available', 'error', 'error_restoring', 'deleting', 'restoring']) expect(vs).toContain(s);
    const ds = new Set(db.map((x) => x.status));
    for (const s of ['COMPLETED', 'FAILED', 'DELETE_FAILED', 'NEW', 'BUILDING', 'SAVING']) expect(ds).toContain(s);
    expect(vb.every((x) => typeof x.size === 'number' && typeof x.metadata === 'object')).toBe(true);
    expect(vb.some((x) => /[^\x00-\x7f]/.test(x.name))).toBe(true);
    const oldest = Math.min(...vb.map((x) => Date.parse(x.created_at)));
    expect(sim.anchor.getTime() - oldest).toBeLessThanOrEqual(60 * 86_400_000);
  });

  it('is deterministic and scales', async () => {
    const again = disposeAfterEach(await startBycloudSimulator({ scale: 2 }));
    const knownOf = (t: BycloudSimulator) => new Set([t.known.protectedVolumeId, t.known.atRiskVolumeId, t.known.unprotectedVolumeId, t.known.missedRunVolumeId]);
    expect(again.volumeBackups.filter((b) => !knownOf(again).has(b.volume_id)).length).toBe(2 * 400);
    expect(again.databaseBackups.length).toBe(2 * 150);
    // Same seed and anchor, same data: seeded records predate the anchor, POSTed ones come after it.
    const same = disposeAfterEach(await startBycloudSimulator({ anchor: sim.anchor }));
    const anchor = sim.anchor.toISOString();
    const seeded = (xs: Array<{ id: string; status: string; created_at: string }>) =>
      xs.filter((x) => x.created_at <= anchor).map((x) => `${x.id}|${x.status}|${x.created_at}`);
    expect(seeded(same.volumeBackups)).toEqual(seeded(sim.volumeBackups));
    expect(seeded(same.databaseBackups)).toEqual(seeded(sim.databaseBackups));
  });
});

describe('ByCloud simulator: rate limits', () => {
  it('sends X-RateLimit-* on responses (reset is a Unix time) and 429 with Retry-After in its shape', async () => {
    sim.setRateLimit({ limit: 2, windowMs: 60_000 });
    const ok = await get('/backups?limit=1');
    expect(ok.headers.get('x-ratelimit-limit')).toBe('2');
    expect(ok.headers.get('x-ratelimit-remaining')).toBe('1');
    const reset = Number(ok.headers.get('x-ratelimit-reset'));
    expect(reset).toBeGreaterThan(Date.now() / 1000 - 1);
    expect(reset).toBeLessThan(Date.now() / 1000 + 120);
    await get('/backups?limit=1');
    const limited = await get('/backups?limit=1');
    expect(limited.status).toBe(429);
    expect(await limited.json()).toMatchObject({ error: { code: 429, message: expect.any(String) } });
    expect(limited.headers.get('x-ratelimit-remaining')).toBe('0');
    const retryAfter = Number(limited.headers.get('retry-after'));
    expect(retryAfter).toBeGreaterThan(0);
    expect(retryAfter).toBeLessThanOrEqual(60);
  });
});

describe('ByCloud simulator: POST /v1/backups', () => {
  const idleVolume = () => {
    const busy = new Set(sim.volumeBackups.filter((x) => x.status.toLowerCase() === 'creating').map((x) => x.volume_id));
    return sim.volumeBackups.find((x) => !busy.has(x.volume_id))!.volume_id;
  };

  it('202 with the backup object itself in `creating`, then `available` after 2 steps', async () => {
    const volume = idleVolume();
    const res = await post({ volume_id: volume, name: 'nächtlich', description: 'contract', incremental: true });
    expect(res.status).toBe(202);
    const created: any = await res.json();
    expect(created).toMatchObject({
      status: 'creating', volume_id: volume, name: 'nächtlich', description: 'contract', is_incremental: true,
      crn: `crn:spo1:storage:backup:${created.id}`,
    });
    expect((await getJson(`/backups?volume_id=${volume}&limit=1`)).backups[0].id).toBe(created.id);
    expect(await waitStatusChange(created.id, 'creating')).toBe('available');
    const done = await getJson(`/backups/${created.id}`);
    expect(Date.parse(done.updated_at)).toBeGreaterThan(Date.parse(done.created_at));
  });

  it('409 while the volume has a backup creating, unless force', async () => {
    const volume = idleVolume();
    const first: any = await (await post({ volume_id: volume })).json();
    const busy = await post({ volume_id: volume });
    expect(busy.status).toBe(409);
    expect((await busy.json()).error.code).toBe(409);
    expect((await post({ volume_id: volume, force: true })).status).toBe(202);
    await waitStatusChange(first.id, 'creating');
  });

  it.each([
    [{}, 400], [{ volume_id: 'abc' }, 400], [{ volume_id: 42 }, 400], [{ volume_id: UNKNOWN_UUID }, 404],
  ])('%j -> %i', async (body, status) => {
    const res = await post(body);
    expect(res.status).toBe(status);
    expect((await res.json()).error.code).toBe(status);
  });
});
