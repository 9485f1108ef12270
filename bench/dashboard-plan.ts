/**
 * The minimal upstream plan of the dashboard document (the one GraphiQL opens with): per provider
 * and route, the fewest upstream calls that answer it, and its critical path in sequential trips
 * (the floor of its latency: trips × the added upstream latency). The dashboard scenario divides
 * what the gateway really called by this plan; test/e2e/dashboard-plan.test.ts pins the gateway's
 * calls of one request to it, provider by provider.
 *
 * The plan is written as RULES over the document (read at run time from src/server/graphiql.ts and
 * analysed by {@link analyzeDashboard}: which lists, their `first` and `filter`, whether
 * `resource { name }` or `failureReason` is selected, `jobStats`, `protectionSummary`) and over FACTS
 * of the data (read from the simulators' own APIs by {@link gatherPlanFacts} before the measurement:
 * page counts, which items the merged order keeps, how far each protection scan reads), so the
 * figure is checkable against the providers' APIs and survives new seed data. A document shape the
 * rules do not cover is reported (`unplanned`), never silently planned.
 *
 * Semantics planned for (issue 13): a time-ordered list (jobs, backups, alerts by `createdAt`, a
 * Bocada job's start) is ONE newest-first order across providers, each provider's stream newest first
 * too (oCore: backup runs of every project merged; ByCloud: volume and database backups merged, and
 * those are also its jobs). Reading `first` items from every stream head is the least any gateway
 * can do without knowing the data. Within one request identical GETs count once (the upstream client
 * dedupes them), so two fields that read the same page share it.
 *
 * The rules, per provider (n = a list's `first`):
 * - `providers { health }`: one probe per provider, the adapter's own (Bocada `/system/status`,
 *   Norcube `/datasources?limit=1`, ByCloud `/v1/backups?limit=1`, oCore `/backup-alerts/count`);
 *   trip 1. (Health is a probe of its own in the schema; it is not derived from other calls.)
 * - Jobs lists (backup runs: the default `operation` of a list across resources), status filters
 *   pushed down where the provider takes them (one raw value):
 *   - Bocada: `/backup-jobs?pageSize=n&sort=-startedAt[&status=]` (1, trip 1). `resource { name }`:
 *     the record has only `resourceId`, so one `GET /resources/:id` per distinct resource of the
 *     Bocada jobs the merged orders keep, over every list (trip 2). `failureReason`: Bocada keeps it
 *     in the job's timeline, one `GET /backup-jobs/:id/timeline` per kept Bocada job that can have
 *     one (trip 2).
 *   - Norcube: `/backups` takes no status: unfiltered, the head `/backups?limit=n` (1, trip 1);
 *     filtered, pages of 100 from the head until n matches (one after another), pages shared with
 *     `jobStats`' scan of the same head. Names (`datasourceName`) and reasons (`jobErrorSummary`)
 *     are in the records.
 *   - ByCloud: the heads of `/v1/backups` and `/v1/database-backups` (1 each, trip 1). Names are
 *     in the records (a volume's `volume_name` tag, an instance's stamped backup name).
 *   - oCore: `/projects` (1, trip 1, shared by every oCore read of the request), then every
 *     project's `/projects/:id/backups?limit=n` head (trip 2). Names (`environmentName`) and
 *     reasons (`errorMessage`) are in the records.
 * - `jobStats(filter)` (the last 24 h, backup runs): every provider's jobs in the window, read in
 *   pages of 100 (one after another): Bocada filters status and time upstream (pages to the end);
 *   ByCloud filters status, its lists are newest first by the job's time, so each collection ends
 *   at the first page that reaches past the window; Norcube (no filter) and oCore (status only)
 *   list newest first by creation while a job's time is its start, so their scans end at the first
 *   page reaching one hour (the adapters' queue grace) past the window's start; oCore one scan per
 *   project (trip 2 on).
 * - `protectionSummary`: every resource, read whole in the largest pages each provider serves,
 *   then its protection evidence, by the evidence routes of src/providers/<kind>/protection.ts
 *   (their batches and stop rules replayed on the providers' data; the request's loader hands each
 *   provider up to 1,000 resources a batch):
 *   - Bocada: `/resources?pageSize=200` (one after another), then per organization (per batch) one
 *     newest-first `/backup-jobs?organizationId=&pageSize=200` scan until every resource of it has a
 *     success and the scan is past the 10-day window, or 25 pages; batches scanning one
 *     organization share its pages.
 *   - Norcube: `/datasources?limit=100` (one after another), then per 50 data sources one
 *     `/backups?datasourceIDs=…&limit=100` scan back past the 10-day window (at most 20 pages), the
 *     policies `/backup-policies` once, and `/datasources/:id/policies` for an active data source
 *     announcing a next run with no scheduled job in the window.
 *   - ByCloud: volumes and instances are derived from every `/v1/backups` and
 *     `/v1/database-backups` page of 1000 (one after another); the evidence reads the same pages.
 *   - oCore: `/projects`, each project's `/projects/:id/environments?limit=100` pages (the adapter
 *     reads them project after project), then per project (per batch) a `/projects/:id/backups?limit=100`
 *     scan until every environment of it has a completed backup past the window, or 20 pages, and
 *     one `/environments/:id/backup-schedule` per environment (oCore has no schedule list).
 *   - `resources(status, first) { protection { … } }` reads nothing more: the summary's evidence.
 * - Alerts: oCore `/backup-alerts` (1, trip 1); `environmentName` is in the record.
 * - Backups lists: Norcube scans `/backups` in pages of 100 until n files are seen (its first page
 *   also holds the newest jobs); ByCloud and oCore as for jobs.
 * - Restore jobs, when a jobs list does not exclude them (`filter.operation` naming RESTORE): they
 *   live per resource: oCore `/projects/:id/environments` then `/environments/:id/restore-logs` for
 *   every environment; Norcube `/datasources` then `/datasources/:id/restores` for every data source.
 *   The plan lists them under `restoreScan` so their weight is visible.
 *
 * Reference data (`reference`): oCore projects, environments and schedules, Norcube data sources and
 * Bocada resources, which the gateway keeps across requests for `cache.referenceTtlMs`. The plan of
 * one request on its own (`cold`) counts them; `warm` is the plan of a request that finds them
 * cached (its trips recomputed without them).
 */
