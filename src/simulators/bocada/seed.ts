/**
 * The Bocada simulator's deterministic dataset: organizations (one empty, one with a unicode
 * name), connections (one in `error`, one `disabled`), resources of the five types and thousands
 * of backup jobs over the 30 days before `now`, every job status present; plus four known
 * resources at the end of the list (`BocadaSeed.known`), one per protection status.
 *
 * Jobs are kept as columns (typed arrays) and turned into DTOs only when served, so `scale: 100`
 * (300 000 jobs) starts in a blink; their ids are computed from their position (see
 * {@link seededJobId}). Timelines are computed per request from the job.
 */
import { createRandom, knownHistory, type KnownProtection, type Random } from '../kit/index.ts';
import {
  BOCADA_RESOURCE_TYPES,
  type BocadaConnectionRecord, type BocadaJobRecord, type BocadaJobStatus, type BocadaOrganizationRecord, type BocadaResourceRecord,
  type BocadaTimelineEventRecord,
} from './dto.ts';

const ORGS = ['Acme Logistics', 'Zürich Ærø Backups 東京', 'Northwind Health', 'Globex Retail', 'Initech Finance', 'Empty Org (no systems yet)'];
const PRODUCTS = ['Veeam Backup & Replication', 'Commvault', 'Rubrik', 'Cohesity', 'NetBackup'];
const TYPES = BOCADA_RESOURCE_TYPES;
const NAMES: Record<(typeof TYPES)[number], string[]> = {
  vm: ['web', 'app', 'build', 'jump', 'mail', 'dc'],
  database: ['orders-db', 'crm-pg', 'ledger-sql', 'analytics-mysql', 'inventory-ora'],
  filesystem: ['nas-share', 'home-dirs', 'scans', 'media-archive'],
  application: ['sap-prod', 'exchange', 'sharepoint', 'jira'],
  saas: ['m365-mail', 'salesforce', 'google-drive', 'slack'],
};
/** Job statuses (index = the status column's value) with their share of the seeded history. */
export const BOCADA_SEED_STATUSES: ReadonlyArray<readonly [BocadaJobStatus, number]> = [
  ['succeeded', 0.72], ['succeeded_with_warnings', 0.08], ['failed', 0.08], ['missed', 0.05], ['canceled', 0.03], ['running', 0.025], ['queued', 0.015],
];
const DAY = 86_400_000;
const HEX = Array.from({ length: 256 }, (_, i) => i.toString(16).padStart(2, '0'));

/** Base resource count at scale 1. */
export const BOCADA_BASE_RESOURCES = 150;
/** Base job count at scale 1. */
export const BOCADA_BASE_JOBS = 3000;

/** The seeded jobs as columns; row `i` is the i-th newest job. `startMs` strictly decreases. */
export interface BocadaSeededJobs {
  count: number;
  /** Seed of the ids. */
  idSeed: number;
  startMs: Float64Array;
  /** NaN when the job has not ended. */
  endMs: Float64Array;
  /** Index into {@link BOCADA_SEED_STATUSES}. */
  status: Uint8Array;
  /** Index into the resources array. */
  resource: Uint32Array;
  bytes: Float64Array;
  files: Uint32Array;
}

/**
 * The known resources (README "Protection and RPO"), one per protection status, in the first
 * organization; their jobs run every 12 hours (UTC) over the last 10 days. Bocada has no schedules:
 * a missed run is its own `missed` job.
 */
export interface BocadaKnownResources {
  /** Succeeded at every run: PROTECTED under a target of a day or more. */
  protectedResourceId: string;
  /** Its runs stopped 4 days ago (all succeeded): AT_RISK by age under a shorter target. */
  atRiskResourceId: string;
  /** Every run failed: UNPROTECTED. */
  unprotectedResourceId: string;
  /** Its newest run at least 75 minutes old is a `missed` job (a manual success followed 65 minutes later). */
  missedRunResourceId: string;
  /** When that missed job was due (its `startedAt`, ISO-8601). */
  missedSlot: string;
}

/** The seeded dataset. */
export interface BocadaSeed {
  organizations: BocadaOrganizationRecord[];
  connections: BocadaConnectionRecord[];
  resources: BocadaResourceRecord[];
  jobs: BocadaSeededJobs;
  known: BocadaKnownResources;
}

