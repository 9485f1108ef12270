import { beforeAll, beforeEach, describe, expect, it } from 'vitest';
import { disposeAfterAll, disposeAfterEach } from '../utils/leftovers.ts';
import { bocadaAll, healthy } from '../utils/tsimulator.ts';
import { createBocadaAdapter } from '../../src/providers/bocada/index.ts';
import { bocadaJobStatus } from '../../src/providers/bocada/mapper.ts';
import { startBocadaSimulator, type BocadaSimulator } from '../../src/simulators/bocada/index.ts';
import { ProviderHttpError, ProviderResponseError } from '../../src/upstream/errors.ts';

let sim: BocadaSimulator;
beforeAll(async () => {
  sim = disposeAfterAll(await startBocadaSimulator({ stepMs: 30, scheduleEveryMs: 0 }));
});
beforeEach(() => healthy(sim));

const get = (path: string, headers: Record<string, string> = {}) =>
  fetch(`${sim.url}/api/v1${path}`, { headers: { 'x-api-key': sim.credential, ...headers } });
const json = async (path: string) => (await get(path)).json() as Promise<any>;
const all = (path: string, pageSize = 200) => bocadaAll(sim, path, { limit: pageSize });

describe('Bocada simulator over HTTP', () => {
  it.each([[{}], [{ 'x-api-key': 'wrong' }]])('answers 401 authentication_failed without a valid key (%j)', async (headers) => {
    const res = await fetch(`${sim.url}/api/v1/organizations`, { headers });
    expect(res.status).toBe(401);
    expect(await res.json()).toMatchObject({ code: 'authentication_failed', message: expect.any(String), requestId: expect.any(String) });
  });

  it('echoes X-Request-Id in the header and in error bodies, and makes one up when absent', async () => {
    const ok = await get('/system/status', { 'x-request-id': 'trace-123' });
    expect(ok.headers.get('x-request-id')).toBe('trace-123');
    const missing = await get('/resources/nope', { 'x-request-id': 'trace-404' });
    expect(missing.status).toBe(404);
    expect(await missing.json()).toMatchObject({ code: 'not_found', requestId: 'trace-404' });
    expect((await get('/system/status')).headers.get('x-request-id')).toMatch(/^[0-9a-f-]{36}$/);
  });

  it('pages every list to the end, each item once, and stops when nextCursor is absent', async () => {
    const jobs = await all('/backup-jobs', 173);
    expect(jobs.length).toBe(sim.data.jobs.length);
    expect(new Set(jobs.map((j) => j.id)).size).toBe(jobs.length);
    const started = jobs.map((j) => j.startedAt);
    expect(started).toEqual([...started].sort().reverse());
    expect((await all('/resources', 37)).length).toBe(sim.data.resources.length);
  });

  it.each([['pageSize=0'], ['pageSize=201'], ['pageSize=ten'], ['cursor=%%%garbage'], ['sort=name'], ['status=exploded'], ['startedAfter=yesterday']])(
    'rejects %s with 400 bad_request',
    async (q) => {
      const res = await get(`/backup-jobs?${q}`);
      expect(res.status).toBe(400);
      expect((await res.json()).code).toBe('bad_request');
    },
  );

  it('filters jobs by organization, resource, status and time, and sorts ascending on request', async () => {
    const job = sim.data.jobs.find((j) => j.status === 'failed')!;
    const byRes = await all(`/backup-jobs?resourceId=${job.resourceId}&status=failed`);
    expect(byRes.length).toBeGreaterThan(0);
    expect(byRes.every((j) => j.resourceId === job.resourceId && j.status === 'failed')).toBe(true);
    const since = new Date(sim.anchor.getTime() - 5 * 86_400_000).toISOString();
    const recent = await all(`/backup-jobs?organizationId=${job.organizationId}&startedAfter=${since}&sort=startedAt`);
    expect(recent.every((j) => j.organizationId === job.organizationId && j.startedAt >= since)).toBe(true);
    expect(recent.map((j) => j.startedAt)).toEqual(recent.map((j) => j.startedAt).sort());
  });

  it('has an empty organization, connections with an error, and job timelines', async () => {
    const orgs = await all('/organizations');
    const empty = orgs.find((o) => o.name.startsWith('Empty'));
    expect((await all(`/resources?organizationId=${empty.id}`)).length).toBe(0);
    expect((await all(`/connections?organizationId=${empty.id}`)).length).toBe(0);
    expect(orgs.some((o) => /[^\x00-\x7f]/.test(o.name))).toBe(true);
    expect((await all('/connections')).some((c) => c.status === 'error')).toBe(true);
    const failed = sim.data.jobs.find((j) => j.status === 'failed')!;
    const tl = await json(`/backup-jobs/${failed.id}/timeline`);
    expect(tl.data.some((e: any) => e.severity === 'error')).toBe(true);
    expect(tl.data.map((e: any) => e.timestamp)).toEqual([...tl.data.map((e: any) => e.timestamp)].sort());
  });

  it('sends RateLimit headers on every answer and 429 with RateLimit-Reset and Retry-After', async () => {
    const ok = await get('/organizations');
    expect(ok.headers.get('ratelimit-limit')).toBe('100000');
    expect(Number(ok.headers.get('ratelimit-remaining'))).toBeGreaterThan(0);
    sim.setRateLimit({ limit: 1, windowMs: 30_000 });
    await get('/organizations');
    const limited = await get('/organizations');
    expect(limited.status).toBe(429);
    expect((await limited.json()).code).toBe('rate_limit_exceeded');
    expect(Number(limited.headers.get('ratelimit-reset'))).toBeGreaterThan(0);
    expect(Number(limited.headers.get('retry-after'))).toBeGreaterThan(0);
  });

  it('counts requests per route and injects faults', async () => {
    sim.resetStats();
    sim.setFault('GET /api/v1/organizations', { forceStatus: 503 });
    expect((await get('/organizations')).status).toBe(503);
    expect(sim.stats.byRoute['GET /api/v1/organizations']).toBe(1);
  });
});