import { Kind, parse, type FieldNode, type SelectionSetNode, type ValueNode } from 'graphql';
import { createEvidenceCollector } from '../src/domain/protection-evidence.ts';
import { PROTECTION_EVIDENCE_WINDOW_MS } from '../src/loaders/loaders.ts';
import { bocadaJobStatus } from '../src/providers/bocada/mapper.ts';
import { databaseBackupJobStatus, volumeBackupJobStatus } from '../src/providers/bycloud/mapper.ts';
import { MAX_PAGES_PER_SCAN as BOCADA_SCAN_PAGES } from '../src/providers/bocada/protection.ts';
import { NORCUBE_QUEUE_GRACE_MS } from '../src/providers/norcube/index.ts';
import { norcubeJobStatus } from '../src/providers/norcube/mapper.ts';
import { MAX_PAGES_PER_BATCH as NORCUBE_SCAN_PAGES } from '../src/providers/norcube/protection.ts';
import { OCORE_QUEUE_GRACE_MS } from '../src/providers/ocore/index.ts';
import { ocoreJobStatus } from '../src/providers/ocore/mapper.ts';
import { MAX_PAGES_PER_SCAN as OCORE_SCAN_PAGES } from '../src/providers/ocore/protection.ts';
import { DEFAULT_STATS_WINDOW_MS, MAX_STATS_PAGES } from '../src/resolvers/Query/jobStats.ts';
import { MAX_SUMMARY_PAGES } from '../src/resolvers/Query/protectionSummary.ts';

// ---- the document ----------------------------------------------------------------------------

/** One list of the document. */
export interface PlannedList {
  /** The field (`jobs`, `backups`, `alerts`) and its alias in the document. */
  field: 'jobs' | 'backups' | 'alerts';
  alias: string;
  first: number;
  /** `resource { name }` (or only `id`, `__typename`) is selected on its nodes. */
  resourceName: boolean;
  /** `failureReason` is selected on its nodes (jobs). */
  failureReason: boolean;
  /** `filter.operation` of a jobs list (null: not given, backup runs by default). */
  operations: string[] | null;
  /** `filter.status` (null: not given). */
  status: string[] | null;
}

/** One `jobStats` of the document. */
export interface PlannedStats {
  alias: string;
  /** `filter.status` (null: every status). */
  status: string[] | null;
}

/** One `protectionSummary` of the document. */
export interface PlannedSummary {
  alias: string;
}

/** What the plan needs to know of the document. */
export interface DashboardDocument {
  /** `providers { health { ... } }` is selected. */
  health: boolean;
  lists: PlannedList[];
  stats: PlannedStats[];
  summaries: PlannedSummary[];
  /** Selections the rules do not cover (the plan is void for them). */
  unplanned: string[];
}

/** Fields whose selection costs nothing beyond the list record. */
const NESTED_FREE = new Set(['provider']);
/** Fields of a list's nodes planned by a rule of their own. */
const NODE_RULES = new Set(['resource', 'failureReason']);

function intArg(field: FieldNode, name: string, fallback: number): number {
  const a = field.arguments?.find((x) => x.name.value === name);
  return a && a.value.kind === Kind.INT ? Number(a.value.value) : fallback;
}

/** The enum values of `filter.<name>` (null: not given). */
function filterEnums(field: FieldNode, name: string): string[] | null {
  const filter = field.arguments?.find((x) => x.name.value === 'filter')?.value;
  if (!filter || filter.kind !== Kind.OBJECT) return null;
  const op = filter.fields.find((f) => f.name.value === name)?.value;
  if (!op) return null;
  const values: ValueNode[] = op.kind === Kind.LIST ? [...op.values] : [op];
  return values.filter((v) => v.kind === Kind.ENUM).map((v) => (v as { value: string }).value);
}

/** Filter fields other than these make the list or count unplanned. */
function otherFilterFields(field: FieldNode, known: readonly string[]): string[] {
  const filter = field.arguments?.find((x) => x.name.value === 'filter')?.value;
  if (!filter || filter.kind !== Kind.OBJECT) return [];
  return filter.fields.map((f) => f.name.value).filter((n) => !known.includes(n));
}

const fieldsOf = (set: SelectionSetNode | undefined): FieldNode[] => (set?.selections ?? []).filter((s): s is FieldNode => s.kind === Kind.FIELD);
const onlyNames = (set: SelectionSetNode | undefined) => fieldsOf(set).every((x) => x.name.value === 'name' || x.name.value === 'id' || x.name.value === '__typename');

