/**
 * Protection and RPO end to end, over the four simulators: each provider's seeded known resources
 * (one PROTECTED, one AT_RISK by age, one UNPROTECTED, one with a missed run) against expectations
 * computed from the simulators' own data; `protectionSummary` against the per-resource statuses;
 * `jobStats` against the jobs list; and the upstream cost of `protection` over 200 resources.
 *
 * The gateway's clock is pinned two minutes after the simulators' anchor (today), so every status
 * is computed at one instant however long the file runs; the data is seeded relative to the anchor.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { encodeGlobalId } from '../../src/domain/ids.ts';
import { nextCronRun } from '../../src/simulators/kit/cron.ts';
import type { BocadaSimulator } from '../../src/simulators/bocada/index.ts';
import type { BycloudSimulator } from '../../src/simulators/bycloud/index.ts';
import type { NorcubeSimulator } from '../../src/simulators/norcube/index.ts';
import type { OcoreSimulator } from '../../src/simulators/ocore/index.ts';
import { callOn, healthy, norcubeAll, pollUntil, type Json } from '../utils/tsimulator.ts';
import { tgateway, upstreamCounts, type TGateway } from '../utils/tgateway.ts';

const H = 3_600_000;
/** The config default the known at-risk resources are measured against (their schedules are off). */
const DEFAULT_RPO_SECONDS = 36 * 3600;

let t: TGateway;
let now: number;
let bocada: BocadaSimulator;
let norcube: NorcubeSimulator;
let bycloud: BycloudSimulator;
let ocore: OcoreSimulator;

beforeAll(async () => {
  const anchor = new Date();
  now = anchor.getTime() + 2 * 60_000;
  t = await tgateway({ anchor, gateway: { clock: { now: () => now }, insight: { rpo: { defaultSeconds: DEFAULT_RPO_SECONDS } } } });
  for (const s of t.sims.list) healthy(s.simulator);
  bocada = t.sims.get('bocada').simulator as BocadaSimulator;
  norcube = t.sims.get('norcube').simulator as NorcubeSimulator;
  bycloud = t.sims.get('bycloud').simulator as BycloudSimulator;
  ocore = t.sims.get('ocore').simulator as OcoreSimulator;
  // oCore continues its seeded in-flight backups once it serves a request: let them end first, so
  // the data holds still while statuses are compared.
  const inFlight = ocore.fixtures().inFlightBackupIds;
  await pollUntil(
    async () => Promise.all(inFlight.map(async (id) => (await callOn(ocore, `/api/backups/${id}`)).body.status)),
    (statuses) => statuses.every((s: string) => s === 'completed' || s === 'failed'),
    { tries: 500 },
  );
});
afterAll(async () => {
  for (const secret of t.secrets) for (const body of t.bodies) expect(body.includes(secret)).toBe(false);
});

const PROTECTION = `protection {
  status reasons lastSuccessfulBackupAt lastAttempt { at status } rpoSeconds rpoSource rpoMet nextScheduledRunAt
  missedRuns { scheduledAt reportedByProvider }
  recoverability { verified source checkedAt providerStatus detail backupId }
}`;

/** The protection of resources by global id, in one request (each provider's four in one batch). */
async function protectionOf(ids: string[]): Promise<Json[]> {
  const r = await t.gql(`query($ids: [ID!]!) { nodes(ids: $ids) { id ... on Resource { name ${PROTECTION} } } }`, { ids });
  expect(r.errors).toBeUndefined();
  return r.data.nodes.map((n: Json) => n.protection);
}

const rid = (provider: string, nativeId: string) => encodeGlobalId(provider, 'resource', nativeId);
const isoOf = (v: string | number) => new Date(v).toISOString();

/** What every known resource shares: the status and target by kind of resource. */
function expectKnown(p: Json[], rpo: { seconds: number; source: string }, atRiskRpo = { seconds: DEFAULT_RPO_SECONDS, source: 'DEFAULT' }) {
  const [ok, stale, never, missed] = p;
  expect(ok).toMatchObject({ status: 'PROTECTED', rpoSeconds: rpo.seconds, rpoSource: rpo.source, rpoMet: true, missedRuns: [] });
  expect(stale).toMatchObject({ status: 'AT_RISK', rpoSeconds: atRiskRpo.seconds, rpoSource: atRiskRpo.source, rpoMet: false, missedRuns: [] });
  expect(stale.reasons).toEqual([expect.stringMatching(/^the last successful backup is .* old, older than the RPO target/)]);
  expect(stale.lastAttempt.status).toBe('SUCCEEDED');
  expect(never).toMatchObject({ status: 'UNPROTECTED', lastSuccessfulBackupAt: null, reasons: ['no backup has ever succeeded'], lastAttempt: { status: 'FAILED' } });
  expect(missed).toMatchObject({ status: 'AT_RISK', rpoSeconds: rpo.seconds, rpoMet: true, lastAttempt: { status: 'SUCCEEDED' } });
  expect(missed.reasons).toEqual([expect.stringMatching(/^1 run missed in the last /)]);
}