/** The known resources: name, type and the history they are seeded with. */
const KNOWN: ReadonlyArray<{ name: string; type: BocadaResourceRecord['type']; kind: KnownProtection }> = [
  { name: 'erp-prod-db', type: 'database', kind: 'protected' },
  { name: 'fileserver-archive', type: 'filesystem', kind: 'at-risk' },
  { name: 'sharepoint-legacy', type: 'application', kind: 'unprotected' },
  { name: 'crm-reporting-vm', type: 'vm', kind: 'missed' },
];
/** How many known resources every dataset adds after the `BOCADA_BASE_RESOURCES * scale` random ones. */
export const BOCADA_KNOWN_RESOURCES = KNOWN.length;
/** The known resources' cadence. */
const KNOWN_CRON = '0 */12 * * *';

function hex8(w: number): string {
  return HEX[w >>> 24] + HEX[(w >>> 16) & 255] + HEX[(w >>> 8) & 255] + HEX[w & 255];
}

/** Shapes 128 bits (four words) as an RFC 4122 v4 UUID string. */
function uuidOf(w0: number, w1: number, w2: number, w3: number): string {
  const b = hex8(w1);
  const c = hex8(w2);
  const variant = ((parseInt(c[0], 16) & 0x3) | 0x8).toString(16);
  return `${hex8(w0)}-${b.slice(0, 4)}-4${b.slice(5, 8)}-${variant}${c.slice(1, 4)}-${c.slice(4, 8)}${hex8(w3)}`;
}

/** A deterministic v4-shaped UUID from `r` (four draws; cheaper than the kit's per-digit one). */
export function seededUuid(r: Random): string {
  const w = () => Math.floor(r.next() * 4294967296) >>> 0;
  return uuidOf(w(), w(), w(), w());
}

/** murmur3's 32-bit finalizer: a cheap bijective scramble. */
function mix32(x: number): number {
  x ^= x >>> 16;
  x = Math.imul(x, 0x85ebca6b);
  x ^= x >>> 13;
  x = Math.imul(x, 0xc2b2ae35);
  x ^= x >>> 16;
  return x >>> 0;
}
const TAG_MUL = 0x9e3779b1;
/** The inverse of TAG_MUL modulo 2^32 (Newton's iteration). */
const TAG_INV = (() => {
  let x = TAG_MUL;
  for (let k = 0; k < 5; k++) x = Math.imul(x, 2 - Math.imul(TAG_MUL, x));
  return x >>> 0;
})();

/**
 * The id of seeded job `index`: UUID-shaped and random-looking, with the index scrambled into its
 * last 8 hex digits so {@link seededJobIndex} can find a job without an index of 300 000 strings.
 */
export function seededJobId(idSeed: number, index: number): string {
  const s = mix32(idSeed ^ 0x5bd1e995);
  const a = mix32(s ^ Math.imul(index, 3) ^ 0x1b873593);
  const b = mix32(a ^ index);
  const c = mix32(b ^ s);
  return uuidOf(a, b, c, (Math.imul(index, TAG_MUL) ^ s) >>> 0);
}

/** The index of a seeded job from its id, or -1 when `id` is no seeded job's id. */
export function seededJobIndex(jobs: Pick<BocadaSeededJobs, 'count' | 'idSeed'>, id: string): number {
  if (id.length !== 36) return -1;
  const tag = parseInt(id.slice(28), 16);
  if (Number.isNaN(tag)) return -1;
  const index = Math.imul((tag ^ mix32(jobs.idSeed ^ 0x5bd1e995)) >>> 0, TAG_INV) >>> 0;
  return index < jobs.count && seededJobId(jobs.idSeed, index) === id ? index : -1;
}