/** Reads the lists, counts and summaries, their sizes, filters and nested selections from the dashboard document. */
export function analyzeDashboard(document: string): DashboardDocument {
  const doc = parse(document);
  const out: DashboardDocument = { health: false, lists: [], stats: [], summaries: [], unplanned: [] };
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
      if (name === 'jobStats') {
        for (const k of otherFilterFields(top, ['status'])) out.unplanned.push(`${alias}(filter.${k})`);
        out.stats.push({ alias, status: filterEnums(top, 'status') });
        continue;
      }
      if (name === 'protectionSummary') {
        if (top.arguments?.length) out.unplanned.push(`${alias}(filter)`);
        for (const f of fieldsOf(top.selectionSet)) {
          if (f.name.value !== 'resources') continue;
          // Its resources' own fields beyond the protection the summary computed are not planned.
          for (const g of fieldsOf(f.selectionSet)) {
            if (g.selectionSet && g.name.value !== 'protection' && !NESTED_FREE.has(g.name.value)) out.unplanned.push(`${alias}.${f.alias?.value ?? f.name.value}.${g.name.value}`);
            if (g.name.value === 'protection' && fieldsOf(g.selectionSet).some((p) => p.name.value === 'missedRuns' && p.arguments?.length)) {
              out.unplanned.push(`${alias}.${f.alias?.value ?? f.name.value}.protection.missedRuns(since)`);
            }
          }
        }
        out.summaries.push({ alias });
        continue;
      }
      if (name !== 'jobs' && name !== 'backups' && name !== 'alerts') {
        out.unplanned.push(alias);
        continue;
      }
      for (const k of otherFilterFields(top, name === 'jobs' ? ['status', 'operation'] : [])) out.unplanned.push(`${alias}(filter.${k})`);
      const list: PlannedList = {
        field: name, alias, first: intArg(top, 'first', 20), resourceName: false, failureReason: false,
        operations: name === 'jobs' ? filterEnums(top, 'operation') : null, status: name === 'jobs' ? filterEnums(top, 'status') : null,
      };
      for (const part of fieldsOf(top.selectionSet)) {
        if (part.name.value === 'totalCount' || part.name.value === 'pageInfo') {
          out.unplanned.push(`${alias}.${part.name.value}`);
          continue;
        }
        if (part.name.value !== 'nodes' && part.name.value !== 'edges') continue;
        const nodeFields = part.name.value === 'edges' ? fieldsOf(fieldsOf(part.selectionSet).find((f) => f.name.value === 'node')?.selectionSet) : fieldsOf(part.selectionSet);
        for (const f of nodeFields) {
          if (f.name.value === 'failureReason' && name === 'jobs') list.failureReason = true;
          if (!f.selectionSet || NESTED_FREE.has(f.name.value)) continue;
          if (f.name.value === 'resource' && NODE_RULES.has('resource') && onlyNames(f.selectionSet)) list.resourceName = true;
          else out.unplanned.push(`${alias}.${part.name.value}.${f.name.value}`);
        }
      }
      out.lists.push(list);
    }
  }
  return out;
}

// ---- the facts -------------------------------------------------------------------------------

/** One provider's HTTP API as the bench reaches it (its simulator). */
export interface PlanUpstream {
  kind: 'bocada' | 'norcube' | 'bycloud' | 'ocore';
  baseUrl: string;
  credential: string;
}

/** What one jobs list costs beyond its heads. */
export interface ListFacts {
  /** Distinct resources of the Bocada jobs the merged order keeps. */
  bocadaResources: string[];
  /** Kept Bocada jobs that can have a failure reason (their timeline is read when `failureReason` is selected). */
  bocadaReasons: number;
  /** Pages of 100 the Norcube head scan reads to n matches (0: unfiltered, the head of n). */
  norcubePages: number;
  /** Pages of 100 the Norcube `/backups` scan of a backups list reads to n files. */
  norcubeFilePages: number;
}

/** What one `jobStats` reads per provider (pages of 100). */
export interface StatsFacts {
  bocadaPages: number;
  norcubePages: number;
  bycloudVolumePages: number;
  bycloudDatabasePages: number;
  /** Per oCore project, in project order. */
  ocorePages: number[];
}

/** What `protectionSummary` reads per provider. */
export interface SummaryFacts {
  bocada: { resourcePages: number; resources: number; scanPagesByOrganization: Record<string, number> };
  norcube: { dataSourcePages: number; dataSources: number; batchPages: number[]; policyPages: number; attachments: number };
  bycloud: { volumePages: number; databasePages: number };
  ocore: { environmentPages: number[]; environments: number; scanPagesByProject: Record<string, number> };
}

/** The facts of the data the rules need (see {@link gatherPlanFacts}). */
export interface PlanFacts {
  /** "Now" the facts were read at (epoch ms): the windows of `jobStats` and of the evidence end there. */
  now: number;
  lists: Record<string, ListFacts>;
  stats: Record<string, StatsFacts>;
  summary: SummaryFacts | null;
  norcubeDataSources: number;
  ocoreProjects: number;
  /** Environments of each oCore project. */
  ocoreEnvironments: number[];
}

const PAGE = 100;

async function getJson(u: PlanUpstream, path: string): Promise<any> {
  const headers: Record<string, string> = u.kind === 'bocada' ? { 'x-api-key': u.credential } : { authorization: `Bearer ${u.credential}` };
  const res = await fetch(`${u.baseUrl}${path}`, { headers });
  if (res.status !== 200) throw new Error(`${u.kind} ${path}: HTTP ${res.status}`);
  return res.json();
}

const qs = (q: Record<string, string | number | undefined | string[]>) => {
  const p = new URLSearchParams();
  for (const [k, v] of Object.entries(q)) {
    if (v === undefined) continue;
    for (const x of Array.isArray(v) ? v : [v]) p.append(k, String(x));
  }
  const s = p.toString();
  return s ? `?${s}` : '';
};

/** Epoch ms of the first readable time (missing: oldest). */
const keyOf = (...ts: Array<string | null | undefined>) => {
  for (const t of ts) if (t && !Number.isNaN(Date.parse(t))) return Date.parse(t);
  return -Infinity;
};

const isFile = (j: { jobStatus?: string; jobBytesWritten?: number | null }) => (j.jobStatus === 'success' || j.jobStatus === 'partial') && (j.jobBytesWritten == null || j.jobBytesWritten > 0);
const mayHaveReason = (s: string) => s === 'FAILED' || s === 'PARTIAL' || s === 'CANCELED' || s === 'MISSED';

/** Raw values of a normalized status filter, per status table (what the adapters push down). */
const rawsOf = (table: { rawFor(s: readonly any[]): string[] }, status: string[] | null) => (status ? table.rawFor(status) : []);

