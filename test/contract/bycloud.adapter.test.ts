import { capabilitiesOf } from '../../src/providers/contract/index.ts';
import { beforeAll, beforeEach, describe, expect, it } from 'vitest';
import { healthy } from '../utils/tsimulator.ts';
import { disposeAfterAll, disposeAfterEach } from '../utils/leftovers.ts';
import { createManualClock } from '../../src/domain/clock.ts';
import { drain } from '../utils/tupstream.ts';
import { encodeSegmentToken } from '../../src/domain/merge.ts';
import type { ResourceModel } from '../../src/domain/models.ts';
import { createBycloudAdapter } from '../../src/providers/bycloud/index.ts';
import { startBycloudSimulator, type BycloudSimulator } from '../../src/simulators/bycloud/index.ts';
import type { ListFilter, ProviderAdapter, RequestContext } from '../../src/providers/contract/index.ts';
import { ProviderHttpError, ProviderResponseError } from '../../src/upstream/errors.ts';

const ref = { id: 'bycloud-test', kind: 'bycloud' as const, name: 'ByCloud Test' };
const UNKNOWN_UUID = '00000000-0000-4000-8000-000000000000';
const ctx = (): RequestContext => ({ requestId: 'test-1' });

let sim: BycloudSimulator;
let adapter: ProviderAdapter;
/** An adapter on the simulator; fast retries so fault tests stay quick. */
const makeAdapter = (secret = sim.credential) =>
  disposeAfterAll(createBycloudAdapter({ ref, baseUrl: sim.url, secret, upstream: { retry: { maxRetries: 2, baseDelayMs: 1, maxDelayMs: 5 } } }));

beforeAll(async () => {
  sim = disposeAfterAll(await startBycloudSimulator({ stepMs: 30 }));
  adapter = makeAdapter();
});
beforeEach(() => healthy(sim));

/**
 * Volume and database backups merged newest first by creation (ties: volumes first), each
 * collection in the simulator's own (newest-first) order.
 */
const mergedIds = (vols: readonly { id: string; created_at: string }[], dbs: readonly { id: string; created_at: string }[]) =>
  [...vols.map((b, i) => ({ id: `vol:${b.id}`, at: b.created_at, s: 0, i })), ...dbs.map((b, i) => ({ id: `db:${b.id}`, at: b.created_at, s: 1, i }))]
    .sort((a, b) => Date.parse(b.at) - Date.parse(a.at) || a.s - b.s || a.i - b.i)
    .map((x) => x.id);

/** Pages a backup list to the end; returns items, the first page's total and the tokens seen. */
async function allBackups(filter: ListFilter, limit: number, a = adapter) {
  const { items, pages } = await drain(a, 'backup', { limit, filter, ctx });
  for (const page of pages) expect(page.items.length).toBeLessThanOrEqual(limit);
  return { items, total: pages[0].total, tokens: pages.flatMap((p) => (p.next === null ? [] : [p.next])) };
}

const seededVolume = () => sim.volumeBackups.find((b) => !sim.volumeBackups.some((x) => x.volume_id === b.volume_id && x.status.toLowerCase() === 'creating'))!.volume_id;

describe('ByCloud adapter: capabilities and health', () => {
  it('lists organizations, resources, backups and their creations as jobs; polls progress; triggers backups only', () => {
    expect(capabilitiesOf(adapter)).toEqual({
      lists: ['organization', 'resource', 'backup', 'job'], progress: 'poll', triggerBackup: true, restoreBackup: false, deleteBackup: false,
      manageAlerts: false, manageSchedules: false, managePolicies: false, verifyBackup: false, downloadBackup: false,
    });
  });

  it('is UP on a healthy simulator, DOWN on a bad token or a failing API', async () => {
    sim.resetStats();
    expect(await adapter.health(ctx())).toMatchObject({ status: 'UP', message: null });
    expect(sim.stats.byRoute['GET /v1/backups']).toBe(1);
    expect(await makeAdapter('wrong').health(ctx())).toMatchObject({ status: 'DOWN', message: 'HTTP 401' });
    sim.setFault('GET /v1/backups', { forceStatus: 500 });
    expect((await adapter.health(ctx())).status).toBe('DOWN');
  });
});