describe('Resource.protection of the known resources', () => {
  it('Bocada: last success and attempts from its job list, missed runs from its own MISSED jobs, targets from config', async () => {
    const k = bocada.known;
    const ids = [k.protectedResourceId, k.atRiskResourceId, k.unprotectedResourceId, k.missedRunResourceId];
    const p = await protectionOf(ids.map((id) => rid('bocada', id)));
    expectKnown(p, { seconds: DEFAULT_RPO_SECONDS, source: 'DEFAULT' });
    ids.forEach((id, i) => {
      const jobs = bocada.data.jobs.filter((j) => j.resourceId === id);
      const success = jobs.find((j) => j.status === 'succeeded');
      expect(p[i].lastSuccessfulBackupAt).toBe(success ? isoOf(success.endedAt!) : null);
      expect(p[i].lastAttempt).toEqual({ at: isoOf(jobs[0].startedAt), status: { succeeded: 'SUCCEEDED', failed: 'FAILED' }[jobs[0].status as string] });
      expect(p[i]).toMatchObject({ nextScheduledRunAt: null, recoverability: null });
    });
    const missedJob = bocada.data.jobs.find((j) => j.resourceId === k.missedRunResourceId && j.status === 'missed')!;
    expect(p[3].missedRuns).toEqual([{ scheduledAt: isoOf(missedJob.startedAt), reportedByProvider: true }]);
    expect(Math.abs(Date.parse(missedJob.startedAt) - Date.parse(k.missedSlot))).toBeLessThan(1000);
  });

  it('Norcube: last success from the data source, schedules from its policy (6-hourly, UTC), verification as recoverability', async () => {
    const k = norcube.known();
    const ids = [k.protectedDataSourceId, k.atRiskDataSourceId, k.unprotectedDataSourceId, k.missedRunDataSourceId];
    const p = await protectionOf(ids.map((id) => rid('norcube', id)));
    // 6 hours between runs, plus 25%; the at-risk one's only attachment is disabled (no schedule: the default).
    expectKnown(p, { seconds: 7.5 * 3600, source: 'SCHEDULE' });
    for (const [i, id] of ids.entries()) {
      const ds = (await callOn(norcube, `/datasources/${id}`)).body;
      expect(p[i].lastSuccessfulBackupAt).toBe(ds.lastBackupAt ? isoOf(ds.lastBackupAt) : null);
      const [newest] = await norcubeAll(norcube, `/backups?datasourceIDs=${id}`);
      expect(p[i].lastAttempt.at).toBe(isoOf(newest.jobStartedAt ?? newest.jobCreatedAt));
      if (i === 1) expect(p[i].nextScheduledRunAt).toBeNull();
      else expect(Date.parse(p[i].nextScheduledRunAt)).toBeGreaterThan(now - 6 * H);
    }
    expect(p[3].missedRuns).toEqual([{ scheduledAt: k.missedSlot, reportedByProvider: false }]);
  });

  it('ByCloud: backups as attempts, schedules from the volumes\' scheduler tags, names from metadata', async () => {
    const k = bycloud.known;
    const ids = [k.protectedVolumeId, k.atRiskVolumeId, k.unprotectedVolumeId, k.missedRunVolumeId];
    const r = await t.gql(`query($ids: [ID!]!) { nodes(ids: $ids) { ... on Resource { name } } }`, { ids: ids.map((id) => rid('bycloud', `vol:${id}`)) });
    expect(r.data.nodes.map((n: Json) => n.name)).toEqual(['web-frontend-data', 'analytics-scratch', 'ml-training-set', 'postgres-wal-archive']);
    const p = await protectionOf(ids.map((id) => rid('bycloud', `vol:${id}`)));
    expectKnown(p, { seconds: 7.5 * 3600, source: 'SCHEDULE' });
    ids.forEach((id, i) => {
      const backups = bycloud.volumeBackups.filter((b) => b.volume_id === id);
      const made = backups.find((b) => b.status === 'available');
      expect(p[i].lastSuccessfulBackupAt).toBe(made ? isoOf(made.updated_at) : null);
      expect(p[i].lastAttempt.at).toBe(isoOf(backups[0].created_at));
    });
    expect(p[3].missedRuns).toEqual([{ scheduledAt: k.missedSlot, reportedByProvider: false }]);
  });

  it('oCore: project backups as attempts, the environment schedule (db every 8 h), recovery evidence of the newest backup', async () => {
    const k = ocore.fixtures().known;
    const ids = [k.protectedEnvironmentId, k.atRiskEnvironmentId, k.unprotectedEnvironmentId, k.missedRunEnvironmentId];
    const p = await protectionOf(ids.map((id) => rid('ocore', id)));
    // db every 8 hours with a full one between: 8 hours plus 25%; the at-risk one's schedule is disabled.
    expectKnown(p, { seconds: 10 * 3600, source: 'SCHEDULE' });
    for (const [i, id] of ids.entries()) {
      const { backups } = (await callOn(ocore, `/api/environments/${id}/backups?limit=100`)).body;
      const done = backups.find((b: Json) => b.status === 'completed');
      expect(p[i].lastSuccessfulBackupAt).toBe(done ? isoOf(done.completedAt) : null);
      expect(p[i].lastAttempt.at).toBe(isoOf(backups[0].startedAt));
      if (done) {
        expect(p[i].recoverability).toEqual({
          verified: done.recoveryEvidence.status === 'green', source: 'ocore.recoveryEvidence', checkedAt: isoOf(done.completedAt),
          providerStatus: done.recoveryEvidence.status, detail: done.recoveryEvidence.reason, backupId: encodeGlobalId('ocore', 'backup', done.id),
        });
      } else expect(p[i].recoverability).toBeNull();
    }
    // The schedule's next run at the gateway's pinned instant, not the simulator's `next*BackupAt`:
    // those are computed at the simulator's clock, which a slot falling in between would split.
    const schedule = (await callOn(ocore, `/api/environments/${k.protectedEnvironmentId}/backup-schedule`)).body;
    const next = [schedule.dbCron, schedule.fullCron].map((cron: string) => nextCronRun(cron, now, schedule.timezone ?? 'UTC'));
    expect(next.every((at) => at !== null)).toBe(true);
    expect(p[0].nextScheduledRunAt).toBe(isoOf(Math.min(...(next as number[]))));
    expect(p[3].missedRuns).toEqual([{ scheduledAt: k.missedSlot, reportedByProvider: false }]);
  });

  it('missedRuns(since:) looks further back than the RPO window, and refuses a future instant', async () => {
    const id = rid('norcube', norcube.known().missedRunDataSourceId);
    const q = `query($id: ID!, $since: DateTime) { node(id: $id) { ... on Resource { protection { missedRuns(since: $since) { scheduledAt } } } } }`;
    const week = await t.gql(q, { id, since: isoOf(now - 7 * 24 * H) });
    expect(week.data.node.protection.missedRuns).toEqual([{ scheduledAt: norcube.known().missedSlot }]);
    const future = await t.gql(q, { id, since: isoOf(now + H) });
    expect(future.errors?.[0].extensions).toMatchObject({ code: 'BAD_USER_INPUT', field: 'since' });
  });
});

