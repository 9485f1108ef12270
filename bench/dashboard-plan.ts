/**
 * The minimal upstream plan of the dashboard document (the one GraphiQL opens with): per provider
 * and route, the fewest upstream calls that answer it, and its critical path in sequential trips
 * (the floor of its latency: trips × the added upstream latency). The dashboard scenario divides
 * what the gateway really called by this plan.
 *
 * The plan is written as RULES over the document (read at run time from src/server/graphiql.ts and
 * analysed by {@link analyzeDashboard}: which lists, their `first`, whether `resource { name }` is
 * selected, a `filter.operation` on jobs) and over FACTS of the data (read from the simulators' own
 * APIs by {@link gatherPlanFacts} before the measurement: page counts, which items the merged order
 * keeps), so the figure is checkable against the providers' APIs and survives new seed data. A
 * document shape the rules do not cover is reported (`unplanned`), never silently planned.
 *
 * Semantics planned for (issue 13, the merged order): a time-ordered list (jobs by
 * `startedAt ?? createdAt`, backups and alerts by `createdAt`) is ONE newest-first order across
 * providers, each provider's stream newest first too (oCore: backup runs of every project merged;
 * ByCloud: volume and database backups merged, and those are also its jobs). Reading `first` items
 * from every stream head is the least any gateway can do without knowing the data.
 *
 * The rules, per provider (n = the list's `first`; identical GETs within one request count once):
 * - `providers { health }`: one probe per provider, the adapter's own (Bocada `/system/status`,
 *   Norcube `/datasources?limit=1`, ByCloud `/v1/backups?limit=1`, oCore `/backup-alerts/count`);
 *   trip 1. (Health is a probe of its own in the schema; it is not derived from other calls.)
 * - Bocada jobs: `/backup-jobs?pageSize=n&sort=-startedAt` (1, trip 1). `resource { name }`: the job
 *   record has only `resourceId`, so one `GET /resources/:id` per distinct resource of the Bocada
 *   jobs the merged order keeps (in parallel, trip 2). Walking the whole resource list (8 pages at
 *   scale 10, 75 at scale 100, one after another) is never fewer trips and rarely fewer calls.
 * - Norcube jobs: the first `/backups` page (newest first) holds them; backups are its file-bearing
 *   jobs (`success`/`partial` with bytes written), so the backups list scans `/backups` in pages of
 *   100 (cursor: one after another) until n files are seen; the first scan page also holds the n
 *   newest jobs, so jobs cost no call of their own when backups are listed. Names: `datasourceName`
 *   is in the record (no lookup).
 * - ByCloud jobs and backups: the heads of `/v1/backups` and `/v1/database-backups` (1 each, trip 1,
 *   shared by both lists). Names: the volume / instance id is the name (no lookup).
 * - oCore jobs and backups: `/projects` (1, trip 1), then every project's `/projects/:id/backups`
 *   head (1 per project, trip 2, shared by both lists). Names: `environmentName` is in the record.
 *   Alerts: `/backup-alerts` (1, trip 1); `environmentName` is in the record.
 * - Restore jobs, when the jobs list does not exclude them (`filter.operation` without RESTORE):
 *   they live per resource, and the newest-first order needs every resource's newest: oCore
 *   `/projects/:id/environments` (pages of 100: the first with `/projects`' answer, trip 2, the
 *   rest in parallel, trip 3) then `/environments/:id/restore-logs?limit=n` for every environment
 *   (next trip); Norcube `/datasources` (pages of 100, cursor: one after another) then
 *   `/datasources/:id/restores?limit=n` for every data source (next trip). The plan lists them
 *   under `restoreScan` so their weight is visible: a dashboard that shows backup runs only
 *   (`filter: { operation: [BACKUP] }`) needs none of them.
 *
 * Which Bocada jobs the merged order keeps is computed from the stream heads (restore jobs left out
 * of that merge: with them fewer Bocada jobs could make the page, so the lookups counted are an
 * upper bound).
 */
import { Kind, parse, type FieldNode, type SelectionSetNode, type ValueNode } from 'graphql';