describe('ByCloud adapter: backups list', () => {
  it.each([[1000], [97], [20]])('pages volume and database backups merged newest first to the end, each once, exact total (limit %i)', async (limit) => {
    const { items, total, tokens } = await allBackups({}, limit);
    const expected = mergedIds(sim.volumeBackups, sim.databaseBackups);
    expect(items.map((b) => b.nativeId)).toEqual(expected);
    expect(total).toBe(expected.length);
    expect(tokens.length).toBe(Math.ceil(expected.length / limit) - 1);
  });

  it('asks upstream for at most 1000 per page', async () => {
    sim.resetStats();
    const page = await adapter.lists.backup!({ after: null, limit: 5000, filter: {} }, ctx());
    expect(page.items.length).toBe(Math.min(1000, sim.volumeBackups.length + sim.databaseBackups.length));
    expect(sim.stats.requests.every((r) => Number(r.query.get('limit')) <= 1000)).toBe(true);
  });

  it('pushes a volume down, skipping database backups, with an exact total', async () => {
    const volume = sim.volumeBackups[4].volume_id;
    sim.resetStats();
    const { items, total } = await allBackups({ resourceId: `vol:${volume}` }, 3);
    const expected = sim.volumeBackups.filter((b) => b.volume_id === volume).map((b) => `vol:${b.id}`);
    expect(items.map((b) => b.nativeId)).toEqual(expected);
    expect(total).toBe(expected.length);
    expect(sim.stats.byRoute['GET /v1/database-backups'] ?? 0).toBe(0);
  });

  it('pushes an instance down, skipping volume backups, with an exact total', async () => {
    const instance = sim.databaseBackups[2].instance_id;
    sim.resetStats();
    const { items, total } = await allBackups({ resourceId: `db:${instance}` }, 4);
    const expected = sim.databaseBackups.filter((b) => b.instance_id === instance).map((b) => `db:${b.id}`);
    expect(items.map((b) => b.nativeId)).toEqual(expected);
    expect(items.every((b) => b.typename === 'ByCloudDatabaseBackup' && b.resourceNativeId === `db:${instance}`)).toBe(true);
    expect(total).toBe(expected.length);
    expect(sim.stats.byRoute['GET /v1/backups'] ?? 0).toBe(0);
  });

  it('pushes a status down when one raw value per collection maps to it', async () => {
    const { items, total } = await allBackups({ status: ['FAILED'] }, 1000);
    const expected = sim.volumeBackups.filter((b) => b.status === 'error').length + sim.databaseBackups.filter((b) => b.status === 'FAILED').length;
    expect(items.length).toBe(expected);
    expect(items.every((b) => b.status === 'FAILED')).toBe(true);
    expect(total).toBe(expected);
  });

  it('a status that maps to several raw values is not pushed down: no total, the gateway filters', async () => {
    const { items, total } = await allBackups({ status: ['AVAILABLE'] }, 1000);
    expect(total).toBeNull();
    const available = items.filter((b) => b.status === 'AVAILABLE');
    expect(available.length).toBe(
      sim.volumeBackups.filter((b) => ['available', 'error_restoring'].includes(b.status.toLowerCase())).length
      + sim.databaseBackups.filter((b) => ['COMPLETED', 'DELETE_FAILED'].includes(b.status)).length,
    );
    expect(available.some((b) => b.providerStatus === 'Available')).toBe(true);
  });

  it('answers nothing for another organization or a foreign resource id', async () => {
    expect(await adapter.lists.backup!({ after: null, limit: 10, filter: { organizationId: 'other' } }, ctx())).toEqual({ items: [], next: null, total: 0 });
    expect((await adapter.lists.backup!({ after: null, limit: 10, filter: { resourceId: 'garbage' } }, ctx())).items).toEqual([]);
    expect((await adapter.lists.backup!({ after: null, limit: 10, filter: { organizationId: 'default' } }, ctx())).items.length).toBe(10);
  });

  it.each([['garbage'], ['x:1'], ['v'], [encodeSegmentToken('job', {})], [encodeSegmentToken('backup', { v: { after: 'not a marker!', skip: 0 } })]])(
    'malformed resume token %j -> BAD_USER_INPUT', async (after) => {
      await expect(adapter.lists.backup!({ after, limit: 5, filter: {} }, ctx())).rejects.toMatchObject({ code: 'BAD_USER_INPUT' });
    },
  );

  it('a marker ByCloud rejects surfaces as a typed 400', async () => {
    const after = encodeSegmentToken('backup', { v: { after: 'not-a-uuid', skip: 0 } });
    await expect(adapter.lists.backup!({ after, limit: 5, filter: {} }, ctx())).rejects.toMatchObject({ status: 400 });
  });
});