/** Every resource with its provider and protection status, paged to the end; the upstream calls of each page per provider. */
async function walkResources(): Promise<{ statuses: Array<{ provider: string; status: string }>; calls: Array<Record<string, number>>; sizes: Array<Record<string, number>> }> {
  const statuses: Array<{ provider: string; status: string }> = [];
  const calls: Array<Record<string, number>> = [];
  const sizes: Array<Record<string, number>> = [];
  let after: string | null = null;
  do {
    t.resetStats();
    const r: Json = await t.gql(`query($after: String) { resources(first: 100, after: $after) { nodes { provider { id } protection { status } } pageInfo { hasNextPage endCursor } } }`, { after });
    expect(r.errors).toBeUndefined();
    calls.push(upstreamCounts(t));
    const size: Record<string, number> = {};
    for (const n of r.data.resources.nodes) {
      statuses.push({ provider: n.provider.id, status: n.protection.status });
      size[n.provider.id] = (size[n.provider.id] ?? 0) + 1;
    }
    sizes.push(size);
    after = r.data.resources.pageInfo.hasNextPage ? r.data.resources.pageInfo.endCursor : null;
  } while (after);
  return { statuses, calls, sizes };
}

const countsOf = (xs: Array<{ status: string }>) => ({
  protected: xs.filter((x) => x.status === 'PROTECTED').length,
  atRisk: xs.filter((x) => x.status === 'AT_RISK').length,
  unprotected: xs.filter((x) => x.status === 'UNPROTECTED').length,
  unknown: xs.filter((x) => x.status === 'UNKNOWN').length,
  total: xs.length,
});