/** One list of the document. */
export interface PlannedList {
  /** The field (`jobs`, `backups`, `alerts`) and its alias in the document. */
  field: 'jobs' | 'backups' | 'alerts';
  alias: string;
  first: number;
  /** `resource { name }` is selected on its nodes. */
  resourceName: boolean;
  /** `filter.operation` of a jobs list (null: not given, every operation). */
  operations: string[] | null;
}

/** What the plan needs to know of the document. */
export interface DashboardDocument {
  /** `providers { health { ... } }` is selected. */
  health: boolean;
  lists: PlannedList[];
  /** Selections the rules do not cover (the plan is void for them). */
  unplanned: string[];
}

/** Fields whose selection costs nothing beyond the list record (scalars of the list items). */
const NESTED_FREE = new Set(['provider']);

function intArg(field: FieldNode, name: string, fallback: number): number {
  const a = field.arguments?.find((x) => x.name.value === name);
  return a && a.value.kind === Kind.INT ? Number(a.value.value) : fallback;
}

function operationsOf(field: FieldNode): string[] | null {
  const filter = field.arguments?.find((x) => x.name.value === 'filter')?.value;
  if (!filter || filter.kind !== Kind.OBJECT) return null;
  const op = filter.fields.find((f) => f.name.value === 'operation')?.value;
  if (!op) return null;
  const values: ValueNode[] = op.kind === Kind.LIST ? [...op.values] : [op];
  return values.filter((v) => v.kind === Kind.ENUM).map((v) => (v as { value: string }).value);
}

const fieldsOf = (set: SelectionSetNode | undefined): FieldNode[] => (set?.selections ?? []).filter((s): s is FieldNode => s.kind === Kind.FIELD);

/** Reads the lists, their sizes and nested selections from the dashboard document. */
export function analyzeDashboard(document: string): DashboardDocument {
  const doc = parse(document);
  const out: DashboardDocument = { health: false, lists: [], unplanned: [] };
  for (const def of doc.definitions) {
    if (def.kind !== Kind.OPERATION_DEFINITION) {
      out.unplanned.push(`definition ${def.kind}`);
      continue;
    }
    for (const top of fieldsOf(def.selectionSet)) {
      const alias = top.alias?.value ?? top.name.value;
      const name = top.name.value;
      if (name === 'providers') {
        for (const f of fieldsOf(top.selectionSet)) {
          if (f.name.value === 'health') out.health = true;
          else if (f.selectionSet) out.unplanned.push(`${alias}.${f.name.value}`);
        }
        continue;
      }
      if (name !== 'jobs' && name !== 'backups' && name !== 'alerts') {
        out.unplanned.push(alias);
        continue;
      }
      const list: PlannedList = { field: name, alias, first: intArg(top, 'first', 10), resourceName: false, operations: name === 'jobs' ? operationsOf(top) : null };
      for (const part of fieldsOf(top.selectionSet)) {
        if (part.name.value === 'totalCount' || part.name.value === 'pageInfo') {
          out.unplanned.push(`${alias}.${part.name.value}`);
          continue;
        }
        if (part.name.value !== 'nodes' && part.name.value !== 'edges') continue;
        const nodeFields = part.name.value === 'edges' ? fieldsOf(fieldsOf(part.selectionSet).find((f) => f.name.value === 'node')?.selectionSet) : fieldsOf(part.selectionSet);
        for (const f of nodeFields) {
          if (!f.selectionSet || NESTED_FREE.has(f.name.value)) continue;
          if (f.name.value === 'resource' && fieldsOf(f.selectionSet).every((x) => x.name.value === 'name' || x.name.value === 'id' || x.name.value === '__typename')) list.resourceName = true;
          else out.unplanned.push(`${alias}.${part.name.value}.${f.name.value}`);
        }
      }
      out.lists.push(list);
    }
  }
  return out;
}

/** One provider's HTTP API as the bench reaches it (its simulator). */
export interface PlanUpstream {
  kind: 'bocada' | 'norcube' | 'bycloud' | 'ocore';
  baseUrl: string;
  credential: string;
}

