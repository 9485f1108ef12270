/**
 * The Bocada Cloud simulator over real HTTP: `X-Api-Key` auth, request-id echo, `pageSize`/`cursor`
 * paging with its 400s, filters, sort, details and 404s, timelines, the seeded dataset's shape,
 * `RateLimit-*` headers and 429, faults, determinism, scale, and scheduled work moving jobs
 * queued -> running -> terminal without shifting keyset pages.
 */
import { beforeAll, beforeEach, describe, expect, it } from 'vitest';
import { disposeAfterAll, disposeAfterEach } from '../utils/leftovers.ts';
import { apiKey, bocadaAll, callOn, healthy, type Json } from '../utils/tsimulator.ts';
import { delay } from '../../src/simulators/kit/index.ts';
import { startBocadaSimulator, type BocadaSimulator } from '../../src/simulators/bocada/index.ts';
import { BOCADA_BASE_JOBS, BOCADA_BASE_RESOURCES, BOCADA_KNOWN_RESOURCES } from '../../src/simulators/bocada/seed.ts';

const STATUSES = ['succeeded', 'succeeded_with_warnings', 'failed', 'running', 'queued', 'missed', 'canceled'];
const TERMINAL = ['succeeded', 'succeeded_with_warnings', 'failed', 'missed', 'canceled'];

let sim: BocadaSimulator;
beforeAll(async () => {
  sim = disposeAfterAll(await startBocadaSimulator({ port: 0, stepMs: 30, scheduleEveryMs: 0 }));
});
beforeEach(() => healthy(sim));

const getOn = (target: BocadaSimulator, path: string, headers: Record<string, string> = {}) => callOn(target, `/api/v1${path}`, { auth: apiKey, headers });
const get = (path: string, headers: Record<string, string> = {}) => getOn(sim, path, headers);

/** Every item of a list, following `nextCursor` until it is absent (bounded), checking every page. */
const allOn = (target: BocadaSimulator, path: string, pageSize = 200): Promise<Json[]> =>
  bocadaAll(target, path, {
    limit: pageSize,
    onPage: (res) => {
      expect(res.status, JSON.stringify(res.body)).toBe(200);
      expect(res.body.pagination.pageSize).toBe(pageSize);
      expect(res.body.data.length).toBeLessThanOrEqual(pageSize);
      expect(res.body.pagination.nextCursor).not.toBeNull();
      if (res.body.pagination.nextCursor !== undefined) expect(res.body.data.length).toBe(pageSize);
    },
  });
const all = (path: string, pageSize = 200) => allOn(sim, path, pageSize);

/** Newest first, ties by id ascending. */
/** Jobs of the known resources (seeded besides the `BOCADA_BASE_JOBS * scale` random ones). */
const knownJobsOf = (target: BocadaSimulator) => {
  const known = new Set([target.known.protectedResourceId, target.known.atRiskResourceId, target.known.unprotectedResourceId, target.known.missedRunResourceId]);
  return target.data.jobs.filter((j) => known.has(j.resourceId)).length;
};
const newestFirst = (a: Json, b: Json) => (a.startedAt < b.startedAt ? 1 : a.startedAt > b.startedAt ? -1 : a.id < b.id ? -1 : a.id > b.id ? 1 : 0);