describe('ByCloud adapter: jobs since an instant', () => {
  it('lists exactly the creations at or after `since`, and reads no page past it', async () => {
    const byTime = <T extends { created_at: string }>(xs: readonly T[]) => [...xs].sort((a, b) => Date.parse(b.created_at) - Date.parse(a.created_at));
    const since = new Date(Date.parse(byTime(sim.volumeBackups)[250].created_at));
    sim.resetStats();
    const { items, pages } = await drain(adapter, 'job', { limit: 100, filter: { since }, ctx });
    const after = (xs: readonly { id: string; created_at: string }[]) => xs.filter((b) => Date.parse(b.created_at) >= since.getTime());
    expect(items.map((j) => j.nativeId)).toEqual(mergedIds(byTime(after(sim.volumeBackups)), byTime(after(sim.databaseBackups))));
    expect(pages.at(-1)!.next).toBeNull();
    // Each collection read down to its first page reaching past `since`, not to its end.
    const volumeReads = sim.stats.requests.filter((r) => r.route === 'GET /v1/backups');
    expect(volumeReads.length).toBeLessThan(Math.ceil(sim.volumeBackups.length / 100));
  });
});

describe('ByCloud adapter: resources and organization', () => {
  it('derives volumes then instances ordered by id, each once, with backup counts', async () => {
    const c = ctx();
    sim.resetStats();
    const page = await adapter.lists.resource!({ after: null, limit: 1000, filter: {} }, c);
    const vols = [...new Set(sim.volumeBackups.map((b) => b.volume_id))].sort();
    const insts = [...new Set(sim.databaseBackups.map((b) => b.instance_id))].sort();
    expect(page.items.map((r) => r.nativeId)).toEqual([...vols.map((v) => `vol:${v}`), ...insts.map((i) => `db:${i}`)]);
    expect(page).toMatchObject({ next: null, total: vols.length + insts.length });
    const first = page.items[0] as ResourceModel & { backupCount: number };
    // ByCloud names volumes nowhere but in their backups' `metadata.volume_name`.
    const named = sim.volumeBackups.find((b) => b.volume_id === vols[0])!.metadata.volume_name;
    expect(first).toMatchObject({ typename: 'ByCloudVolume', type: 'volume', name: named, organizationNativeId: 'default' });
    expect(first.backupCount).toBe(sim.volumeBackups.filter((b) => b.volume_id === vols[0]).length);
    const db = page.items.find((r) => r.typename === 'ByCloudDatabaseInstance')!;
    expect(db.type).toBe(sim.databaseBackups.find((b) => `db:${b.instance_id}` === db.nativeId)!.datastore.type);
    // Once per request: a second list and the lookups reuse the scan.
    const calls = sim.stats.total;
    await adapter.lists.resource!({ after: null, limit: 10, filter: {} }, c);
    const found = await adapter.lookups.resource!([db.nativeId], c);
    expect(found[0]).toMatchObject({ nativeId: db.nativeId });
    expect(sim.stats.total).toBe(calls);
  });

  it('pages resources when asked for fewer, each once', async () => {
    const seen: string[] = [];
    let after: string | null = null;
    do {
      const page = await adapter.lists.resource!({ after, limit: 7, filter: {} }, ctx());
      seen.push(...page.items.map((r) => r.nativeId));
      after = page.next;
    } while (after);
    expect(new Set(seen).size).toBe(seen.length);
    expect(seen.length).toBe(new Set(sim.volumeBackups.map((b) => b.volume_id)).size + new Set(sim.databaseBackups.map((b) => b.instance_id)).size);
    await expect(adapter.lists.resource!({ after: 'nope', limit: 7, filter: {} }, ctx())).rejects.toMatchObject({ code: 'BAD_USER_INPUT' });
  });

  it('looks resources up: found, null, mixed', async () => {
    const vol = `vol:${sim.volumeBackups[0].volume_id}`;
    const inst = `db:${sim.databaseBackups[0].instance_id}`;
    const found = await adapter.lookups.resource!([vol, `vol:${UNKNOWN_UUID}`, inst, `db:${UNKNOWN_UUID}`, 'garbage'], ctx());
    expect(found.map((r) => (r && !(r instanceof Error) ? r.nativeId : r))).toEqual([vol, null, inst, null, null]);
    expect(found[2]).toMatchObject({ typename: 'ByCloudDatabaseInstance', type: sim.databaseBackups[0].datastore.type });
  });

  it('has one organization, the token\'s', async () => {
    const page = await adapter.lists.organization!({ after: null, limit: 10, filter: {} }, ctx());
    expect(page).toEqual({ items: [{ typename: 'ByCloudOrganization', provider: ref, nativeId: 'default', name: 'ByCloud Test', createdAt: null }], next: null, total: 1 });
    expect(await adapter.lookups.organization!(['default', 'other'], ctx())).toEqual([page.items[0], null]);
  });
});