/** The facts of the data the rules need (see {@link gatherPlanFacts}). */
export interface PlanFacts {
  /** Per list alias: distinct resources of the Bocada jobs the merged order keeps. */
  bocadaResourcesKept: Record<string, number>;
  /** Pages of 100 the Norcube `/backups` scan reads to see n files (per backups list alias). */
  norcubeScanPages: Record<string, number>;
  norcubeDataSources: number;
  ocoreProjects: number;
  /** Environments of each oCore project. */
  ocoreEnvironments: number[];
}

/** One line of the plan. */
export interface PlannedCall {
  provider: PlanUpstream['kind'];
  route: string;
  calls: number;
  /** The trip of the last of these calls (1 = needs no other answer). */
  trip: number;
  purpose: string;
  /** Part of the restore-job scan (see the module doc). */
  restoreScan?: boolean;
}

/** Totals of a plan, with or without the restore-job scan. */
export interface PlanTotals {
  total: number;
  byProvider: Record<string, number>;
  /** Plan lines keyed `provider route` -> calls (to compare with the simulators' counters). */
  byRoute: Record<string, number>;
  /** Sequential trips of the critical path. */
  trips: number;
}

/**
 * The minimal plan: its calls, and its totals two ways. `backupRuns`: restore jobs not read (each
 * adapter's job stream lists restores after its backup runs, or the document shows backup runs
 * only); `withRestoreScan`: restore jobs merged by time, which needs every resource's restore list.
 * The dashboard scenario compares with the one the gateway's calls show it implements.
 */
export interface MinimalPlan {
  calls: PlannedCall[];
  backupRuns: PlanTotals;
  withRestoreScan: PlanTotals;
  /** Calls of the restore-job scan alone. */
  restoreScanCalls: number;
  unplanned: string[];
}

function totalsOf(calls: PlannedCall[]): PlanTotals {
  const byProvider: Record<string, number> = {};
  const byRoute: Record<string, number> = {};
  for (const c of calls) {
    byProvider[c.provider] = (byProvider[c.provider] ?? 0) + c.calls;
    byRoute[`${c.provider} ${c.route}`] = (byRoute[`${c.provider} ${c.route}`] ?? 0) + c.calls;
  }
  return { total: calls.reduce((n, c) => n + c.calls, 0), byProvider, byRoute, trips: Math.max(0, ...calls.map((c) => c.trip)) };
}

/** The routes only the restore-job scan reads (their calls show a gateway that scans restores). */
export const RESTORE_SCAN_ROUTES = ['norcube GET /datasources/:datasourceId/restores', 'ocore GET /api/environments/:environmentId/restore-logs'];

const PAGE = 100;

async function getJson(u: PlanUpstream, path: string): Promise<any> {
  const headers: Record<string, string> = u.kind === 'bocada' ? { 'x-api-key': u.credential } : { authorization: `Bearer ${u.credential}` };
  const res = await fetch(`${u.baseUrl}${path}`, { headers });
  if (res.status !== 200) throw new Error(`${u.kind} ${path}: HTTP ${res.status}`);
  return res.json();
}

/** `startedAt ?? createdAt` as epoch ms (missing: oldest). */
const keyOf = (...ts: Array<string | null | undefined>) => {
  for (const t of ts) if (t) return Date.parse(t);
  return -Infinity;
};

const isFile = (j: { jobStatus?: string; jobBytesWritten?: number | null }) => (j.jobStatus === 'success' || j.jobStatus === 'partial') && (j.jobBytesWritten == null || j.jobBytesWritten > 0);

/**
 * Reads the facts from the providers' own APIs (a few dozen calls: run it before counting, and
 * reset the counters after).
 */