describe('auth and request ids', () => {
  it.each([
    ['no key', {}],
    ['a wrong key', { 'x-api-key': 'bc_live_wrong' }],
    ['the key in another header', { authorization: 'Bearer bocada-demo-key' }],
  ])('answers 401 authentication_failed with %s', async (_label, headers) => {
    const res = await fetch(`${sim.url}/api/v1/organizations`, { headers });
    expect(res.status).toBe(401);
    const body = await res.json();
    expect(body).toEqual({ code: 'authentication_failed', message: expect.any(String), requestId: expect.any(String) });
  });

  it('authenticates with the default demo credential', async () => {
    expect(sim.credential).toBe('bocada-demo-key');
    expect((await get('/organizations')).status).toBe(200);
  });

  it('accepts a custom credential and rejects the default one then', async () => {
    const custom = disposeAfterEach(await startBocadaSimulator({ credential: 'bc_live_custom', scheduleEveryMs: 0 }));
    expect((await getOn(custom, '/system/status')).status).toBe(200);
    const res = await fetch(`${custom.url}/api/v1/system/status`, { headers: { 'x-api-key': 'bocada-demo-key' } });
    expect(res.status).toBe(401);
  });

  it('echoes X-Request-Id on answers and in error bodies, and makes one up when absent', async () => {
    const ok = await get('/system/status', { 'x-request-id': 'trace-123' });
    expect(ok.headers.get('x-request-id')).toBe('trace-123');
    const missing = await get('/resources/nope', { 'x-request-id': 'trace-404' });
    expect(missing.status).toBe(404);
    expect(missing.headers.get('x-request-id')).toBe('trace-404');
    expect(missing.body).toEqual({ code: 'not_found', message: expect.any(String), requestId: 'trace-404' });
    const unauth = await fetch(`${sim.url}/api/v1/organizations`, { headers: { 'x-request-id': 'trace-401' } });
    expect((await unauth.json()).requestId).toBe('trace-401');
    const generated = await get('/system/status');
    expect(generated.headers.get('x-request-id')).toMatch(/^[0-9a-f-]{36}$/);
  });
});

describe('system status', () => {
  it('confirms the key with its scopes, unwrapped', async () => {
    const res = await get('/system/status');
    expect(res.status).toBe(200);
    expect(res.body).toEqual({
      status: 'ok', apiVersion: 'v1', keyId: expect.any(String), scopes: expect.arrayContaining([expect.any(String)]), serverTime: expect.any(String),
    });
    expect(Number.isNaN(Date.parse(res.body.serverTime))).toBe(false);
  });
});

describe('organizations and connections', () => {
  it('lists six organizations, one with a unicode name and one with nothing in it', async () => {
    const orgs = await all('/organizations', 4);
    expect(orgs).toHaveLength(6);
    expect(new Set(orgs.map((o) => o.id)).size).toBe(6);
    for (const o of orgs) expect(Object.keys(o).sort()).toEqual(['createdAt', 'id', 'name']);
    expect(orgs.map((o) => o.name)).toContain('Zürich Ærø Backups 東京');
    const empty = orgs.find((o) => o.name.startsWith('Empty'));
    expect(empty).toBeDefined();
    expect(await all(`/connections?organizationId=${empty.id}`)).toEqual([]);
    expect(await all(`/resources?organizationId=${empty.id}`)).toEqual([]);
    expect(await all(`/backup-jobs?organizationId=${empty.id}`)).toEqual([]);
  });

  it('answers one organization unwrapped, and 404 not_found for an unknown one', async () => {
    const [first] = (await get('/organizations?pageSize=1')).body.data;
    expect((await get(`/organizations/${first.id}`)).body).toEqual(first);
    const missing = await get('/organizations/00000000-0000-4000-8000-000000000000');
    expect(missing.status).toBe(404);
    expect(missing.body.code).toBe('not_found');
  });

  it('has 2-4 connections per non-empty organization, real products, and one in error', async () => {
    const orgs = await all('/organizations');
    const conns = await all('/connections', 3);
    for (const o of orgs.filter((x) => !x.name.startsWith('Empty'))) {
      const mine = await all(`/connections?organizationId=${o.id}`);
      expect(mine.length).toBeGreaterThanOrEqual(2);
      expect(mine.length).toBeLessThanOrEqual(4);
      expect(mine.every((c) => c.organizationId === o.id)).toBe(true);
    }
    for (const c of conns) {
      expect(Object.keys(c).sort()).toEqual(['id', 'name', 'organizationId', 'product', 'status']);
      expect(['connected', 'error', 'disabled']).toContain(c.status);
    }
    expect(conns.filter((c) => c.status === 'error')).toHaveLength(1);
    const products = conns.map((c) => c.product).join(' ');
    for (const p of ['Veeam', 'Commvault', 'Rubrik']) expect(products).toContain(p);
  });
});