describe('counts', () => {
  it('protectionSummary equals the statuses of every resource, per provider and in total, exactly', async () => {
    const { statuses } = await walkResources();
    const r = await t.gql(`{ protectionSummary { total { protected atRisk unprotected unknown total } exact asOf
      providers { provider { id } exact counts { protected atRisk unprotected unknown total } } } }`);
    expect(r.errors).toBeUndefined();
    const s = r.data.protectionSummary;
    expect(s).toMatchObject({ exact: true, asOf: isoOf(now), total: countsOf(statuses) });
    expect(s.providers.map((p: Json) => p.provider.id)).toEqual(['bocada', 'norcube', 'bycloud', 'ocore']);
    for (const p of s.providers) {
      expect(p.exact).toBe(true);
      expect(p.counts, p.provider.id).toEqual(countsOf(statuses.filter((x) => x.provider === p.provider.id)));
    }
    // Every status is seeded somewhere, on every provider.
    for (const p of s.providers) for (const k of ['protected', 'atRisk', 'unprotected'] as const) expect(p.counts[k], `${p.provider.id} ${k}`).toBeGreaterThan(0);
    const one = await t.gql(`{ protectionSummary(filter: { providers: ["ocore"] }) { total { total } providers { provider { id } } } }`);
    expect(one.data.protectionSummary).toEqual({ total: { total: statuses.filter((x) => x.provider === 'ocore').length }, providers: [{ provider: { id: 'ocore' } }] });
  });

  it('jobStats equals the jobs list of the same window, per status and provider (24 hours by default)', async () => {
    const since = isoOf(now - 24 * H);
    const until = isoOf(now);
    const seen: Array<{ provider: string; status: string }> = [];
    let after: string | null = null;
    do {
      const r: Json = await t.gql(`query($after: String, $f: JobFilter) { jobs(first: 100, after: $after, filter: $f) { nodes { provider { id } status } pageInfo { hasNextPage endCursor } } }`, { after, f: { since, until } });
      expect(r.errors).toBeUndefined();
      for (const n of r.data.jobs.nodes) seen.push({ provider: n.provider.id, status: n.status });
      after = r.data.jobs.pageInfo.hasNextPage ? r.data.jobs.pageInfo.endCursor : null;
    } while (after);
    const r = await t.gql(`{ jobStats { since until total exact byStatus { status count } providers { provider { id } total exact byStatus { status count } } } }`);
    expect(r.errors).toBeUndefined();
    const stats = r.data.jobStats;
    const byStatus = (xs: typeof seen) => {
      const m = new Map<string, number>();
      for (const x of xs) m.set(x.status, (m.get(x.status) ?? 0) + 1);
      return Object.fromEntries(m);
    };
    const asMap = (xs: Array<{ status: string; count: number }>) => Object.fromEntries(xs.map((x) => [x.status, x.count]));
    expect(stats).toMatchObject({ since, until, total: seen.length, exact: true });
    expect(asMap(stats.byStatus)).toEqual(byStatus(seen));
    for (const p of stats.providers) {
      const mine = seen.filter((x) => x.provider === p.provider.id);
      expect(p, p.provider.id).toMatchObject({ total: mine.length, exact: true });
      expect(asMap(p.byStatus)).toEqual(byStatus(mine));
    }
    expect(stats.byStatus.map((x: Json) => x.status)).toContain('FAILED');
    const bad = await t.gql(`{ jobStats(filter: { since: "${until}", until: "${since}" }) { total } }`);
    expect(bad.errors?.[0].extensions).toMatchObject({ code: 'BAD_USER_INPUT', field: 'filter.since' });
  });
});

describe('cost', () => {
  it('protection over 200+ resources (two pages of 100) costs a bounded number of upstream calls per provider', async () => {
    const { statuses, calls, sizes } = await walkResources();
    expect(statuses.length).toBeGreaterThanOrEqual(200);
    // Per page: the resource list itself plus one batch per provider, never one call per resource:
    // - Bocada: one newest-first job scan per organization (5 with resources; a few pages each);
    // - Norcube: one `datasourceIDs` scan per 50 data sources and the policy list;
    // - ByCloud: one scan of each backup collection (shared with the resource list's own reads);
    // - oCore: one backup scan per project, plus the schedule of each environment (its API has no list).
    for (const [i, c] of calls.entries()) {
      expect(c.bocada, `page ${i} bocada`).toBeLessThanOrEqual(30);
      expect(c.norcube, `page ${i} norcube`).toBeLessThanOrEqual(10);
      expect(c.bycloud, `page ${i} bycloud`).toBeLessThanOrEqual(6);
      expect(c.ocore, `page ${i} ocore`).toBeLessThanOrEqual(12 + (sizes[i].ocore ?? 0));
      if ((sizes[i].bocada ?? 0) > 30) expect(c.bocada).toBeLessThan(sizes[i].bocada);
    }
  });
});