export async function gatherPlanFacts(upstreams: PlanUpstream[], document: DashboardDocument): Promise<PlanFacts> {
  const u = (kind: PlanUpstream['kind']) => upstreams.find((x) => x.kind === kind)!;
  const facts: PlanFacts = { bocadaResourcesKept: {}, norcubeScanPages: {}, norcubeDataSources: 0, ocoreProjects: 0, ocoreEnvironments: [] };
  const projects = (await getJson(u('ocore'), '/api/projects')).projects as Array<{ id: string }>;
  facts.ocoreProjects = projects.length;
  for (const p of projects) facts.ocoreEnvironments.push((await getJson(u('ocore'), `/api/projects/${p.id}/environments?limit=1&offset=0`)).total);
  let cursor: string | undefined;
  do {
    const page = await getJson(u('norcube'), `/datasources?limit=${PAGE}${cursor ? `&cursor=${encodeURIComponent(cursor)}` : ''}`);
    facts.norcubeDataSources += page.list.length;
    cursor = page.cursors?.next ?? undefined;
  } while (cursor);

  for (const list of document.lists) {
    const n = list.first;
    if (list.field === 'backups') {
      let pages = 0;
      let files = 0;
      let next: string | undefined;
      do {
        const page = await getJson(u('norcube'), `/backups?limit=${PAGE}${next ? `&cursor=${encodeURIComponent(next)}` : ''}`);
        pages++;
        files += page.list.filter(isFile).length;
        next = page.cursors?.next ?? undefined;
      } while (files < n && next);
      facts.norcubeScanPages[list.alias] = pages;
    }
    if (list.field === 'jobs' && list.resourceName && (list.operations === null || list.operations.includes('BACKUP'))) {
      // The merged order over the stream heads: which of the n newest are Bocada's.
      const heads: Array<{ key: number; order: number; resourceId?: string }> = [];
      const bocada = (await getJson(u('bocada'), `/api/v1/backup-jobs?pageSize=${n}&sort=-startedAt`)).data as any[];
      bocada.forEach((j, i) => heads.push({ key: keyOf(j.startedAt), order: i, resourceId: j.resourceId }));
      const norcube = (await getJson(u('norcube'), `/backups?limit=${n}`)).list as any[];
      norcube.forEach((j, i) => heads.push({ key: keyOf(j.jobStartedAt, j.jobCreatedAt), order: 1e6 + i }));
      const vol = (await getJson(u('bycloud'), `/v1/backups?limit=${n}`)).backups as any[];
      const db = (await getJson(u('bycloud'), `/v1/database-backups?limit=${n}`)).database_backups as any[];
      [...vol, ...db].forEach((b, i) => heads.push({ key: keyOf(b.created_at), order: 2e6 + i }));
      for (const p of projects) {
        const runs = (await getJson(u('ocore'), `/api/projects/${p.id}/backups?limit=${n}&offset=0`)).backups as any[];
        runs.forEach((b, i) => heads.push({ key: keyOf(b.startedAt, b.createdAt), order: 3e6 + i }));
      }
      heads.sort((a, b) => b.key - a.key || a.order - b.order);
      facts.bocadaResourcesKept[list.alias] = new Set(heads.slice(0, n).filter((h) => h.resourceId).map((h) => h.resourceId)).size;
    }
  }
  return facts;
}