describe('resources', () => {
  it('lists about 150 resources of the five types, each once (the known ones too)', async () => {
    const res = await all('/resources', 37);
    expect(res).toHaveLength(BOCADA_BASE_RESOURCES + BOCADA_KNOWN_RESOURCES);
    expect(new Set(res.map((r) => r.id)).size).toBe(BOCADA_BASE_RESOURCES + BOCADA_KNOWN_RESOURCES);
    expect(new Set(res.map((r) => r.type))).toEqual(new Set(['vm', 'database', 'filesystem', 'application', 'saas']));
    for (const r of res) expect(Object.keys(r).sort()).toEqual(['connectionId', 'createdAt', 'id', 'name', 'organizationId', 'type']);
    expect(res.some((r) => /[^\x00-\x7f]/.test(r.name))).toBe(true);
  });

  it('filters by organization, connection and type', async () => {
    const [conn] = (await get('/connections?pageSize=1')).body.data;
    const byConn = await all(`/resources?connectionId=${conn.id}`);
    expect(byConn.length).toBeGreaterThan(0);
    expect(byConn.every((r) => r.connectionId === conn.id && r.organizationId === conn.organizationId)).toBe(true);
    const byOrg = await all(`/resources?organizationId=${conn.organizationId}&type=database`);
    expect(byOrg.length).toBeGreaterThan(0);
    expect(byOrg.every((r) => r.organizationId === conn.organizationId && r.type === 'database')).toBe(true);
    expect(byOrg.length).toBeLessThan((await all(`/resources?organizationId=${conn.organizationId}`)).length);
  });

  it('rejects an unknown type with 400 bad_request', async () => {
    const res = await get('/resources?type=mainframe');
    expect(res.status).toBe(400);
    expect(res.body).toMatchObject({ code: 'bad_request', requestId: expect.any(String) });
  });

  it('answers one resource, and 404 for an unknown one', async () => {
    const [r] = (await get('/resources?pageSize=1&cursor=' + encodeURIComponent((await get('/resources?pageSize=5')).body.pagination.nextCursor))).body.data;
    expect((await get(`/resources/${r.id}`)).body).toEqual(r);
    expect((await get(`/resources/${encodeURIComponent('no such resource')}`)).status).toBe(404);
  });
});