describe('Bocada scheduled work', () => {
  it('adds jobs that move queued -> running -> terminal', async () => {
    const live = disposeAfterEach(await startBocadaSimulator({ stepMs: 20, scheduleEveryMs: 30 }));
    const before = new Set(live.data.jobs.map((j) => j.id));
    const statuses: string[] = [];
    let id: string | undefined;
    // Poll the simulator over HTTP (bounded) for the first new job, then follow that one.
    for (let i = 0; i < 500 && !['succeeded', 'failed', 'succeeded_with_warnings'].includes(statuses.at(-1) ?? ''); i++) {
      if (!id) {
        const page = await (await fetch(`${live.url}/api/v1/backup-jobs?pageSize=5`, { headers: { 'x-api-key': live.credential } })).json();
        id = page.data.map((j: any) => j.id).find((x: string) => !before.has(x));
      } else {
        const job = await (await fetch(`${live.url}/api/v1/backup-jobs/${id}`, { headers: { 'x-api-key': live.credential } })).json();
        if (statuses.at(-1) !== job.status) statuses.push(job.status);
      }
      await new Promise((r) => setTimeout(r, 5));
    }
    expect(statuses.length).toBeGreaterThanOrEqual(2);
    expect(['queued', 'running']).toContain(statuses[0]);
    expect(['succeeded', 'failed', 'succeeded_with_warnings']).toContain(statuses.at(-1));
  });
});

describe('Bocada adapter', () => {
  const ref = { id: 'bocada', kind: 'bocada' as const, name: 'Bocada' };
  const ctx = () => ({ requestId: 'req-1', memo: new Map<string, Promise<unknown>>() });
  const adapter = () => disposeAfterAll(createBocadaAdapter({ ref, baseUrl: sim.url, secret: sim.credential }));

  it('pages jobs to the end with each job once, pushing filters down', async () => {
    const a = adapter();
    const res = sim.data.resources[3];
    const seen: string[] = [];
    let after: string | null = null;
    do {
      const page = await a.lists.job!({ after, limit: 7, filter: { resourceId: res.id } }, ctx());
      seen.push(...page.items.map((j) => j.nativeId));
      expect(page.items.every((j) => j.resourceNativeId === res.id)).toBe(true);
      after = page.next;
    } while (after);
    expect(seen.sort()).toEqual(sim.data.jobs.filter((j) => j.resourceId === res.id).map((j) => j.id).sort());
  });

  it('looks up many resources through the list, not one call each', async () => {
    const a = adapter();
    sim.resetStats();
    const ids = [...sim.data.resources.slice(0, 20).map((r) => r.id), 'missing-id'];
    const found = await a.lookups.resource!(ids, ctx());
    expect(found.slice(0, 20).map((r: any) => r.nativeId)).toEqual(ids.slice(0, 20));
    expect(found[20]).toBeNull();
    expect(sim.stats.byRoute['GET /api/v1/resources/:id'] ?? 0).toBe(0);
    expect(sim.stats.byRoute['GET /api/v1/resources']).toBe(1);
  });

  it('serves the timeline and connection fields', async () => {
    const a = adapter();
    const job = sim.data.jobs.find((j) => j.status === 'succeeded_with_warnings')!;
    const [model] = await a.lookups.job!([job.id], ctx());
    const timeline = (await a.fieldResolvers!.BocadaJob.timeline(model, {}, ctx())) as any[];
    expect(timeline.some((e) => e.severity === 'WARNING')).toBe(true);
    const [res] = await a.lookups.resource!([job.resourceId], ctx());
    expect(await a.fieldResolvers!.BocadaResource.connection(res, {}, ctx())).toMatchObject({ id: job.connectionId });
  });

  it('types upstream failures and never leaks the key', async () => {
    const bad = disposeAfterEach(createBocadaAdapter({ ref, baseUrl: sim.url, secret: 'bc_live_leaky' }));
    const err = await bad.lists.organization!({ after: null, limit: 5, filter: {} }, ctx()).catch((e) => e);
    expect(err).toBeInstanceOf(ProviderHttpError);
    expect(err.status).toBe(401);
    expect(JSON.stringify({ m: err.message, ...err })).not.toContain('bc_live_leaky');
    expect((await bad.health(ctx())).status).toBe('DOWN');
    sim.setFault('GET /api/v1/organizations', { garbageBody: '<html>oops</html>' });
    await expect(adapter().lists.organization!({ after: null, limit: 5, filter: {} }, ctx())).rejects.toBeInstanceOf(ProviderResponseError);
  });

  it('turns a tampered resume token into BAD_USER_INPUT', async () => {
    await expect(adapter().lists.job!({ after: 'tampered', limit: 5, filter: {} }, ctx())).rejects.toMatchObject({ code: 'BAD_USER_INPUT' });
  });

  it.each([
    ['succeeded', 'SUCCEEDED'], ['SUCCEEDED_WITH_WARNINGS', 'SUCCEEDED_WITH_WARNINGS'], ['failed', 'FAILED'], ['Running', 'RUNNING'],
    ['queued', 'QUEUED'], ['missed', 'MISSED'], ['canceled', 'CANCELED'], ['paused', 'UNKNOWN'],
  ])('maps job status %s to %s', (raw, status) => {
    expect(bocadaJobStatus.map(raw)).toBe(status);
  });
});
