/**
 * The Bocada simulator's job store: the seeded jobs (columns, see seed.ts) plus the jobs that
 * scheduled work adds while the simulator runs. Answers lookups by id and filtered queries in
 * list order (newest first, ties by id) as lightweight refs, and turns refs into DTOs on demand.
 */
import { BOCADA_SEED_STATUSES, compareJobs, seededJobId, seededJobIndex, type BocadaSeededJobs } from './seed.ts';
import type { BocadaJobRecord, BocadaResourceRecord } from './dto.ts';

/**
 * A job in the store: `>= 0` is the row of a seeded job, `< 0` is live job `-ref - 1`
 * (live jobs are newer than every seeded job).
 */
export type BocadaJobRef = number;

/** Filters of `GET /backup-jobs`, parsed. */
export interface BocadaJobFilter {
  organizationId?: string;
  resourceId?: string;
  status?: string;
  /** Inclusive lower bound of `startedAt`, epoch ms. */
  startedAfterMs?: number;
  /** Exclusive upper bound of `startedAt`, epoch ms. */
  startedBeforeMs?: number;
}

/** The store. */
export interface BocadaJobStore {
  /** Seeded plus live jobs. */
  readonly size: number;
  /** The job with this id, or undefined. Live jobs are returned as the live (mutable) record. */
  get(id: string): BocadaJobRecord | undefined;
  /** Refs of the jobs matching `f`, newest first (ties by id). */
  query(f: BocadaJobFilter): Int32Array;
  /** The job of a ref as a DTO. */
  dto(ref: BocadaJobRef): BocadaJobRecord;
  /** The sort key of a ref: `startedAt` in epoch ms and the id. */
  keyOf(ref: BocadaJobRef): { ms: number; id: string };
  /** Adds a live job (newer than every seeded job); the store keeps the record and sees its changes. */
  add(job: BocadaJobRecord): void;
  /** Every job as DTOs, newest first (materializes them all: for tests, not for serving). */
  all(): BocadaJobRecord[];
}

/** Creates the store over the seeded columns. */
export function createBocadaJobStore(seeded: BocadaSeededJobs, resources: readonly BocadaResourceRecord[]): BocadaJobStore {
  const resourceIndex = new Map(resources.map((r, i) => [r.id, i]));
  const orgIds = [...new Set(resources.map((r) => r.organizationId))];
  const orgIndex = new Map(orgIds.map((id, i) => [id, i]));
  const resourceOrg = Int32Array.from(resources, (r) => orgIndex.get(r.organizationId) ?? -1);
  const statusIndex = new Map(BOCADA_SEED_STATUSES.map(([s], i) => [s as string, i]));
  /** Live jobs, newest first, with their start in ms. */
  const live: Array<{ job: BocadaJobRecord; ms: number }> = [];
  const liveById = new Map<string, BocadaJobRecord>();
  let cache: BocadaJobRecord[] | null = null;

  function seededDto(i: number): BocadaJobRecord {
    const res = resources[seeded.resource[i]];
    const end = seeded.endMs[i];
    return {
      id: seededJobId(seeded.idSeed, i), organizationId: res.organizationId, resourceId: res.id, connectionId: res.connectionId,
      status: BOCADA_SEED_STATUSES[seeded.status[i]][0],
      startedAt: new Date(seeded.startMs[i]).toISOString(), endedAt: Number.isNaN(end) ? null : new Date(end).toISOString(),
      bytesTransferred: seeded.bytes[i], filesTransferred: seeded.files[i],
    };
  }

  function matchesLive(j: BocadaJobRecord, ms: number, f: BocadaJobFilter): boolean {
    return (!f.organizationId || j.organizationId === f.organizationId) && (!f.resourceId || j.resourceId === f.resourceId) &&
      (!f.status || j.status === f.status) &&
      (f.startedAfterMs === undefined || ms >= f.startedAfterMs) && (f.startedBeforeMs === undefined || ms < f.startedBeforeMs);
  }

  function querySeeded(f: BocadaJobFilter, out: Int32Array, at: number): number {
    const org = f.organizationId === undefined ? -1 : orgIndex.get(f.organizationId) ?? -2;
    const res = f.resourceId === undefined ? -1 : resourceIndex.get(f.resourceId) ?? -2;
    const st = f.status === undefined ? -1 : statusIndex.get(f.status) ?? -2;
    if (org === -2 || res === -2 || st === -2) return at;
    const after = f.startedAfterMs ?? -Infinity;
    const before = f.startedBeforeMs ?? Infinity;
    const { startMs, status, resource } = seeded;
    for (let i = 0; i < seeded.count; i++) {
      const t = startMs[i];
      if (t < after) break; // newest first: everything further is older still
      if (t >= before) continue;
      if (st >= 0 && status[i] !== st) continue;
      if (res >= 0 && resource[i] !== res) continue;
      if (org >= 0 && resourceOrg[resource[i]] !== org) continue;
      out[at++] = i;
    }
    return at;
  }

  return {
    get size() {
      return seeded.count + live.length;
    },
    get(id) {
      const j = liveById.get(id);
      if (j) return j;
      const i = seededJobIndex(seeded, id);
      return i < 0 ? undefined : seededDto(i);
    },
    query(f) {
      const out = new Int32Array(seeded.count + live.length);
      let at = 0;
      live.forEach((l, k) => {
        if (matchesLive(l.job, l.ms, f)) out[at++] = -k - 1;
      });
      return out.subarray(0, querySeeded(f, out, at));
    },
    dto: (ref) => (ref < 0 ? { ...live[-ref - 1].job } : seededDto(ref)),
    keyOf: (ref) => (ref < 0 ? { ms: live[-ref - 1].ms, id: live[-ref - 1].job.id } : { ms: seeded.startMs[ref], id: seededJobId(seeded.idSeed, ref) }),
    add(job) {
      const entry = { job, ms: Date.parse(job.startedAt) };
      let at = 0;
      while (at < live.length && compareJobs(live[at].job, job) < 0) at++;
      live.splice(at, 0, entry);
      liveById.set(job.id, job);
    },
    all() {
      cache ??= Array.from({ length: seeded.count }, (_, i) => seededDto(i));
      return [...live.map((l) => l.job), ...cache];
    },
  };
}