/** Follows Bocada's `nextCursor` from `path` + `query`, up to `max` pages; calls `each` per page (false stops). */
async function bocadaPages(u: PlanUpstream, path: string, query: Record<string, string | number | undefined>, max: number, each?: (items: any[]) => boolean | void): Promise<number> {
  let cursor: string | undefined;
  let pages = 0;
  do {
    const body = await getJson(u, `/api/v1${path}${qs({ ...query, cursor })}`);
    pages++;
    if (each?.(body.data) === false) break;
    cursor = body.pagination?.nextCursor;
  } while (cursor && pages < max);
  return pages;
}

/** Follows Norcube's `cursors.next`, up to `max` pages; `each` false stops after that page. */
async function norcubePages(u: PlanUpstream, path: string, query: Record<string, string | number | undefined | string[]>, max: number, each?: (items: any[]) => boolean | void): Promise<number> {
  let cursor: string | undefined;
  let pages = 0;
  do {
    const body = await getJson(u, `${path}${qs({ ...query, cursor })}`);
    pages++;
    if (each?.(body.list) === false) break;
    cursor = body.cursors?.next ?? undefined;
  } while (cursor && pages < max);
  return pages;
}

/** Follows ByCloud's marker (`meta.has_more`), up to `max` pages; `each` false stops after that page. */
async function bycloudPages(u: PlanUpstream, path: string, key: string, query: Record<string, string | number | undefined>, max: number, each?: (items: any[]) => boolean | void): Promise<number> {
  let marker: string | undefined;
  let pages = 0;
  for (;;) {
    const body = await getJson(u, `${path}${qs({ ...query, marker })}`);
    pages++;
    const items = body[key] as any[];
    if (each?.(items) === false || !body.meta?.has_more || pages >= max) return pages;
    marker = items.at(-1).id;
  }
}

/** Reads oCore's offset pages of 100 (`each` false stops after that page), as the adapter reads them; the pages read. */
async function ocorePages(u: PlanUpstream, path: string, key: string, query: Record<string, string | undefined>, max: number, each?: (items: any[]) => boolean | void): Promise<number> {
  let offset = 0;
  let pages = 0;
  for (;;) {
    const body = await getJson(u, `${path}${qs({ ...query, limit: PAGE, offset })}`);
    pages++;
    const items = body[key] as any[];
    offset += items.length;
    if (each?.(items) === false || items.length < PAGE || (typeof body.total === 'number' && offset >= body.total) || pages >= max) return pages;
  }
}

/** The merged newest-first order over stream heads: which items of which provider the first `n` keep. */
function keptOf<T extends { key: number; provider: number; order: number }>(heads: T[], n: number): T[] {
  return [...heads].sort((a, b) => b.key - a.key || a.provider - b.provider || a.order - b.order).slice(0, n);
}

/**
 * Reads the facts from the providers' own APIs (hundreds of calls at scale 100: run it before
 * counting, and reset the counters after). `now`: the instant the windows end at (the gateway's
 * clock; the request a moment later sees the same pages unless a job sits on a page boundary).
 */