describe('ByCloud adapter: backup lookups', () => {
  it('found, null and mixed, in order', async () => {
    const v = sim.volumeBackups[7];
    const d = sim.databaseBackups[3];
    const found = await adapter.lookups.backup!([`db:${d.id}`, `vol:${UNKNOWN_UUID}`, `vol:${v.id}`, 'garbage', `db:${UNKNOWN_UUID}`], ctx());
    expect(found.map((b) => (b && !(b instanceof Error) ? b.nativeId : b))).toEqual([`db:${d.id}`, null, `vol:${v.id}`, null, null]);
    expect(found[2]).toMatchObject({ typename: 'ByCloudVolumeBackup', crn: v.crn, metadata: v.metadata, sizeBytes: v.size * 2 ** 30 });
  });

  it('a failure fails only its own id', async () => {
    sim.setFault('GET /v1/database-backups/:id', { forceStatus: 500 });
    const [db, vol] = await adapter.lookups.backup!([`db:${sim.databaseBackups[0].id}`, `vol:${sim.volumeBackups[0].id}`], ctx());
    expect(db).toBeInstanceOf(ProviderHttpError);
    expect((db as ProviderHttpError).status).toBe(500);
    expect(vol).toMatchObject({ nativeId: `vol:${sim.volumeBackups[0].id}` });
  });
});

