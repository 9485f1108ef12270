/**
 * The Bocada adapter against its simulator over HTTP: every list pages to the end with each item
 * once, filters pushed down (organization, resource, one status, time window), batch lookups
 * (found / null / mixed / per-id errors) at a bounded number of upstream calls, the timeline and
 * connection fields, the models' shape and status mapping, typed upstream errors, health, and
 * secrets never showing in errors.
 */
import { capabilitiesOf } from '../../src/providers/contract/index.ts';
import { beforeAll, beforeEach, describe, expect, it } from 'vitest';
import { healthy, NO_RATE_LIMIT } from '../utils/tsimulator.ts';
import { disposeAfterAll } from '../utils/leftovers.ts';
import { drain } from '../utils/tupstream.ts';
import { GatewayError } from '../../src/domain/errors.ts';
import type { EntityKind, JobModel, ResourceModel } from '../../src/domain/models.ts';
import type { JobStatus } from '../../src/domain/statuses.ts';
import { createBocadaAdapter } from '../../src/providers/bocada/index.ts';
import { startBocadaSimulator, type BocadaSimulator } from '../../src/simulators/bocada/index.ts';
import type { ListFilter, ProviderAdapter, RequestContext } from '../../src/providers/contract/index.ts';
import type { UpstreamCall } from '../../src/upstream/client.ts';
import { ProviderHttpError, ProviderResponseError } from '../../src/upstream/errors.ts';

const ref = { id: 'bocada-test', kind: 'bocada' as const, name: 'Bocada (test)' };
const ctx = (): RequestContext => ({ requestId: 'test-1' });

let sim: BocadaSimulator;
/** The simulator's own jobs (its types, not the adapter's wire shapes). */
let truth: BocadaSimulator['data']['jobs'];
/** An adapter on the simulator; `calls` records every upstream attempt it makes. */
function makeAdapter(opts: { secret?: string; retries?: number } = {}) {
  const calls: UpstreamCall[] = [];
  const adapter = createBocadaAdapter({
    ref, baseUrl: sim.url, secret: opts.secret ?? sim.credential,
    upstream: { retry: { maxRetries: opts.retries ?? 4, baseDelayMs: 1, maxDelayMs: 5 } },
    onUpstreamCall: (c) => calls.push(c),
  });
  return { adapter: disposeAfterAll(adapter), calls };
}
let a: ProviderAdapter;

beforeAll(async () => {
  sim = disposeAfterAll(await startBocadaSimulator({ stepMs: 30, scheduleEveryMs: 0 }));
  truth = sim.data.jobs;
  a = makeAdapter().adapter;
});
beforeEach(() => healthy(sim));

/** Pages a list to the end (bounded), checking each page's size; answers every item and the page count. */
async function pageAll<K extends EntityKind>(adapter: ProviderAdapter, kind: K, filter: ListFilter, limit: number) {
  const { items, pages } = await drain(adapter, kind, { limit, filter, ctx, maxPages: 2000 });
  for (const page of pages) {
    expect(page.items.length).toBeLessThanOrEqual(limit);
    expect(page.total).toBeNull();
    if (page.next !== null) expect(page.items.length).toBe(Math.min(limit, 200));
  }
  return { items, pages: pages.length };
}
const jobs = (filter: ListFilter, limit = 200, adapter = a) => pageAll(adapter, 'job', filter, limit).then((r) => r.items);

describe('capabilities', () => {
  it('lists organizations, resources and jobs; acts on nothing; has no progress', () => {
    expect(capabilitiesOf(a)).toEqual({
      lists: ['organization', 'resource', 'job'], progress: null, triggerBackup: false, restoreBackup: false, deleteBackup: false,
      manageAlerts: false, manageSchedules: false, managePolicies: false, verifyBackup: false, downloadBackup: false,
    });
    expect([...capabilitiesOf(a).lists].sort()).toEqual(['job', 'organization', 'resource']);
    expect(capabilitiesOf(a).progress).toBeNull();
    const { lists, progress, ...actions } = capabilitiesOf(a);
    void lists;
    void progress;
    expect(Object.values(actions).every((v) => v === false)).toBe(true);
    expect(a.actions).toBeUndefined();
    expect(a.progress).toBeUndefined();
    expect(Object.keys(a.lists).sort()).toEqual(['job', 'organization', 'resource']);
    expect(Object.keys(a.lookups).sort()).toEqual(['job', 'organization', 'resource']);
  });
});