/** Builds the dataset; `scale` multiplies resources and jobs (at least one of each). */
export function seedBocada(seed: number, scale: number, now: Date): BocadaSeed {
  const r = createRandom(seed);
  const t0 = now.getTime();
  const organizations: BocadaOrganizationRecord[] = ORGS.map((name, i) => ({
    id: seededUuid(r), name, createdAt: new Date(t0 - (400 + i * 37) * DAY).toISOString(),
  }));
  const active = organizations.slice(0, -1); // the last one stays empty
  const connections: BocadaConnectionRecord[] = active.flatMap((o, i) =>
    Array.from({ length: 2 + (i % 3) }, (_, j): BocadaConnectionRecord => {
      const product = PRODUCTS[(i + j) % PRODUCTS.length];
      return {
        id: seededUuid(r),
        organizationId: o.id,
        name: `${o.name.split(' ')[0]} ${product.split(' ')[0]} ${j + 1}`,
        product,
        status: i === 2 && j === 1 ? 'error' : i === 4 && j === 1 ? 'disabled' : 'connected',
      };
    }),
  );
  const resourceCount = Math.max(1, Math.round(BOCADA_BASE_RESOURCES * scale));
  const resources: BocadaResourceRecord[] = new Array(resourceCount);
  for (let i = 0; i < resourceCount; i++) {
    const c = connections[i % connections.length];
    const type = TYPES[i % TYPES.length];
    resources[i] = {
      id: seededUuid(r),
      organizationId: c.organizationId,
      connectionId: c.id,
      name: `${r.pick(NAMES[type])}-${String(i + 1).padStart(3, '0')}${i % 37 === 5 ? '-ñandú' : ''}`,
      type,
      createdAt: new Date(t0 - r.int(40, 380) * DAY).toISOString(),
    };
  }
  const jobCount = Math.max(1, Math.round(BOCADA_BASE_JOBS * scale));
  const jobs = seedJobs(r, seed, resourceCount, jobCount, t0);
  // The known resources come last, so the random ones (and their jobs) are the same with or without them.
  const known: Partial<Record<KnownProtection, string>> = {};
  const extra: KnownJob[] = [];
  let missedSlot = 0;
  const home = connections[0];
  for (const k of KNOWN) {
    const resource: BocadaResourceRecord = {
      id: seededUuid(r), organizationId: home.organizationId, connectionId: home.id, name: k.name, type: k.type,
      createdAt: new Date(t0 - 200 * DAY).toISOString(),
    };
    known[k.kind] = resource.id;
    const index = resources.push(resource) - 1;
    const history = knownHistory(k.kind, KNOWN_CRON, 'UTC', t0 - 10 * DAY, t0);
    for (const run of history.runs) extra.push({ startMs: run.at + r.int(0, 120) * 1000, status: run.ok ? 0 : 2, resource: index, r });
    if (history.missedSlot !== null) {
      missedSlot = history.missedSlot;
      extra.push({ startMs: history.missedSlot, status: 3, resource: index, r });
    }
  }
  return {
    organizations, connections, resources, jobs: mergeKnownJobs(jobs, extra),
    known: {
      protectedResourceId: known.protected!, atRiskResourceId: known['at-risk']!, unprotectedResourceId: known.unprotected!,
      missedRunResourceId: known.missed!, missedSlot: new Date(missedSlot).toISOString(),
    },
  };
}

/** A job of a known resource before it joins the columns: start, status index, resource index, the random source of its numbers. */
interface KnownJob {
  startMs: number;
  status: number;
  resource: number;
  r: Random;
}

/** The seeded columns with `extra` merged in, newest first; a start that equals another's moves a millisecond earlier (starts stay distinct). */
function mergeKnownJobs(jobs: BocadaSeededJobs, extra: KnownJob[]): BocadaSeededJobs {
  const count = jobs.count + extra.length;
  const out: BocadaSeededJobs = {
    count, idSeed: jobs.idSeed,
    startMs: new Float64Array(count), endMs: new Float64Array(count), status: new Uint8Array(count),
    resource: new Uint32Array(count), bytes: new Float64Array(count), files: new Uint32Array(count),
  };
  const sorted = [...extra].sort((a, b) => b.startMs - a.startMs);
  const taken = new Set<number>(jobs.startMs);
  let i = 0;
  let k = 0;
  let last = Infinity;
  for (let n = 0; n < count; n++) {
    const useKnown = k < sorted.length && (i >= jobs.count || sorted[k].startMs > jobs.startMs[i]);
    if (useKnown) {
      const j = sorted[k++];
      let start = Math.min(j.startMs, last - 1);
      while (taken.has(start)) start--;
      taken.add(start);
      const status = BOCADA_SEED_STATUSES[j.status][0];
      const bytes = status === 'missed' ? 0 : j.r.int(1, 4000) * 1_048_576 + j.r.int(0, 1_048_575);
      out.startMs[n] = start;
      out.endMs[n] = status === 'missed' ? NaN : start + j.r.int(60, 1800) * 1000;
      out.status[n] = j.status;
      out.resource[n] = j.resource;
      out.bytes[n] = bytes;
      out.files[n] = bytes === 0 ? 0 : j.r.int(1, 250_000);
    } else {
      out.startMs[n] = Math.min(jobs.startMs[i], last - 1);
      out.endMs[n] = jobs.endMs[i];
      out.status[n] = jobs.status[i];
      out.resource[n] = jobs.resource[i];
      out.bytes[n] = jobs.bytes[i];
      out.files[n] = jobs.files[i];
      i++;
    }
    last = out.startMs[n];
  }
  return out;
}

function pickStatus(r: Random): number {
  let x = r.next();
  for (let i = 0; i < BOCADA_SEED_STATUSES.length; i++) {
    if ((x -= BOCADA_SEED_STATUSES[i][1]) < 0) return i;
  }
  return 0;
}