describe('ByCloud adapter: trigger and progress', () => {
  it('triggers a volume backup and follows it creating -> available through progress snapshots', async () => {
    const volume = seededVolume();
    const op = await adapter.actions!.triggerBackup!({ resourceNativeId: `vol:${volume}`, name: 'from-the-gateway', incremental: true }, ctx());
    // The creation is its job too: the same record and native id, running.
    expect(op.job).toMatchObject({ typename: 'ByCloudVolumeBackupJob', operation: 'backup', status: 'RUNNING', nativeId: op.backup!.nativeId, backupNativeId: op.backup!.nativeId });
    expect(op.backup).toMatchObject({ typename: 'ByCloudVolumeBackup', status: 'CREATING', providerStatus: 'creating', name: 'from-the-gateway', isIncremental: true, resourceNativeId: `vol:${volume}` });
    expect(op.progress).toEqual({ kind: 'backup', nativeId: op.backup!.nativeId });
    let u = await adapter.progress!.snapshot!('backup', op.progress.nativeId, ctx());
    expect(u).toMatchObject({ status: 'RUNNING', done: false, percent: null, phase: 'creating', providerStatus: 'creating' });
    for (let i = 0; i < 300 && !u?.done; i++) {
      await new Promise((r) => setTimeout(r, 10));
      u = await adapter.progress!.snapshot!('backup', op.progress.nativeId, ctx());
    }
    expect(u).toMatchObject({ status: 'SUCCEEDED', done: true, percent: 100, providerStatus: 'available', error: null });
    const [after] = await adapter.lookups.backup!([op.progress.nativeId], ctx());
    expect(after).toMatchObject({ status: 'AVAILABLE' });
  });

  it('409 on a busy volume, accepted with force', async () => {
    const volume = seededVolume();
    await adapter.actions!.triggerBackup!({ resourceNativeId: `vol:${volume}` }, ctx());
    const err = await adapter.actions!.triggerBackup!({ resourceNativeId: `vol:${volume}` }, ctx()).catch((e) => e);
    expect(err).toBeInstanceOf(ProviderHttpError);
    expect(err.status).toBe(409);
    await expect(adapter.actions!.triggerBackup!({ resourceNativeId: `vol:${volume}`, force: true }, ctx())).resolves.toMatchObject({ backup: { status: 'CREATING' } });
  });

  it('never retries the POST, even on 503', async () => {
    sim.resetStats();
    sim.setFault('POST /v1/backups', { forceStatusTimes: 1, errorStatus: 503 });
    await expect(adapter.actions!.triggerBackup!({ resourceNativeId: `vol:${seededVolume()}`, force: true }, ctx())).rejects.toMatchObject({ status: 503 });
    expect(sim.stats.byRoute['POST /v1/backups']).toBe(1);
  });

  it('reads retried GETs through a transient 503', async () => {
    sim.resetStats();
    sim.setFault('GET /v1/backups/:id', { forceStatusTimes: 1, errorStatus: 503 });
    const u = await adapter.progress!.snapshot!('backup', `vol:${sim.volumeBackups[0].id}`, ctx());
    expect(u).not.toBeNull();
    expect(sim.stats.byRoute['GET /v1/backups/:id']).toBe(2);
  });

  it('stamps a snapshot whose record has no time with the gateway clock, not the machine\'s', async () => {
    const at = Date.parse('2031-06-01T12:00:00Z');
    const timed = disposeAfterEach(createBycloudAdapter({ ref, baseUrl: sim.url, secret: sim.credential, upstream: { clock: createManualClock(at), retry: { maxRetries: 0 } } }));
    const b = sim.volumeBackups[0];
    sim.setFault('GET /v1/backups/:id', { garbageBody: JSON.stringify({ ...b, updated_at: null }) });
    expect(await timed.progress!.snapshot!('backup', `vol:${b.id}`, ctx())).toMatchObject({ at: '2031-06-01T12:00:00.000Z' });
  });

  it('database backups: progress readable, triggering unsupported; restore progress unsupported; unknown -> null', async () => {
    const d = sim.databaseBackups.find((b) => b.status === 'SAVING')!;
    expect(await adapter.progress!.snapshot!('backup', `db:${d.id}`, ctx())).toMatchObject({ status: 'RUNNING', done: false, providerStatus: 'SAVING' });
    await expect(adapter.actions!.triggerBackup!({ resourceNativeId: `db:${d.instance_id}` }, ctx())).rejects.toMatchObject({ code: 'UNSUPPORTED_BY_PROVIDER' });
    await expect(adapter.progress!.snapshot!('restore', `vol:${sim.volumeBackups[0].id}`, ctx())).rejects.toMatchObject({ code: 'UNSUPPORTED_BY_PROVIDER' });
    expect(await adapter.progress!.snapshot!('backup', `vol:${UNKNOWN_UUID}`, ctx())).toBeNull();
    expect(await adapter.progress!.snapshot!('backup', `db:${UNKNOWN_UUID}`, ctx())).toBeNull();
  });
});