describe('lists', () => {
  it('pages organizations two at a time, each once', async () => {
    const { items, pages } = await pageAll(a, 'organization', {}, 2);
    expect(pages).toBe(3);
    expect(items.map((o) => o.nativeId)).toEqual(sim.data.organizations.map((o) => o.id));
    const zurich = items.find((o) => o.name === 'Zürich Ærø Backups 東京')!;
    expect(zurich).toMatchObject({ typename: 'BocadaOrganization', provider: ref, createdAt: expect.any(String) });
  });

  it('pages resources to the end, each once, and pushes the organization down', async () => {
    const everything = await pageAll(a, 'resource', {}, 37);
    expect(everything.items.map((r) => r.nativeId)).toEqual(sim.data.resources.map((r) => r.id));
    const org = sim.data.organizations[1].id;
    const { items } = await pageAll(a, 'resource', { organizationId: org }, 7);
    expect(items.map((r) => r.nativeId)).toEqual(sim.data.resources.filter((r) => r.organizationId === org).map((r) => r.id));
    const empty = sim.data.organizations.at(-1)!.id;
    expect(await a.lists.resource!({ after: null, limit: 50, filter: { organizationId: empty } }, ctx())).toEqual({ items: [], next: null, total: null });
  });

  it('pages all ~3000 jobs with pages of at most 200 (limit above the provider maximum), each once', async () => {
    const { items, pages } = await pageAll(a, 'job', {}, 500);
    expect(pages).toBe(Math.ceil(truth.length / 200));
    expect(items.map((j) => j.nativeId)).toEqual(truth.map((j) => j.id));
  });

  it('pages jobs with an odd limit, resuming right after the last item', async () => {
    const first = await a.lists.job!({ after: null, limit: 7, filter: {} }, ctx());
    expect(first.items.map((j) => j.nativeId)).toEqual(truth.slice(0, 7).map((j) => j.id));
    const second = await a.lists.job!({ after: first.next, limit: 7, filter: {} }, ctx());
    expect(second.items.map((j) => j.nativeId)).toEqual(truth.slice(7, 14).map((j) => j.id));
  });

  it('pushes organization, resource and time window down', async () => {
    const pivot = truth[500];
    const day = 86_400_000;
    const since = new Date(sim.anchor.getTime() - 15 * day);
    const until = new Date(sim.anchor.getTime() - 2 * day);
    const got = await jobs({ organizationId: pivot.organizationId, since, until }, 50);
    const want = truth.filter((j) => j.organizationId === pivot.organizationId && Date.parse(j.startedAt) >= since.getTime() && Date.parse(j.startedAt) < until.getTime());
    expect(want.length).toBeGreaterThan(50);
    expect(got.map((j) => j.nativeId)).toEqual(want.map((j) => j.id));
    const byResource = await jobs({ resourceId: pivot.resourceId }, 9);
    expect(byResource.map((j) => j.nativeId)).toEqual(truth.filter((j) => j.resourceId === pivot.resourceId).map((j) => j.id));
  });

  it.each([
    ['FAILED', 'failed'], ['MISSED', 'missed'], ['SUCCEEDED_WITH_WARNINGS', 'succeeded_with_warnings'], ['QUEUED', 'queued'],
  ] as const)('pushes a single status %s down as %s', async (status, raw) => {
    const got = await jobs({ status: [status] });
    expect(got.map((j) => j.nativeId)).toEqual(truth.filter((j) => j.status === raw).map((j) => j.id));
    expect(got.every((j) => j.status === status && j.providerStatus === raw)).toBe(true);
  });

  it('does not push several statuses down (Bocada takes one), leaving the filtering to the gateway', async () => {
    const page = await a.lists.job!({ after: null, limit: 100, filter: { status: ['FAILED', 'MISSED'] } }, ctx());
    expect(page.items.map((j) => j.nativeId)).toEqual(truth.slice(0, 100).map((j) => j.id));
  });

  it('answers an empty page without calling Bocada for statuses it never reports', async () => {
    const { adapter, calls } = makeAdapter();
    expect(await adapter.lists.job!({ after: null, limit: 10, filter: { status: ['PARTIAL', 'UNKNOWN'] } }, ctx())).toEqual({ items: [], next: null, total: null });
    expect(calls).toHaveLength(0);
  });

  it('turns a resume token Bocada did not issue into BAD_USER_INPUT on every list', async () => {
    for (const kind of ['organization', 'resource', 'job'] as const) {
      const err = await a.lists[kind]!({ after: 'tampered', limit: 5, filter: {} }, ctx()).catch((e) => e);
      expect(err, kind).toBeInstanceOf(GatewayError);
      expect(err).toMatchObject({ code: 'BAD_USER_INPUT', extensions: { field: 'after' } });
    }
  });

  it('keeps a 400 without a resume token a provider error, not the client\'s cursor', async () => {
    // The largest Date prints as `+275760-09-13T00:00:00.000Z`, which Bocada rejects as bad_request.
    const err = await a.lists.job!({ after: null, limit: 5, filter: { since: new Date(8.64e15) } }, ctx()).catch((e) => e);
    expect(err).toBeInstanceOf(ProviderHttpError);
    expect(err).toMatchObject({ status: 400, providerCode: 'bad_request' });
  });
});