/**
 * Jobs newest first. Each job's age in seconds and status are packed into one number so a plain
 * typed-array sort orders them; jobs within the same second get distinct milliseconds (older as
 * the row grows), so `startMs` strictly decreases and the list order needs no tie-break.
 */
function seedJobs(r: Random, idSeed: number, resourceCount: number, count: number, t0: number): BocadaSeededJobs {
  const keys = new Float64Array(count);
  for (let i = 0; i < count; i++) {
    const s = pickStatus(r);
    const status = BOCADA_SEED_STATUSES[s][0];
    const ageSec = status === 'running' || status === 'queued' ? r.int(60, 3600) : r.int(2 * 3600, 30 * 86_400);
    keys[i] = ageSec * 8 + s;
  }
  keys.sort();
  const jobs: BocadaSeededJobs = {
    count, idSeed,
    startMs: new Float64Array(count), endMs: new Float64Array(count), status: new Uint8Array(count),
    resource: new Uint32Array(count), bytes: new Float64Array(count), files: new Uint32Array(count),
  };
  let runSec = -1;
  let runStart = 0;
  for (let i = 0; i < count; i++) {
    const s = keys[i] % 8;
    const sec = (keys[i] - s) / 8;
    if (sec !== runSec) {
      runSec = sec;
      runStart = i;
    }
    const status = BOCADA_SEED_STATUSES[s][0];
    const started = t0 - sec * 1000 - Math.min(999, i - runStart);
    const open = status === 'running' || status === 'queued' || status === 'missed';
    const bytes = status === 'missed' || status === 'queued' ? 0 : r.int(1, 4000) * 1_048_576 + r.int(0, 1_048_575);
    jobs.startMs[i] = started;
    jobs.endMs[i] = open ? NaN : started + r.int(60, 7200) * 1000;
    jobs.status[i] = s;
    jobs.resource[i] = r.int(0, resourceCount - 1);
    jobs.bytes[i] = bytes;
    jobs.files[i] = bytes === 0 ? 0 : r.int(1, 250_000);
  }
  return jobs;
}

/** What a failed job's timeline says went wrong (one, picked from the job's id). */
export const BOCADA_FAILURE_MESSAGES = [
  'Target repository unreachable', 'Snapshot quota exceeded', 'Credentials rejected by guest OS',
  'VSS writer "SqlServerWriter" failed: retryable error', 'Backup window exceeded: job stopped at 06:00',
  'Change block tracking reset: full backup required', 'Insufficient space on repository "repo-eu-02"',
] as const;

/** The list order: newest first, ties by id ascending. */
export function compareJobs(a: Pick<BocadaJobRecord, 'startedAt' | 'id'>, b: Pick<BocadaJobRecord, 'startedAt' | 'id'>): number {
  return a.startedAt < b.startedAt ? 1 : a.startedAt > b.startedAt ? -1 : a.id < b.id ? -1 : a.id > b.id ? 1 : 0;
}

/** A job's timeline, oldest first, computed from the job alone (same job and status, same timeline). */
export function timelineOf(job: BocadaJobRecord): BocadaTimelineEventRecord[] {
  let h = 0;
  for (let i = 0; i < job.id.length; i++) h = (Math.imul(h, 31) + job.id.charCodeAt(i)) >>> 0;
  const r = createRandom(h);
  const start = Date.parse(job.startedAt);
  const end = job.endedAt ? Date.parse(job.endedAt) : start + 60_000;
  const at = (f: number) => new Date(start + Math.round((end - start) * f)).toISOString();
  const ev = (i: number, f: number, severity: BocadaTimelineEventRecord['severity'], message: string): BocadaTimelineEventRecord => ({
    id: `${job.id.slice(0, 8)}-${i}`, jobId: job.id, timestamp: at(f), severity, message,
  });
  if (job.status === 'missed') return [ev(0, 0, 'error', 'Backup window missed: the job did not start')];
  if (job.status === 'queued') return [ev(0, 0, 'info', 'Job queued, waiting for a proxy slot')];
  const out = [ev(0, 0, 'info', 'Job started'), ev(1, 0.1, 'info', `Snapshot created (${r.int(1, 9)} volumes)`)];
  if (job.status === 'succeeded_with_warnings') out.push(ev(2, 0.5, 'warning', `${r.int(1, 40)} files skipped: locked by another process`));
  if (job.status === 'failed') out.push(ev(2, 0.7, 'error', r.pick(BOCADA_FAILURE_MESSAGES)));
  if (job.status === 'canceled') out.push(ev(2, 0.6, 'warning', 'Canceled by operator'));
  if (job.endedAt) out.push(ev(9, 1, job.status === 'failed' ? 'error' : 'info', `Job ended: ${job.status}`));
  return out;
}