describe('backup jobs', () => {
  let jobs: Json[];
  beforeAll(async () => {
    jobs = await all('/backup-jobs', 173);
  });

  it('pages all ~3000 jobs to the end, each once, newest first with ties by id', () => {
    expect(jobs).toHaveLength(BOCADA_BASE_JOBS + knownJobsOf(sim));
    expect(new Set(jobs.map((j) => j.id)).size).toBe(BOCADA_BASE_JOBS + knownJobsOf(sim));
    expect(jobs).toEqual([...jobs].sort(newestFirst));
    expect(jobs.map((j) => j.id)).toEqual(sim.data.jobs.map((j) => j.id));
  });

  it('covers the 30 days before its anchor with every status', () => {
    const now = sim.anchor.getTime();
    for (const j of jobs) {
      const t = Date.parse(j.startedAt);
      expect(t).toBeLessThanOrEqual(now);
      expect(t).toBeGreaterThanOrEqual(now - 30 * 86_400_000);
      expect(Object.keys(j).sort()).toEqual(
        ['bytesTransferred', 'connectionId', 'endedAt', 'filesTransferred', 'id', 'organizationId', 'resourceId', 'startedAt', 'status'],
      );
      if (j.status === 'running' || j.status === 'queued' || j.status === 'missed') expect(j.endedAt).toBeNull();
      else expect(Date.parse(j.endedAt)).toBeGreaterThan(t);
    }
    expect(new Set(jobs.map((j) => j.status))).toEqual(new Set(STATUSES));
  });

  it('uses 50 as the default page size and omits nextCursor on the last page', async () => {
    const first = await get('/backup-jobs');
    expect(first.body.data).toHaveLength(50);
    expect(first.body.pagination).toEqual({ pageSize: 50, nextCursor: expect.any(String) });
    const org = sim.data.organizations[0].id;
    const few = await all(`/backup-jobs?organizationId=${org}&status=queued`);
    const single = await get(`/backup-jobs?organizationId=${org}&status=queued&pageSize=200`);
    expect(single.body.data).toHaveLength(few.length);
    expect(single.body.pagination).toEqual({ pageSize: 200 });
  });

  it('sorts oldest first with sort=startedAt, the exact reverse order, through every page', async () => {
    const asc = await all('/backup-jobs?sort=startedAt', 200);
    expect(asc.map((j) => j.id)).toEqual([...jobs].reverse().map((j) => j.id));
    expect((await get('/backup-jobs?sort=-startedAt&pageSize=3')).body.data.map((j: Json) => j.id)).toEqual(jobs.slice(0, 3).map((j) => j.id));
  });

  it.each([
    ['pageSize=0'], ['pageSize=201'], ['pageSize=ten'], ['pageSize=-5'], ['cursor=%%%garbage'], ['cursor=eyJjIjo1fQ'],
    ['sort=name'], ['sort=startedat'], ['status=exploded'], ['status=FAILED'], ['startedAfter=yesterday'], ['startedBefore=2026-13-45'],
  ])('rejects %s with 400 bad_request in the error shape', async (q) => {
    const res = await get(`/backup-jobs?${q}`, { 'x-request-id': `bad-${q}` });
    expect(res.status).toBe(400);
    expect(res.body).toMatchObject({ code: 'bad_request', message: expect.any(String), requestId: `bad-${q}` });
  });

  it.each([['/organizations'], ['/connections'], ['/resources']])('rejects a malformed cursor on %s', async (path) => {
    const jobCursor = (await get('/backup-jobs?pageSize=1')).body.pagination.nextCursor;
    for (const cursor of ['!!!', jobCursor, Buffer.from('{"c":-1}').toString('base64url'), Buffer.from('{"c":99999}').toString('base64url')]) {
      const res = await get(`${path}?cursor=${encodeURIComponent(cursor)}`);
      expect(res.status, cursor).toBe(400);
      expect(res.body.code).toBe('bad_request');
    }
  });

  it('ignores unknown query parameters', async () => {
    const res = await get('/backup-jobs?pageSize=2&colour=blue');
    expect(res.status).toBe(200);
    expect(res.body.data.map((j: Json) => j.id)).toEqual(jobs.slice(0, 2).map((j) => j.id));
  });

  it('filters by organization, resource, status and time window', async () => {
    const pivot = jobs.find((j) => j.status === 'failed')!;
    const byResource = await all(`/backup-jobs?resourceId=${pivot.resourceId}&status=failed`);
    expect(byResource.map((j) => j.id)).toEqual(jobs.filter((j) => j.resourceId === pivot.resourceId && j.status === 'failed').map((j) => j.id));
    expect(byResource.map((j) => j.id)).toContain(pivot.id);

    const day = 86_400_000;
    const after = new Date(sim.anchor.getTime() - 10 * day).toISOString();
    const before = new Date(sim.anchor.getTime() - 5 * day + 6.5 * 3_600_000).toISOString();
    const windowed = await all(`/backup-jobs?organizationId=${pivot.organizationId}&startedAfter=${after}&startedBefore=${before}`, 50);
    const truth = jobs.filter((j) => j.organizationId === pivot.organizationId && Date.parse(j.startedAt) >= Date.parse(after) && Date.parse(j.startedAt) < Date.parse(before));
    expect(truth.length).toBeGreaterThan(0);
    expect(windowed.map((j) => j.id)).toEqual(truth.map((j) => j.id));

    for (const s of STATUSES) {
      const page = (await get(`/backup-jobs?status=${s}&pageSize=200`)).body.data;
      expect(page.length, s).toBeGreaterThan(0);
      expect(page.every((j: Json) => j.status === s)).toBe(true);
    }
  });

  it('treats startedAfter as inclusive and startedBefore as exclusive', async () => {
    const j = jobs[100];
    const at = (await all(`/backup-jobs?startedAfter=${j.startedAt}&startedBefore=${new Date(Date.parse(j.startedAt) + 1).toISOString()}`)).map((x) => x.id);
    expect(at).toContain(j.id);
    expect((await all(`/backup-jobs?startedBefore=${j.startedAt}&startedAfter=${new Date(Date.parse(j.startedAt) - 1).toISOString()}`)).map((x) => x.id)).not.toContain(j.id);
  });

  it('answers one job unwrapped, and 404 not_found for an unknown one', async () => {
    for (const j of [jobs[0], jobs[1234], jobs.at(-1)!]) expect((await get(`/backup-jobs/${j.id}`)).body).toEqual(j);
    // An id of the right shape with one digit changed is unknown.
    const almost = jobs[10].id.slice(0, -1) + (jobs[10].id.endsWith('0') ? '1' : '0');
    for (const id of [almost, 'nope']) {
      const res = await get(`/backup-jobs/${id}`);
      expect(res.status).toBe(404);
      expect(res.body.code).toBe('not_found');
    }
  });

  it('computes each job a deterministic timeline, oldest first, matching its status', async () => {
    const sample = (s: string) => jobs.find((j) => j.status === s)!;
    for (const s of STATUSES) {
      const job = sample(s);
      const a = await get(`/backup-jobs/${job.id}/timeline`);
      expect(a.status).toBe(200);
      const events: Json[] = a.body.data;
      expect(events.length).toBeGreaterThan(0);
      expect(a.body.pagination).toEqual({ pageSize: 50 });
      expect((await get(`/backup-jobs/${job.id}/timeline`)).body).toEqual(a.body);
      for (const e of events) {
        expect(Object.keys(e).sort()).toEqual(['id', 'jobId', 'message', 'severity', 'timestamp']);
        expect(e.jobId).toBe(job.id);
        expect(['info', 'warning', 'error']).toContain(e.severity);
      }
      const times = events.map((e) => e.timestamp);
      expect(times).toEqual([...times].sort());
      expect(new Set(events.map((e) => e.id)).size).toBe(events.length);
      const severities = new Set(events.map((e) => e.severity));
      if (s === 'failed' || s === 'missed') expect(severities.has('error'), s).toBe(true);
      if (s === 'succeeded_with_warnings' || s === 'canceled') expect(severities.has('warning'), s).toBe(true);
      if (s === 'succeeded') expect(severities).toEqual(new Set(['info']));
    }
    const paged = await get(`/backup-jobs/${sample('failed').id}/timeline?pageSize=1`);
    expect(paged.body.data).toHaveLength(1);
    expect(paged.body.pagination.nextCursor).toEqual(expect.any(String));
    expect((await get('/backup-jobs/nope/timeline')).status).toBe(404);
  });
});