export async function gatherPlanFacts(upstreams: PlanUpstream[], document: DashboardDocument, now = Date.now()): Promise<PlanFacts> {
  const u = (kind: PlanUpstream['kind']) => upstreams.find((x) => x.kind === kind)!;
  const [bocada, norcube, bycloud, ocore] = [u('bocada'), u('norcube'), u('bycloud'), u('ocore')];
  const facts: PlanFacts = { now, lists: {}, stats: {}, summary: null, norcubeDataSources: 0, ocoreProjects: 0, ocoreEnvironments: [] };
  const projects = (await getJson(ocore, '/api/projects')).projects as Array<{ id: string }>;
  facts.ocoreProjects = projects.length;
  for (const p of projects) facts.ocoreEnvironments.push((await getJson(ocore, `/api/projects/${p.id}/environments?limit=1&offset=0`)).total);
  await norcubePages(norcube, '/datasources', { limit: PAGE }, 1000, (items) => void (facts.norcubeDataSources += items.length));

  // Jobs lists: the merged order over every stream's head (ties: config order, then the stream's).
  const bocadaNamed = new Set<string>();
  for (const list of document.lists) {
    const n = list.first;
    const lf: ListFacts = { bocadaResources: [], bocadaReasons: 0, norcubePages: 0, norcubeFilePages: 0 };
    facts.lists[list.alias] = lf;
    if (list.field === 'backups') {
      let files = 0;
      lf.norcubeFilePages = await norcubePages(norcube, '/backups', { limit: PAGE }, 1000, (items) => (files += items.filter(isFile).length) < n);
    }
    if (list.field !== 'jobs' || (list.operations !== null && !list.operations.includes('BACKUP'))) continue;
    const statusOf = { bocada: rawsOf(bocadaJobStatus, list.status), ocore: rawsOf(ocoreJobStatus, list.status) };
    const matches = (s: string) => list.status === null || list.status.includes(s);
    type Head = { key: number; provider: number; order: number; resourceId?: string; status: string };
    const heads: Head[] = [];
    const b = (await getJson(bocada, `/api/v1/backup-jobs${qs({ status: statusOf.bocada.length === 1 ? statusOf.bocada[0] : undefined, sort: '-startedAt', pageSize: n })}`)).data as any[];
    b.map((j) => ({ j, s: bocadaJobStatus.map(j.status) })).filter((x) => matches(x.s)).forEach(({ j, s }, i) => heads.push({ key: keyOf(j.startedAt), provider: 0, order: i, resourceId: j.resourceId, status: s }));
    // Norcube: the head, or pages of 100 until n matches.
    const nc: any[] = [];
    if (list.status === null) nc.push(...(await getJson(norcube, `/backups?limit=${n}`)).list);
    else lf.norcubePages = await norcubePages(norcube, '/backups', { limit: PAGE }, 20, (items) => {
      nc.push(...items.filter((j) => matches(norcubeJobStatus.map(j.jobStatus))));
      return nc.length < n;
    });
    nc.slice(0, n).forEach((j, i) => heads.push({ key: keyOf(j.jobCreatedAt), provider: 1, order: i, status: 'x' }));
    for (const [path, key, table] of [['/v1/backups', 'backups', volumeBackupJobStatus], ['/v1/database-backups', 'database_backups', databaseBackupJobStatus]] as const) {
      const raw = rawsOf(table, list.status);
      const items = (await getJson(bycloud, `${path}${qs({ limit: n, status: raw.length === 1 ? raw[0] : undefined })}`))[key] as any[];
      items.forEach((x, i) => heads.push({ key: keyOf(x.created_at), provider: 2, order: (path === '/v1/backups' ? 0 : 1e6) + i, status: 'x' }));
    }
    for (const [pi, p] of projects.entries()) {
      const runs = (await getJson(ocore, `/api/projects/${p.id}/backups${qs({ status: statusOf.ocore.length === 1 ? statusOf.ocore[0] : undefined, limit: n, offset: 0 })}`)).backups as any[];
      runs.forEach((x, i) => heads.push({ key: keyOf(x.createdAt), provider: 3, order: pi * 1e6 + i, status: 'x' }));
    }
    const kept = keptOf(heads, n).filter((h) => h.provider === 0);
    if (list.resourceName) {
      for (const h of kept) {
        if (h.resourceId && !bocadaNamed.has(h.resourceId)) {
          bocadaNamed.add(h.resourceId);
          lf.bocadaResources.push(h.resourceId);
        }
      }
    }
    lf.bocadaReasons = list.failureReason ? kept.filter((h) => mayHaveReason(h.status)).length : 0;
  }

  // jobStats: each provider's scan of the window.
  for (const st of document.stats) {
    const since = now - DEFAULT_STATS_WINDOW_MS;
    const raw = { bocada: rawsOf(bocadaJobStatus, st.status), ocore: rawsOf(ocoreJobStatus, st.status) };
    const sf: StatsFacts = { bocadaPages: 0, norcubePages: 0, bycloudVolumePages: 0, bycloudDatabasePages: 0, ocorePages: [] };
    sf.bocadaPages = await bocadaPages(bocada, '/backup-jobs', {
      status: raw.bocada.length === 1 ? raw.bocada[0] : undefined, startedAfter: new Date(since).toISOString(), startedBefore: new Date(now).toISOString(), sort: '-startedAt', pageSize: PAGE,
    }, MAX_STATS_PAGES);
    const pastGrace = (grace: number) => (items: any[], created: (x: any) => string) => !(items.length > 0 && Date.parse(created(items.at(-1))) < since - grace);
    const norcubeGoesOn = pastGrace(NORCUBE_QUEUE_GRACE_MS);
    sf.norcubePages = await norcubePages(norcube, '/backups', { limit: PAGE }, MAX_STATS_PAGES, (items) => norcubeGoesOn(items, (j) => j.jobCreatedAt));
    const bycloudGoesOn = pastGrace(0);
    const vol = rawsOf(volumeBackupJobStatus, st.status);
    const db = rawsOf(databaseBackupJobStatus, st.status);
    sf.bycloudVolumePages = await bycloudPages(bycloud, '/v1/backups', 'backups', { limit: PAGE, status: vol.length === 1 ? vol[0] : undefined }, MAX_STATS_PAGES, (items) => bycloudGoesOn(items, (b) => b.created_at));
    sf.bycloudDatabasePages = await bycloudPages(bycloud, '/v1/database-backups', 'database_backups', { limit: PAGE, status: db.length === 1 ? db[0] : undefined }, MAX_STATS_PAGES, (items) => bycloudGoesOn(items, (b) => b.created_at));
    const ocoreGoesOn = pastGrace(OCORE_QUEUE_GRACE_MS);
    for (const p of projects) {
      sf.ocorePages.push(await ocorePages(ocore, `/api/projects/${p.id}/backups`, 'backups', { status: raw.ocore.length === 1 ? raw.ocore[0] : undefined }, MAX_STATS_PAGES, (items) => ocoreGoesOn(items, (b) => b.createdAt)));
    }
    facts.stats[st.alias] = sf;
  }

  if (document.summaries.length > 0) facts.summary = await summaryFacts({ bocada, norcube, bycloud, ocore }, projects, now);
  return facts;
}

/** Resources one protection batch hands a provider at most (the gateway's loader). */
const PROTECTION_BATCH = 1000;
const chunks = <T>(xs: readonly T[], n: number): T[][] => Array.from({ length: Math.ceil(xs.length / n) }, (_, i) => xs.slice(i * n, (i + 1) * n));