describe('ByCloud adapter: failures', () => {
  it('a garbage body is a typed upstream error', async () => {
    sim.setFault('GET /v1/backups', { garbageBody: '<html>' });
    await expect(adapter.lists.backup!({ after: null, limit: 5, filter: {} }, ctx())).rejects.toBeInstanceOf(ProviderResponseError);
    sim.setFault('GET /v1/backups', { garbageBody: '{"backups": "nope", "meta": {}}' });
    await expect(adapter.lists.backup!({ after: null, limit: 5, filter: {} }, ctx())).rejects.toBeInstanceOf(ProviderResponseError);
    sim.setFault('GET /v1/database-backups/:id', { garbageBody: '[]' });
    const [one] = await adapter.lookups.backup!([`db:${sim.databaseBackups[0].id}`], ctx());
    expect(one).toBeInstanceOf(ProviderResponseError);
  });

  it('a field of the wrong type reads as absent; the rest of the record and of its page still counts', async () => {
    const good = { id: 'b-good', status: 'available', volume_id: 'v-1', crn: 'crn:good', name: 'n', size: 2, metadata: { volume_name: 'web', schedule: '0 3 * * *' }, created_at: '2026-01-02T03:04:05Z', updated_at: '2026-01-02T04:00:00.25+01:00' };
    const odd = { id: 'b-odd', status: 'available', volume_id: 'v-2', crn: 9, name: ['n'], description: {}, size: 'big', container: 1, is_incremental: 'yes', metadata: 'none', created_at: 17, updated_at: 'later' };
    sim.setFault('GET /v1/backups', { garbageBody: JSON.stringify({ backups: [good, odd], meta: { total: 'two', has_more: false } }) });
    sim.setFault('GET /v1/database-backups', { garbageBody: JSON.stringify({ database_backups: [{ id: 'd-odd', status: 'COMPLETED', instance_id: 'i-1', datastore: { type: 5, version: '16' }, created_at: '2026-01-01T00:00:00Z' }], meta: { has_more: false } }) });
    const page = await adapter.lists.backup!({ after: null, limit: 10, filter: {} }, ctx());
    expect(page.items.map((m) => m.nativeId)).toEqual(['vol:b-good', 'db:d-odd', 'vol:b-odd']);
    expect(page.items[0]).toMatchObject({ crn: 'crn:good', sizeGiB: 2, createdAt: '2026-01-02T03:04:05.000Z', updatedAt: '2026-01-02T03:00:00.250Z', completedAt: '2026-01-02T03:00:00.250Z', metadata: good.metadata });
    expect(page.items[1]).toMatchObject({ datastore: { type: null, version: '16', versionId: null } });
    expect(page.items[2]).toMatchObject({
      status: 'AVAILABLE', crn: null, name: null, description: null, sizeGiB: null, sizeBytes: null, container: null, isIncremental: null,
      metadata: {}, createdAt: null, updatedAt: null, completedAt: null,
    });
  });

  it('a backup without the volume or instance it belongs to fails its page as a typed upstream error', async () => {
    sim.setFault('GET /v1/backups', { garbageBody: JSON.stringify({ backups: [{ id: 'b-1', status: 'available' }], meta: { has_more: false } }) });
    await expect(adapter.lists.backup!({ after: null, limit: 5, filter: {} }, ctx())).rejects.toBeInstanceOf(ProviderResponseError);
    sim.setFault('GET /v1/backups', { garbageBody: JSON.stringify({ backups: [], meta: 'none' }) });
    await expect(adapter.lists.backup!({ after: null, limit: 5, filter: {} }, ctx())).rejects.toBeInstanceOf(ProviderResponseError);
  });

  it('a wrong secret is a ProviderHttpError 401 that never mentions the secret', async () => {
    const secret = 'tok-leaky-SECRET-123';
    const bad = makeAdapter(secret);
    const errors = [
      await bad.lists.backup!({ after: null, limit: 5, filter: {} }, ctx()).catch((e) => e),
      await bad.lists.resource!({ after: null, limit: 5, filter: {} }, ctx()).catch((e) => e),
      await bad.actions!.triggerBackup!({ resourceNativeId: `vol:${seededVolume()}` }, ctx()).catch((e) => e),
      ...(await bad.lookups.backup!([`vol:${sim.volumeBackups[0].id}`], ctx())),
    ];
    for (const err of errors) {
      expect(err).toBeInstanceOf(ProviderHttpError);
      expect(err).toMatchObject({ status: 401, provider: 'bycloud-test', requestId: 'test-1' });
      expect(`${err.message} ${err.stack} ${JSON.stringify(err)}`).not.toContain(secret);
    }
  });
});