describe('throttling and faults', () => {
  it('sends RateLimit-Limit, -Remaining and -Reset (integer seconds) on answers, errors included', async () => {
    sim.setRateLimit({ limit: 50, windowMs: 60_000 });
    const ok = await get('/organizations');
    expect(ok.headers.get('ratelimit-limit')).toBe('50');
    expect(ok.headers.get('ratelimit-remaining')).toBe('49');
    expect(ok.headers.get('ratelimit-reset')).toMatch(/^\d+$/);
    expect(Number(ok.headers.get('ratelimit-reset'))).toBeGreaterThan(0);
    expect(Number(ok.headers.get('ratelimit-reset'))).toBeLessThanOrEqual(60);
    const notFound = await get('/backup-jobs/nope');
    expect(notFound.headers.get('ratelimit-remaining')).toBe('48');
    const bad = await get('/backup-jobs?pageSize=0');
    expect(bad.headers.get('ratelimit-limit')).toBe('50');
  });

  it('answers 429 rate_limit_exceeded with RateLimit-Limit, RateLimit-Reset and Retry-After once the window is used up', async () => {
    sim.setRateLimit({ limit: 2, windowMs: 60_000 });
    sim.resetStats();
    expect((await get('/organizations')).status).toBe(200);
    expect((await get('/organizations')).headers.get('ratelimit-remaining')).toBe('0');
    const limited = await get('/organizations', { 'x-request-id': 'slow-down' });
    expect(limited.status).toBe(429);
    expect(limited.body).toEqual({ code: 'rate_limit_exceeded', message: expect.any(String), requestId: 'slow-down' });
    expect(limited.headers.get('ratelimit-limit')).toBe('2');
    expect(limited.headers.get('ratelimit-remaining')).toBe('0');
    const reset = Number(limited.headers.get('ratelimit-reset'));
    expect(Number.isInteger(reset) && reset > 0 && reset <= 60).toBe(true);
    expect(Number(limited.headers.get('retry-after'))).toBeGreaterThanOrEqual(1);
    expect(sim.stats.rateLimited).toBe(1);
  });

  it('counts requests per route and injects forced statuses in the error shape', async () => {
    sim.resetStats();
    sim.setFault('GET /api/v1/organizations', { forceStatus: 503 });
    const res = await get('/organizations', { 'x-request-id': 'fault-1' });
    expect(res.status).toBe(503);
    expect(res.body).toMatchObject({ code: expect.any(String), message: expect.any(String), requestId: 'fault-1' });
    expect((await get('/system/status')).status).toBe(200);
    expect(sim.stats.byRoute['GET /api/v1/organizations']).toBe(1);
    expect(sim.stats.byRoute['GET /api/v1/system/status']).toBe(1);
    sim.setFault('GET /api/v1/organizations', { forceStatusTimes: 1, errorStatus: 502 });
    expect((await get('/organizations')).status).toBe(502);
    expect((await get('/organizations')).status).toBe(200);
  });

  it('answers a garbage body when told to', async () => {
    sim.setFault('GET /api/v1/backup-jobs/:id', { garbageBody: '<html>oops</html>' });
    const res = await get(`/backup-jobs/${sim.data.jobs[0].id}`);
    expect(res.status).toBe(200);
    expect(res.body).toBe('<html>oops</html>');
  });

  it('answers 404 not_found for an unknown route', async () => {
    const res = await get('/backups');
    expect(res.status).toBe(404);
    expect(res.body.code).toBe('not_found');
  });
});