/** The protection summary's reads, replaying each evidence route's batches and stop rule on the data. */
async function summaryFacts(u: Record<PlanUpstream['kind'], PlanUpstream>, projects: Array<{ id: string }>, now: number): Promise<SummaryFacts> {
  const since = new Date(now - PROTECTION_EVIDENCE_WINDOW_MS);
  // Bocada: resources in pages of 200, then per batch of 1000 and organization a newest-first scan.
  const resources: Array<{ id: string; organizationId?: string }> = [];
  const resourcePages = await bocadaPages(u.bocada, '/resources', { pageSize: 200 }, MAX_SUMMARY_PAGES, (items) => void resources.push(...items));
  const scanPagesByOrganization: Record<string, number> = {};
  for (const batch of chunks(resources, PROTECTION_BATCH)) {
    const byOrg = new Map<string, string[]>();
    for (const r of batch) byOrg.set(r.organizationId ?? '', [...(byOrg.get(r.organizationId ?? '') ?? []), r.id]);
    for (const [org, ids] of byOrg) {
      const collector = createEvidenceCollector(ids, since, null);
      let oldest: string | null = null;
      const pages = await bocadaPages(u.bocada, '/backup-jobs', { organizationId: org || undefined, pageSize: 200 }, BOCADA_SCAN_PAGES, (items) => {
        for (const j of items) {
          collector.add(j.resourceId, { at: j.startedAt ?? null, endedAt: j.endedAt ?? null, status: bocadaJobStatus.map(j.status) });
          if (j.startedAt && (oldest === null || j.startedAt < oldest)) oldest = j.startedAt;
        }
        return !collector.satisfied(oldest);
      });
      scanPagesByOrganization[org] = Math.max(scanPagesByOrganization[org] ?? 0, pages);
    }
  }

  // Norcube: data sources in pages of 100, then per 50 a `datasourceIDs` scan back past the window.
  const dataSources: any[] = [];
  const dataSourcePages = await norcubePages(u.norcube, '/datasources', { limit: PAGE }, MAX_SUMMARY_PAGES, (items) => void dataSources.push(...items));
  const batchPages: number[] = [];
  const jobsOf = new Map<string, any[]>();
  for (const batch of chunks(dataSources, 50)) {
    let oldest: string | null = null;
    batchPages.push(await norcubePages(u.norcube, '/backups', { limit: PAGE, datasourceIDs: batch.map((d) => d.id) }, NORCUBE_SCAN_PAGES, (items) => {
      for (const j of items) {
        jobsOf.set(j.datasourceId.toLowerCase(), [...(jobsOf.get(j.datasourceId.toLowerCase()) ?? []), j]);
        if (oldest === null || j.jobCreatedAt < oldest) oldest = j.jobCreatedAt;
      }
      return !(oldest !== null && Date.parse(oldest) < since.getTime());
    }));
  }
  const policies = new Map<string, any>();
  const policyPages = await norcubePages(u.norcube, '/backup-policies', { limit: PAGE }, 100, (items) => void items.forEach((p) => policies.set(p.id.toLowerCase(), p)));
  let attachments = 0;
  for (const d of dataSources) {
    if (d.isActive !== true || !d.nextRunAt) continue;
    const ran = new Set((jobsOf.get(d.id.toLowerCase()) ?? []).filter((j) => j.jobTrigger === 'schedule' && Date.parse(j.jobCreatedAt) >= since.getTime()).map((j) => j.policyId.toLowerCase()));
    if (![...ran].some((id) => policies.get(id)?.scheduleCron)) attachments++;
  }

  // ByCloud: every page of 1000 of both collections (the evidence reads the same pages).
  const volumePages = await bycloudPages(u.bycloud, '/v1/backups', 'backups', { limit: 1000 }, 10_000);
  const databasePages = await bycloudPages(u.bycloud, '/v1/database-backups', 'database_backups', { limit: 1000 }, 10_000);

  // oCore: environments project after project, then per batch and project a backups scan, and each environment's schedule.
  const environmentPages: number[] = [];
  const envs: Array<{ id: string; projectId: string }> = [];
  let envPagesLeft = MAX_SUMMARY_PAGES;
  for (const p of projects) {
    if (envPagesLeft <= 0) break;
    const pages = await ocorePages(u.ocore, `/api/projects/${p.id}/environments`, 'environments', {}, envPagesLeft, (items) => void envs.push(...items.map((e) => ({ id: e.id, projectId: p.id }))));
    environmentPages.push(pages);
    envPagesLeft -= pages;
  }
  const scanPagesByProject: Record<string, number> = {};
  for (const batch of chunks(envs, PROTECTION_BATCH)) {
    const byProject = new Map<string, string[]>();
    for (const e of batch) byProject.set(e.projectId, [...(byProject.get(e.projectId) ?? []), e.id]);
    for (const [projectId, ids] of byProject) {
      const collector = createEvidenceCollector(ids, since, null);
      let oldest: string | null = null;
      const pages = await ocorePages(u.ocore, `/api/projects/${projectId}/backups`, 'backups', {}, OCORE_SCAN_PAGES, (items) => {
        for (const b of items) {
          collector.add(b.environmentId ?? '', { at: b.startedAt ?? b.createdAt ?? null, endedAt: b.completedAt ?? null, status: ocoreJobStatus.map(b.status) });
          const created = b.createdAt && !Number.isNaN(Date.parse(b.createdAt)) ? new Date(b.createdAt).toISOString() : null;
          if (created && (oldest === null || created < oldest)) oldest = created;
        }
        return !collector.satisfied(oldest);
      });
      scanPagesByProject[projectId] = Math.max(scanPagesByProject[projectId] ?? 0, pages);
    }
  }
  return {
    bocada: { resourcePages, resources: resources.length, scanPagesByOrganization },
    norcube: { dataSourcePages, dataSources: dataSources.length, batchPages, policyPages, attachments },
    bycloud: { volumePages, databasePages },
    ocore: { environmentPages, environments: envs.length, scanPagesByProject },
  };
}

// ---- the plan --------------------------------------------------------------------------------

/** One line of the plan. */
export interface PlannedCall {
  provider: PlanUpstream['kind'];
  route: string;
  calls: number;
  /** The trip of the last of these calls (1 = needs no other answer). */
  trip: number;
  /** Its trip when the reference data is cached (absent: as `trip`). */
  warmTrip?: number;
  purpose: string;
  /** Part of the restore-job scan (see the module doc). */
  restoreScan?: boolean;
  /** Reference data, served from the gateway's cache once a request has read it (see the module doc). */
  reference?: boolean;
}

/** Totals of a plan. */
export interface PlanTotals {
  total: number;
  byProvider: Record<string, number>;
  /** Plan lines keyed `provider route` -> calls (to compare with the simulators' counters). */
  byRoute: Record<string, number>;
  /** Sequential trips of the critical path. */
  trips: number;
}