describe('models', () => {
  it('maps jobs with every raw status, keeping the raw value and Bocada\'s own fields', async () => {
    const expected: Record<string, JobStatus> = {
      succeeded: 'SUCCEEDED', succeeded_with_warnings: 'SUCCEEDED_WITH_WARNINGS', failed: 'FAILED', running: 'RUNNING',
      queued: 'QUEUED', missed: 'MISSED', canceled: 'CANCELED',
    };
    const picks = Object.keys(expected).map((s) => truth.find((j) => j.status === s)!);
    const models = (await a.lookups.job!(picks.map((j) => j.id), ctx())) as JobModel[];
    models.forEach((m, i) => {
      const dto = picks[i];
      expect(m).toEqual({
        typename: 'BocadaJob', provider: ref, nativeId: dto.id, name: null, operation: 'backup',
        status: expected[dto.status], providerStatus: dto.status,
        organizationNativeId: dto.organizationId, resourceNativeId: dto.resourceId, backupNativeId: null,
        bytesTransferred: dto.bytesTransferred, createdAt: dto.startedAt, startedAt: dto.startedAt, endedAt: dto.endedAt, failureReason: null,
        connectionId: dto.connectionId, filesTransferred: dto.filesTransferred,
      });
    });
  });

  it('maps resources with the raw type and connection id', async () => {
    const dto = sim.data.resources[12];
    const [m] = await a.lookups.resource!([dto.id], ctx());
    expect(m).toEqual({
      typename: 'BocadaResource', provider: ref, nativeId: dto.id, name: dto.name, type: dto.type,
      organizationNativeId: dto.organizationId, createdAt: dto.createdAt, connectionId: dto.connectionId, resourceType: dto.type,
    });
  });
});