describe('dataset determinism and scale', () => {
  it('builds the same dataset from the same seed and another from another seed', async () => {
    const twin = disposeAfterEach(await startBocadaSimulator({ scheduleEveryMs: 0, anchor: sim.anchor }));
    const other = disposeAfterEach(await startBocadaSimulator({ scheduleEveryMs: 0, dataSeed: 7, anchor: sim.anchor }));
    expect((await getOn(twin, '/backup-jobs?pageSize=20')).body).toEqual((await get('/backup-jobs?pageSize=20')).body);
    expect((await getOn(twin, '/organizations')).body).toEqual((await get('/organizations')).body);
    expect((await getOn(other, '/organizations')).body.data[0].id).not.toBe((await get('/organizations')).body.data[0].id);
  });

  it('multiplies resources and jobs by scale, and still finds any job by id', async () => {
    const big = disposeAfterEach(await startBocadaSimulator({ scheduleEveryMs: 0, scale: 3 }));
    expect(big.data.resources).toHaveLength(3 * BOCADA_BASE_RESOURCES + BOCADA_KNOWN_RESOURCES);
    expect(big.jobStore.size).toBe(3 * BOCADA_BASE_JOBS + knownJobsOf(big));
    expect((await allOn(big, '/resources')).length).toBe(3 * BOCADA_BASE_RESOURCES + BOCADA_KNOWN_RESOURCES);
    const last = (await getOn(big, '/backup-jobs?sort=startedAt&pageSize=1')).body.data[0];
    expect((await getOn(big, `/backup-jobs/${last.id}`)).body).toEqual(last);
    expect(big.data.organizations).toHaveLength(6);
  });
});