/** Applies the rules (module doc) to the document and the facts. */
export function minimalPlan(document: DashboardDocument, facts: PlanFacts): MinimalPlan {
  const calls: PlannedCall[] = [];
  const add = (c: PlannedCall) => calls.push(c);
  if (document.health) {
    add({ provider: 'bocada', route: 'GET /api/v1/system/status', calls: 1, trip: 1, purpose: 'health probe' });
    add({ provider: 'norcube', route: 'GET /datasources', calls: 1, trip: 1, purpose: 'health probe (limit=1)' });
    add({ provider: 'bycloud', route: 'GET /v1/backups', calls: 1, trip: 1, purpose: 'health probe (limit=1)' });
    add({ provider: 'ocore', route: 'GET /api/backup-alerts/count', calls: 1, trip: 1, purpose: 'health probe' });
  }
  const jobs = document.lists.filter((l) => l.field === 'jobs');
  const backups = document.lists.filter((l) => l.field === 'backups');
  const alerts = document.lists.filter((l) => l.field === 'alerts');
  const runsOf = (l: PlannedList) => l.operations === null || l.operations.includes('BACKUP');
  const restoresOf = (l: PlannedList) => l.operations === null || l.operations.includes('RESTORE');
  const jobRuns = jobs.filter(runsOf);
  const restoreLists = jobs.filter(restoresOf);
  const streams = [...jobRuns, ...backups].map((l) => l.alias).join(' + ');

  // Bocada: jobs only.
  for (const l of jobRuns) {
    add({ provider: 'bocada', route: 'GET /api/v1/backup-jobs', calls: 1, trip: 1, purpose: `${l.alias}: the ${l.first} newest jobs` });
    const kept = facts.bocadaResourcesKept[l.alias] ?? 0;
    if (l.resourceName && kept > 0) add({ provider: 'bocada', route: 'GET /api/v1/resources/:id', calls: kept, trip: 2, purpose: `${l.alias}: names of the ${kept} resources of the Bocada jobs kept` });
  }
  // Norcube: the backups scan; jobs share its first page.
  for (const l of backups) {
    const pages = facts.norcubeScanPages[l.alias] ?? 1;
    add({ provider: 'norcube', route: 'GET /backups', calls: pages, trip: pages, purpose: `${l.alias}: ${pages} page(s) of ${PAGE} to the ${l.first}th file${jobRuns.length ? ' (the first also holds the newest jobs)' : ''}` });
  }
  if (backups.length === 0) for (const l of jobRuns) add({ provider: 'norcube', route: 'GET /backups', calls: 1, trip: 1, purpose: `${l.alias}: the ${l.first} newest jobs` });
  // ByCloud: the two heads, shared by jobs and backups.
  if (streams) {
    add({ provider: 'bycloud', route: 'GET /v1/backups', calls: 1, trip: 1, purpose: `${streams}: volume backups head` });
    add({ provider: 'bycloud', route: 'GET /v1/database-backups', calls: 1, trip: 1, purpose: `${streams}: database backups head` });
  }
  // oCore: projects, then every project's backup head (shared by jobs and backups); alerts.
  if (streams || restoreLists.length) add({ provider: 'ocore', route: 'GET /api/projects', calls: 1, trip: 1, purpose: 'the projects every oCore stream is read per' });
  if (streams) add({ provider: 'ocore', route: 'GET /api/projects/:projectId/backups', calls: facts.ocoreProjects, trip: 2, purpose: `${streams}: each project's backup head` });
  for (const l of alerts) add({ provider: 'ocore', route: 'GET /api/backup-alerts', calls: 1, trip: 1, purpose: `${l.alias}: the ${l.first} newest alerts` });
  // Restore jobs in the merged order: every resource's newest restores.
  if (restoreLists.length) {
    const envPages = facts.ocoreEnvironments.reduce((n, e) => n + Math.max(1, Math.ceil(e / PAGE)), 0);
    const envTrips = facts.ocoreEnvironments.some((e) => e > PAGE) ? 3 : 2;
    const envs = facts.ocoreEnvironments.reduce((n, e) => n + e, 0);
    add({ provider: 'ocore', route: 'GET /api/projects/:projectId/environments', calls: envPages, trip: envTrips, purpose: 'restore jobs: every environment', restoreScan: true });
    add({ provider: 'ocore', route: 'GET /api/environments/:environmentId/restore-logs', calls: envs, trip: envTrips + 1, purpose: "restore jobs: each environment's newest restore logs", restoreScan: true });
    const dsPages = Math.max(1, Math.ceil(facts.norcubeDataSources / PAGE));
    add({ provider: 'norcube', route: 'GET /datasources', calls: dsPages, trip: dsPages, purpose: 'restore jobs: every data source', restoreScan: true });
    add({ provider: 'norcube', route: 'GET /datasources/:datasourceId/restores', calls: facts.norcubeDataSources, trip: dsPages + 1, purpose: "restore jobs: each data source's newest restores", restoreScan: true });
  }
  return {
    calls,
    backupRuns: totalsOf(calls.filter((c) => !c.restoreScan)),
    withRestoreScan: totalsOf(calls),
    restoreScanCalls: calls.filter((c) => c.restoreScan).reduce((n, c) => n + c.calls, 0),
    unplanned: document.unplanned,
  };
}