describe('lookups', () => {
  it('looks organizations up from one list call per request, in order, null for unknown ids', async () => {
    const { adapter, calls } = makeAdapter();
    const c = ctx();
    const [o1, o2] = sim.data.organizations;
    const got = await adapter.lookups.organization!([o2.id, 'nope', o1.id], c);
    expect(got.map((m) => (m && !(m instanceof Error) ? m.nativeId : m))).toEqual([o2.id, null, o1.id]);
    await adapter.lookups.organization!([o1.id], c);
    expect(calls.map((x) => x.path)).toEqual(['/organizations']);
  });

  it('gets up to sixteen resources one by one (404 -> null)', async () => {
    const { adapter, calls } = makeAdapter();
    const ids = [sim.data.resources[3].id, 'missing-id', sim.data.resources[99].id];
    const got = await adapter.lookups.resource!(ids, ctx());
    expect(got.map((m) => (m && !(m instanceof Error) ? m.nativeId : m))).toEqual([ids[0], null, ids[2]]);
    expect(calls.every((x) => x.path.startsWith('/resources/'))).toBe(true);
    expect(calls).toHaveLength(3);
  });

  it('reads more than sixteen resources through the list once per request, not one call each', async () => {
    const { adapter, calls } = makeAdapter();
    const c = ctx();
    const ids = [...sim.data.resources.slice(130, 150).map((r) => r.id), 'missing-id'];
    const got = await adapter.lookups.resource!(ids, c);
    expect(got.slice(0, 20).map((m) => (m as ResourceModel).nativeId)).toEqual(ids.slice(0, 20));
    expect(got[20]).toBeNull();
    await adapter.lookups.resource!(sim.data.resources.slice(0, 5).map((r) => r.id), c);
    expect(calls.map((x) => x.path)).toEqual(['/resources']);
  });

  it('gets jobs by id: found, null for unknown, an Error for that id alone', async () => {
    const ids = [truth[0].id, 'nope', truth[2999].id];
    const got = await a.lookups.job!(ids, ctx());
    expect(got.map((m) => (m && !(m instanceof Error) ? m.nativeId : m))).toEqual([ids[0], null, ids[2]]);

    sim.setFault('GET /api/v1/backup-jobs/:id', { forceStatusTimes: 1, errorStatus: 500 });
    const mixed = await a.lookups.job!([truth[5].id], ctx());
    expect(mixed[0]).toBeInstanceOf(ProviderHttpError);
    expect((mixed[0] as ProviderHttpError).status).toBe(500);
    expect((await a.lookups.job!([truth[5].id], ctx()))[0]).toMatchObject({ nativeId: truth[5].id });
  });

  it('fans job lookups out in parallel, with at most 8 calls in flight', async () => {
    // Every call is held 300 ms at the simulator, so the first 8 are all there at once (counted by
    // the simulator, not timed): nine ids, 8 in flight at most, the ninth after one of them.
    sim.setFault('GET /api/v1/backup-jobs/:id', { latencyMs: 300 });
    const ids = truth.slice(0, 9).map((j) => j.id);
    sim.resetStats();
    const got = await a.lookups.job!(ids, ctx());
    expect(got.map((m) => (m as JobModel).nativeId)).toEqual(ids);
    expect(sim.stats.byRoute['GET /api/v1/backup-jobs/:id']).toBe(9);
    expect(sim.stats.maxInFlight).toBe(8);
  });

  it('serves a nested page (jobs -> resource -> organization) from a handful of upstream calls', async () => {
    const { adapter, calls } = makeAdapter();
    const c = ctx();
    const page = await adapter.lists.job!({ after: null, limit: 100, filter: {} }, c);
    const resources = await adapter.lookups.resource!([...new Set(page.items.map((j) => j.resourceNativeId!))], c);
    const orgs = await adapter.lookups.organization!([...new Set((resources as ResourceModel[]).map((r) => r.organizationNativeId!))], c);
    expect(orgs.every((o) => o && !(o instanceof Error))).toBe(true);
    expect(calls.map((x) => x.path)).toEqual(['/backup-jobs', '/resources', '/organizations']);
  });
});

describe('provider-specific fields', () => {
  it('serves a job\'s timeline, oldest first, severities upper-cased', async () => {
    const job = truth.find((j) => j.status === 'succeeded_with_warnings')!;
    const [model] = await a.lookups.job!([job.id], ctx());
    const timeline = (await a.fieldResolvers!.BocadaJob.timeline(model, {}, ctx())) as Array<Record<string, string>>;
    const raw = await (await fetch(`${sim.url}/api/v1/backup-jobs/${job.id}/timeline`, { headers: { 'x-api-key': sim.credential } })).json();
    expect(timeline).toEqual(raw.data.map((e: Record<string, string>) => ({ id: e.id, timestamp: e.timestamp, severity: e.severity.toUpperCase(), message: e.message })));
    expect(timeline.map((e) => e.severity)).toContain('WARNING');
    const missing = await a.fieldResolvers!.BocadaJob.timeline({ ...(model as JobModel), nativeId: 'nope' }, {}, ctx()).catch((e) => e);
    expect(missing).toBeInstanceOf(ProviderHttpError);
  });

  it('resolves resources\' connections from one connections list per organization per request', async () => {
    const { adapter, calls } = makeAdapter();
    const c = ctx();
    const org = sim.data.organizations[2].id;
    const mine = sim.data.resources.filter((r) => r.organizationId === org).slice(0, 6);
    const models = (await adapter.lookups.resource!(mine.map((r) => r.id), c)) as ResourceModel[];
    calls.length = 0;
    const conns = await Promise.all(models.map((m) => adapter.fieldResolvers!.BocadaResource.connection(m, {}, c)));
    conns.forEach((conn, i) => {
      const truthConn = sim.data.connections.find((x) => x.id === mine[i].connectionId)!;
      expect(conn).toEqual({ id: truthConn.id, name: truthConn.name, product: truthConn.product, status: truthConn.status });
    });
    expect(calls.map((x) => x.path)).toEqual(['/connections']);
    expect(await adapter.fieldResolvers!.BocadaResource.connection({ ...models[0], connectionId: 'gone' }, {}, c)).toBeNull();
  });
});