describe('scheduled work', () => {
  it('adds jobs that move queued -> running -> terminal, newest first, without shifting keyset pages', async () => {
    const live = disposeAfterEach(await startBocadaSimulator({ stepMs: 40, scheduleEveryMs: 25, anchor: sim.anchor }));
    // A cursor issued before any job was added (same seed and anchor, so the static simulator's is the same).
    const firstPage = await get('/backup-jobs?pageSize=5&sort=-startedAt');
    const seededIds = new Set(sim.data.jobs.map((j) => j.id));

    // Follow the first new job over HTTP until it reaches a terminal status (bounded polling).
    let id: string | undefined;
    const seen: string[] = [];
    for (let i = 0; i < 400 && !TERMINAL.includes(seen.at(-1) ?? ''); i++) {
      if (!id) {
        const page = await getOn(live, '/backup-jobs?pageSize=3');
        const fresh = page.body.data.find((j: Json) => !seededIds.has(j.id));
        if (fresh) {
          id = fresh.id;
          seen.push(fresh.status);
          expect(Date.parse(fresh.startedAt)).toBeGreaterThan(live.anchor.getTime());
        }
      } else {
        const job = (await getOn(live, `/backup-jobs/${id}`)).body;
        if (seen.at(-1) !== job.status) seen.push(job.status);
      }
      await delay(5);
    }
    expect(seen[0]).toMatch(/^(queued|running)$/);
    expect(seen).toContain('running');
    expect(TERMINAL).toContain(seen.at(-1));
    expect(seen.indexOf('running')).toBeGreaterThan(seen[0] === 'queued' ? 0 : -1);
    const done = (await getOn(live, `/backup-jobs/${id}`)).body;
    expect(done.endedAt).not.toBeNull();
    expect(done.bytesTransferred).toBeGreaterThan(0);

    // The page after the first page is the same page it was before the new jobs appeared.
    expect(live.jobStore.size).toBeGreaterThan(sim.jobStore.size);
    const next = await getOn(live, `/backup-jobs?pageSize=5&cursor=${encodeURIComponent(firstPage.body.pagination.nextCursor)}`);
    expect(next.body.data.map((j: Json) => j.id)).toEqual(sim.data.jobs.slice(5, 10).map((j) => j.id));
    // New jobs are filterable like the seeded ones.
    const running = await getOn(live, `/backup-jobs?status=running&startedAfter=${new Date(live.anchor.getTime() + 1).toISOString()}`);
    expect(running.body.data.every((j: Json) => j.status === 'running' && !seededIds.has(j.id))).toBe(true);
  });

  it('adds no jobs with scheduleEveryMs 0', async () => {
    const quiet = disposeAfterEach(await startBocadaSimulator({ stepMs: 5, scheduleEveryMs: 0 }));
    // Absence cannot be awaited: give a would-be 0 ms timer a few turns to fire.
    await delay(30);
    expect(quiet.jobStore.size).toBe(BOCADA_BASE_JOBS + knownJobsOf(quiet));
  });
});