/**
 * The minimal plan: its calls, and its totals: `backupRuns` (restore jobs not read: the default of
 * a list across resources) and `withRestoreScan` (restore jobs merged by time), each for one
 * request on its own; `warm`: `backupRuns` for a request that finds the reference data cached.
 */
export interface MinimalPlan {
  calls: PlannedCall[];
  backupRuns: PlanTotals;
  withRestoreScan: PlanTotals;
  warm: PlanTotals;
  /** Calls of the restore-job scan alone. */
  restoreScanCalls: number;
  unplanned: string[];
}

function totalsOf(calls: PlannedCall[], warm = false): PlanTotals {
  const byProvider: Record<string, number> = {};
  const byRoute: Record<string, number> = {};
  for (const c of calls) {
    byProvider[c.provider] = (byProvider[c.provider] ?? 0) + c.calls;
    byRoute[`${c.provider} ${c.route}`] = (byRoute[`${c.provider} ${c.route}`] ?? 0) + c.calls;
  }
  return { total: calls.reduce((n, c) => n + c.calls, 0), byProvider, byRoute, trips: Math.max(0, ...calls.map((c) => (warm ? c.warmTrip ?? c.trip : c.trip))) };
}

/** The routes only the restore-job scan reads (their calls show a gateway that scans restores). */
export const RESTORE_SCAN_ROUTES = ['norcube GET /datasources/:datasourceId/restores', 'ocore GET /api/environments/:environmentId/restore-logs'];

const sum = (xs: readonly number[]) => xs.reduce((a, b) => a + b, 0);