describe('errors and health', () => {
  it('answers health UP from /system/status', async () => {
    const { adapter, calls } = makeAdapter();
    const h = await adapter.health(ctx());
    expect(h).toEqual({ status: 'UP', latencyMs: expect.any(Number), message: null });
    expect(calls.map((x) => x.path)).toEqual(['/system/status']);
  });

  it('reports DEGRADED when throttled and DOWN when failing, without throwing', async () => {
    const { adapter } = makeAdapter({ retries: 0 });
    sim.setRateLimit({ limit: 0, windowMs: 60_000 });
    expect((await adapter.health(ctx())).status).toBe('DEGRADED');
    sim.setRateLimit(NO_RATE_LIMIT);
    sim.setFault('GET /api/v1/system/status', { forceStatus: 503 });
    expect(await adapter.health(ctx())).toMatchObject({ status: 'DOWN', message: 'HTTP 503' });
  });

  it('rides out a 429, waiting as RateLimit-Reset / Retry-After say', async () => {
    sim.setRateLimit({ limit: 1, windowMs: 300 });
    sim.resetStats();
    expect((await a.health(ctx())).status).toBe('UP');
    const page = await a.lists.organization!({ after: null, limit: 10, filter: {} }, ctx());
    expect(page.items).toHaveLength(6);
    expect(sim.stats.rateLimited).toBeGreaterThanOrEqual(1);
  });

  it('gives a ProviderHttpError 401 for a wrong secret and never shows the secret', async () => {
    const secret = 'bc_live_leaky_s3cret';
    const { adapter } = makeAdapter({ secret });
    const errors: unknown[] = [];
    errors.push(await adapter.lists.organization!({ after: null, limit: 5, filter: {} }, ctx()).catch((e) => e));
    errors.push(await adapter.lists.job!({ after: null, limit: 5, filter: {} }, ctx()).catch((e) => e));
    errors.push((await adapter.lookups.job!([truth[0].id], ctx()))[0]);
    errors.push(await adapter.lookups.resource!([sim.data.resources[0].id], ctx()).then((r) => r[0]));
    for (const err of errors) {
      expect(err).toBeInstanceOf(ProviderHttpError);
      const e = err as ProviderHttpError;
      expect(e.status).toBe(401);
      expect(e.providerCode).toBe('authentication_failed');
      expect(e.provider).toBe(ref.id);
      expect(`${e.message} ${e.stack} ${JSON.stringify({ ...e })}`).not.toContain(secret);
    }
    const health = await adapter.health(ctx());
    expect(health.status).toBe('DOWN');
    expect(JSON.stringify(health)).not.toContain(secret);
  });

  it.each([
    ['GET /api/v1/organizations', (x: ProviderAdapter) => x.lists.organization!({ after: null, limit: 5, filter: {} }, ctx())],
    ['GET /api/v1/resources', (x: ProviderAdapter) => x.lists.resource!({ after: null, limit: 5, filter: {} }, ctx())],
    ['GET /api/v1/backup-jobs', (x: ProviderAdapter) => x.lists.job!({ after: null, limit: 5, filter: {} }, ctx())],
    ['GET /api/v1/system/status', async (x: ProviderAdapter) => {
      const h = await x.health(ctx());
      if (h.status !== 'UP') throw new ProviderResponseError(ref.id, 'test-1', h.message ?? '');
      return h;
    }],
  ])('turns a garbage body on %s into a typed upstream error', async (route, call) => {
    sim.setFault(route, { garbageBody: '<html>oops</html>' });
    const err = await call(a).catch((e: unknown) => e);
    expect(err).toBeInstanceOf(ProviderResponseError);
  });

  it('reads a field of the wrong type as absent and keeps the rest of its record and page', async () => {
    const good = { id: 'j-good', organizationId: 'o-1', resourceId: 'r-1', connectionId: 'c-1', status: 'failed', startedAt: '2026-01-02T03:04:05Z', endedAt: '2026-01-02T03:14:05.5+01:00', bytesTransferred: 10, filesTransferred: 2 };
    const odd = { id: 'j-odd', organizationId: 7, resourceId: ['r'], connectionId: null, status: 5, startedAt: { at: 1 }, endedAt: 'yesterday', bytesTransferred: '10', filesTransferred: true, extra: 'kept aside' };
    sim.setFault('GET /api/v1/backup-jobs', { garbageBody: JSON.stringify({ data: [good, odd], pagination: { pageSize: 'big' } }) });
    const page = await a.lists.job!({ after: null, limit: 5, filter: {} }, ctx());
    expect(page.next).toBeNull();
    expect(page.items.map((m) => m.nativeId)).toEqual(['j-good', 'j-odd']);
    expect(page.items[0]).toMatchObject({
      status: 'FAILED', providerStatus: 'failed', organizationNativeId: 'o-1', resourceNativeId: 'r-1', bytesTransferred: 10,
      // Canonical UTC with milliseconds, whatever form the provider wrote.
      createdAt: '2026-01-02T03:04:05.000Z', startedAt: '2026-01-02T03:04:05.000Z', endedAt: '2026-01-02T02:14:05.500Z',
    });
    expect(page.items[1]).toMatchObject({
      status: 'UNKNOWN', providerStatus: null, organizationNativeId: null, resourceNativeId: null, bytesTransferred: null,
      createdAt: null, startedAt: null, endedAt: null, connectionId: null, filesTransferred: null,
    });
  });

  it('fails a page with a record it cannot use (no id), and a timeline entry without a readable instant, as typed errors', async () => {
    sim.setFault('GET /api/v1/backup-jobs', { garbageBody: JSON.stringify({ data: [{ id: 'j-1', status: 'failed' }, { status: 'failed' }] }) });
    await expect(a.lists.job!({ after: null, limit: 5, filter: {} }, ctx())).rejects.toBeInstanceOf(ProviderResponseError);
    sim.setFault('GET /api/v1/resources', { garbageBody: JSON.stringify({ data: [{ id: '' }] }) });
    await expect(a.lists.resource!({ after: null, limit: 5, filter: {} }, ctx())).rejects.toBeInstanceOf(ProviderResponseError);
    const [model] = await a.lookups.job!([truth[1].id], ctx());
    sim.setFault('GET /api/v1/backup-jobs/:id/timeline', { garbageBody: JSON.stringify({ data: [{ id: 'e-1', jobId: truth[1].id, timestamp: 'soon', severity: 'info', message: 'm' }] }) });
    await expect(a.fieldResolvers!.BocadaJob.timeline(model, {}, ctx())).rejects.toBeInstanceOf(ProviderResponseError);
  });

  it('names a resource or organization without a usable name by its id', async () => {
    sim.setFault('GET /api/v1/resources', { garbageBody: JSON.stringify({ data: [{ id: 'r-unnamed', name: 42, createdAt: 'not a date' }] }) });
    const [r] = (await a.lists.resource!({ after: null, limit: 5, filter: {} }, ctx())).items;
    expect(r).toMatchObject({ nativeId: 'r-unnamed', name: 'r-unnamed', createdAt: null });
  });

  it('stops reading a list whose cursor repeats, with a typed error instead of looping', async () => {
    sim.setFault('GET /api/v1/organizations', { garbageBody: JSON.stringify({ data: [{ id: 'o-loop', name: 'Loop', createdAt: null }], pagination: { pageSize: 200, nextCursor: 'same' } }) });
    await expect(a.lookups.organization!(['o-loop'], ctx())).rejects.toBeInstanceOf(ProviderResponseError);
  });

  it('turns a garbage body on a job lookup into an Error for that id, and on a timeline into a typed error', async () => {
    const [model] = await a.lookups.job!([truth[1].id], ctx());
    sim.setFault('GET /api/v1/backup-jobs/:id', { garbageBody: '<html>oops</html>' });
    expect((await a.lookups.job!([truth[1].id], ctx()))[0]).toBeInstanceOf(ProviderResponseError);
    sim.setFault('GET /api/v1/backup-jobs/:id/timeline', { garbageBody: '{"data":"nope"}' });
    await expect(a.fieldResolvers!.BocadaJob.timeline(model, {}, ctx())).rejects.toBeInstanceOf(ProviderResponseError);
  });
});