/** Applies the rules (module doc) to the document and the facts. */
export function minimalPlan(document: DashboardDocument, facts: PlanFacts): MinimalPlan {
  const calls: PlannedCall[] = [];
  const add = (c: PlannedCall) => {
    if (c.calls > 0) calls.push(c);
  };
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
  const jobRuns = jobs.filter(runsOf);
  const restoreLists = jobs.filter((l) => l.operations !== null && l.operations.includes('RESTORE'));
  const summary = document.summaries.length > 0 ? facts.summary : null;
  const readsOcore = jobRuns.length + backups.length + restoreLists.length + document.stats.length > 0 || summary !== null;

  // Bocada: each list's head, then names and reasons of the Bocada jobs kept.
  for (const l of jobRuns) {
    const f = facts.lists[l.alias];
    add({ provider: 'bocada', route: 'GET /api/v1/backup-jobs', calls: 1, trip: 1, purpose: `${l.alias}: the ${l.first} newest jobs${l.status ? ` (${l.status.join(', ')})` : ''}` });
    if (l.resourceName) add({ provider: 'bocada', route: 'GET /api/v1/resources/:id', calls: f?.bocadaResources.length ?? 0, trip: 2, purpose: `${l.alias}: names of the Bocada jobs' resources the merged order keeps (not named by an earlier list)` });
    if (l.failureReason) add({ provider: 'bocada', route: 'GET /api/v1/backup-jobs/:id/timeline', calls: f?.bocadaReasons ?? 0, trip: 1 + Math.ceil((f?.bocadaReasons ?? 0) / 4), purpose: `${l.alias}: failure reasons of the kept Bocada jobs (their timelines, 4 at a time)` });
  }
  // Norcube: unfiltered heads; the filtered head scan shared by filtered lists and jobStats.
  const heads = new Set<number>();
  for (const l of jobRuns) if (l.status === null && backups.length === 0) heads.add(l.first);
  for (const n of heads) add({ provider: 'norcube', route: 'GET /backups', calls: 1, trip: 1, purpose: `the ${n} newest jobs (head of ${n})` });
  const scanPages = Math.max(0, ...jobRuns.filter((l) => l.status !== null).map((l) => facts.lists[l.alias]?.norcubePages ?? 1), ...document.stats.map((s) => facts.stats[s.alias]?.norcubePages ?? 1), ...backups.map((l) => facts.lists[l.alias]?.norcubeFilePages ?? 1));
  add({ provider: 'norcube', route: 'GET /backups', calls: scanPages, trip: scanPages, purpose: `pages of ${PAGE} from the head, one after another, shared by ${[...jobRuns.filter((l) => l.status !== null).map((l) => l.alias), ...document.stats.map((s) => s.alias), ...backups.map((l) => l.alias)].join(', ')}` });
  // ByCloud: the two heads per list; jobStats' scans.
  for (const l of [...jobRuns, ...backups]) {
    add({ provider: 'bycloud', route: 'GET /v1/backups', calls: 1, trip: 1, purpose: `${l.alias}: volume backups head` });
    add({ provider: 'bycloud', route: 'GET /v1/database-backups', calls: 1, trip: 1, purpose: `${l.alias}: database backups head` });
  }
  // oCore: projects once, each project's head per list.
  if (readsOcore) add({ provider: 'ocore', route: 'GET /api/projects', calls: 1, trip: 1, warmTrip: 0, purpose: 'the projects every oCore stream is read per', reference: true });
  for (const l of [...jobRuns, ...backups]) add({ provider: 'ocore', route: 'GET /api/projects/:projectId/backups', calls: facts.ocoreProjects, trip: 2, warmTrip: 1, purpose: `${l.alias}: each project's head` });
  for (const l of alerts) add({ provider: 'ocore', route: 'GET /api/backup-alerts', calls: 1, trip: 1, purpose: `${l.alias}: the ${l.first} newest alerts` });

  // jobStats: every provider's window.
  for (const s of document.stats) {
    const f = facts.stats[s.alias];
    if (!f) continue;
    add({ provider: 'bocada', route: 'GET /api/v1/backup-jobs', calls: f.bocadaPages, trip: f.bocadaPages, purpose: `${s.alias}: the window's jobs, ${PAGE} a page` });
    add({ provider: 'bycloud', route: 'GET /v1/backups', calls: f.bycloudVolumePages, trip: f.bycloudVolumePages, purpose: `${s.alias}: volume backups back to the window's start` });
    add({ provider: 'bycloud', route: 'GET /v1/database-backups', calls: f.bycloudDatabasePages, trip: f.bycloudDatabasePages, purpose: `${s.alias}: database backups back to the window's start` });
    add({ provider: 'ocore', route: 'GET /api/projects/:projectId/backups', calls: sum(f.ocorePages), trip: 1 + Math.max(0, ...f.ocorePages), warmTrip: Math.max(0, ...f.ocorePages), purpose: `${s.alias}: each project's backups back to the window's start (+1 h)` });
  }

  // protectionSummary: every resource, then its evidence.
  if (summary) {
    const a = document.summaries[0].alias;
    const b = summary.bocada;
    const bocadaScan = Math.max(0, ...Object.values(b.scanPagesByOrganization));
    add({ provider: 'bocada', route: 'GET /api/v1/resources', calls: b.resourcePages, trip: b.resourcePages, warmTrip: 0, purpose: `${a}: ${b.resources} resources, 200 a page`, reference: true });
    add({ provider: 'bocada', route: 'GET /api/v1/backup-jobs', calls: sum(Object.values(b.scanPagesByOrganization)), trip: b.resourcePages + bocadaScan, warmTrip: bocadaScan, purpose: `${a}: evidence, one newest-first scan per organization (${Object.keys(b.scanPagesByOrganization).length})` });
    const n = summary.norcube;
    const norcubeScan = Math.max(0, ...n.batchPages);
    add({ provider: 'norcube', route: 'GET /datasources', calls: n.dataSourcePages, trip: n.dataSourcePages, warmTrip: 0, purpose: `${a}: ${n.dataSources} data sources, 100 a page`, reference: true });
    add({ provider: 'norcube', route: 'GET /backups', calls: sum(n.batchPages), trip: n.dataSourcePages + norcubeScan, warmTrip: norcubeScan, purpose: `${a}: evidence, one datasourceIDs scan per 50 data sources (${n.batchPages.length})` });
    add({ provider: 'norcube', route: 'GET /backup-policies', calls: n.policyPages, trip: n.dataSourcePages + n.policyPages, warmTrip: n.policyPages, purpose: `${a}: evidence, the policies' crons` });
    add({ provider: 'norcube', route: 'GET /datasources/:datasourceId/policies', calls: n.attachments, trip: n.dataSourcePages + norcubeScan + 1, warmTrip: norcubeScan + 1, purpose: `${a}: evidence, attachments of data sources with no scheduled job in the window` });
    const y = summary.bycloud;
    add({ provider: 'bycloud', route: 'GET /v1/backups', calls: y.volumePages, trip: y.volumePages, purpose: `${a}: every volume backup, 1000 a page (volumes and their evidence)` });
    add({ provider: 'bycloud', route: 'GET /v1/database-backups', calls: y.databasePages, trip: y.databasePages, purpose: `${a}: every database backup, 1000 a page (instances and their evidence)` });
    const o = summary.ocore;
    const envTrips = 1 + sum(o.environmentPages);
    const ocoreScan = Math.max(0, ...Object.values(o.scanPagesByProject));
    add({ provider: 'ocore', route: 'GET /api/projects/:projectId/environments', calls: sum(o.environmentPages), trip: envTrips, warmTrip: 0, purpose: `${a}: ${o.environments} environments, 100 a page, project after project`, reference: true });
    add({ provider: 'ocore', route: 'GET /api/projects/:projectId/backups', calls: sum(Object.values(o.scanPagesByProject)), trip: envTrips + ocoreScan, warmTrip: ocoreScan, purpose: `${a}: evidence, one newest-first scan per project` });
    add({ provider: 'ocore', route: 'GET /api/environments/:env_id/backup-schedule', calls: o.environments, trip: envTrips + 1, warmTrip: 0, purpose: `${a}: evidence, each environment's schedule`, reference: true });
  }

  // Restore jobs in the merged order: every resource's newest restores.
  if (restoreLists.length) {
    const envPages = facts.ocoreEnvironments.reduce((n, e) => n + Math.max(1, Math.ceil(e / PAGE)), 0);
    const envTrips = facts.ocoreEnvironments.some((e) => e > PAGE) ? 3 : 2;
    const envs = sum(facts.ocoreEnvironments);
    add({ provider: 'ocore', route: 'GET /api/projects/:projectId/environments', calls: envPages, trip: envTrips, purpose: 'restore jobs: every environment', restoreScan: true });
    add({ provider: 'ocore', route: 'GET /api/environments/:environmentId/restore-logs', calls: envs, trip: envTrips + 1, purpose: "restore jobs: each environment's newest restore logs", restoreScan: true });
    const dsPages = Math.max(1, Math.ceil(facts.norcubeDataSources / PAGE));
    add({ provider: 'norcube', route: 'GET /datasources', calls: dsPages, trip: dsPages, purpose: 'restore jobs: every data source', restoreScan: true });
    add({ provider: 'norcube', route: 'GET /datasources/:datasourceId/restores', calls: facts.norcubeDataSources, trip: dsPages + 1, purpose: "restore jobs: each data source's newest restores", restoreScan: true });
  }
  const runs = calls.filter((c) => !c.restoreScan);
  return {
    calls,
    backupRuns: totalsOf(runs),
    withRestoreScan: totalsOf(calls),
    warm: totalsOf(runs.filter((c) => !c.reference), true),
    restoreScanCalls: sum(calls.filter((c) => c.restoreScan).map((c) => c.calls)),
    unplanned: document.unplanned,
  };
}
