/**
 * The ByCloud simulator's deterministic dataset: 40 volumes and 15 database instances per unit of
 * `scale`, ~10 backups each over 60 days in every status and casing (in-flight ones within the last
 * hour), and four known volumes at the end (`BycloudSeed.known`), one per protection status.
 *
 * ByCloud has no names for volumes and instances: their backups carry them. Every backup of a
 * volume has `metadata.volume_name` (and the volume's `environment` and `team`); a database
 * backup is named `<instance name>-<date>-<n>`. Backups made by a scheduler carry its cron in
 * `metadata.schedule` and zone in `metadata.schedule_tz` (the known volumes only).
 */
import { createRandom, knownHistory, type KnownProtection, type Random } from '../kit/index.ts';
import type { BycloudDatabaseBackupRecord, BycloudVolumeBackupRecord } from './dto.ts';

const VOLUME_STATUSES: Array<[string, number]> = [['available', 0.8], ['Available', 0.03], ['error', 0.05], ['error_restoring', 0.03], ['deleting', 0.03], ['restoring', 0.03], ['creating', 0.03]];
const DB_STATUSES: Array<[string, number]> = [['COMPLETED', 0.8], ['FAILED', 0.07], ['DELETE_FAILED', 0.04], ['NEW', 0.03], ['BUILDING', 0.03], ['SAVING', 0.03]];
const DATASTORES = [['postgresql', '15.4'], ['postgresql', '16.2'], ['mysql', '8.0.36'], ['mariadb', '10.11'], ['mongodb', '7.0']];
const TEAMS = ['backend', 'data', 'platform', 'ml', 'équipe-paris'];
const VOLUME_PURPOSES = ['web-data', 'postgres-data', 'app-logs', 'uploads', 'build-cache', 'elastic-data', 'redis-aof', 'mail-store'];
const INSTANCE_NAMES = ['orders', 'billing', 'catalog', 'accounts', 'inventory', 'payments', 'analytics', 'sessions'];
const HOUR_MS = 3_600_000;
const DAY_MS = 24 * HOUR_MS;

/** The known volumes (native ByCloud ids) and the slot the `missed` one skipped. */
export interface BycloudKnownVolumes {
  /** Tagged with a 6-hourly schedule (UTC); an available backup at every slot: PROTECTED. */
  protectedVolumeId: string;
  /** Untagged; its last backup was made 4 days ago: AT_RISK by age under a shorter default target. */
  atRiskVolumeId: string;
  /** Tagged; every backup ended in `error`: UNPROTECTED. */
  unprotectedVolumeId: string;
  /** Tagged; its newest slot at least 75 minutes old has no backup (a manual one followed 65 minutes later): a missed run. */
  missedRunVolumeId: string;
  /** That slot (ISO-8601). */
  missedSlot: string;
}

/** The seeded dataset, newest first in both collections. */
export interface BycloudSeed {
  volumeBackups: BycloudVolumeBackupRecord[];
  databaseBackups: BycloudDatabaseBackupRecord[];
  known: BycloudKnownVolumes;
}

/** The schedule of the known volumes. */
const KNOWN_CRON = '0 */6 * * *';
const KNOWN: ReadonlyArray<{ name: string; kind: KnownProtection; tagged: boolean }> = [
  { name: 'web-frontend-data', kind: 'protected', tagged: true },
  { name: 'analytics-scratch', kind: 'at-risk', tagged: false },
  { name: 'ml-training-set', kind: 'unprotected', tagged: true },
  { name: 'postgres-wal-archive', kind: 'missed', tagged: true },
];

function weighted(r: Random, table: Array<[string, number]>): string {
  let x = r.next();
  for (const [v, p] of table) if ((x -= p) < 0) return v;
  return table[0][0];
}

/** Work still in flight when seeded started within the hour before the anchor, never weeks ago. */
const IN_FLIGHT = new Set(['creating', 'deleting', 'restoring', 'NEW', 'BUILDING', 'SAVING']);

/** A seeded creation time `ageMs` before `t0`; in-flight work is folded into the last hour. */
function seededCreatedAt(t0: number, ageMs: number, status: string): string {
  return new Date(t0 - (IN_FLIGHT.has(status) ? ageMs % HOUR_MS : ageMs)).toISOString();
}

/** The list order: newest first, ties by id. */
export const byNewest = (a: { created_at: string; id: string }, b: { created_at: string; id: string }) =>
  a.created_at < b.created_at ? 1 : a.created_at > b.created_at ? -1 : a.id < b.id ? -1 : 1;

/** Seeds volume and database backups around `t0`; `scale` multiplies everything. */
export function seedBycloud(seedN: number, scale: number, t0: number): BycloudSeed {
  const r = createRandom(seedN);
  const volumes = Array.from({ length: 40 * scale }, (_, i) => {
    const team = TEAMS[i % TEAMS.length];
    return {
      id: r.uuid(),
      meta: { volume_name: `${VOLUME_PURPOSES[i % VOLUME_PURPOSES.length]}-${team.normalize('NFD').replace(/[^a-z]/g, '')}-${String(i + 1).padStart(2, '0')}`, environment: i % 3 === 0 ? 'staging' : 'production', team },
    };
  });
  const instances = Array.from({ length: 15 * scale }, (_, i) => {
    const ds = DATASTORES[i % DATASTORES.length];
    return { id: r.uuid(), ds, name: `${INSTANCE_NAMES[i % INSTANCE_NAMES.length]}-${ds[0] === 'postgresql' ? 'pg' : ds[0]}-${String(i + 1).padStart(2, '0')}` };
  });
  const volumeBackups: BycloudVolumeBackupRecord[] = Array.from({ length: 400 * scale }, (_, i) => {
    const id = r.uuid();
    const ageMs = r.int(600, 60 * 86_400) * 1000;
    const status = weighted(r, VOLUME_STATUSES);
    const created = seededCreatedAt(t0, ageMs, status);
    const volume = volumes[i % volumes.length];
    // Two draws the per-backup tags once took: kept, so every other value stays as it was seeded before.
    r.next();
    r.next();
    return {
      id, crn: `crn:spo1:storage:backup:${id}`, name: i % 29 === 3 ? `sauvegarde-été-${i}` : `vol-backup-${String(i).padStart(4, '0')}`,
      description: i % 4 === 0 ? 'Weekly backup' : null, status, volume_id: volume.id,
      size: r.int(1, 2048), container: i % 3 === 0 ? `bkp-${r.int(1, 9)}` : null, is_incremental: i % 5 !== 0,
      has_dependent_backups: i % 7 === 0, snapshot_id: i % 6 === 0 ? r.uuid() : null,
      metadata: { ...volume.meta }, created_at: created,
      updated_at: new Date(Date.parse(created) + r.int(60, 7200) * 1000).toISOString(),
    };
  });
  const databaseBackups: BycloudDatabaseBackupRecord[] = Array.from({ length: 150 * scale }, (_, i) => {
    const id = r.uuid();
    const inst = instances[i % instances.length];
    const ageMs = r.int(600, 60 * 86_400) * 1000;
    const status = weighted(r, DB_STATUSES);
    const created = seededCreatedAt(t0, ageMs, status);
    return {
      id, crn: `crn:spo1:database:backup:${id}`, name: `${inst.name}-${created.slice(0, 10)}-${i}`,
      description: i % 5 === 0 ? 'nightly' : null, status, instance_id: inst.id,
      parent_id: i % 3 === 0 ? null : r.uuid(), size: r.int(1, 500),
      datastore: { type: inst.ds[0], version: inst.ds[1], version_id: r.uuid() }, location_ref: `s3://bycloud-spo1/db/${id}`,
      created_at: created, updated_at: new Date(Date.parse(created) + r.int(60, 3600) * 1000).toISOString(),
    };
  });
  const known = seedKnownVolumes(r, t0, volumeBackups);
  volumeBackups.sort(byNewest);
  databaseBackups.sort(byNewest);
  return { volumeBackups, databaseBackups, known };
}

/** Adds the known volumes' backups (last 10 days, see `knownHistory`) to `out`. */
function seedKnownVolumes(r: Random, t0: number, out: BycloudVolumeBackupRecord[]): BycloudKnownVolumes {
  const ids: Partial<Record<KnownProtection, string>> = {};
  let missedSlot = 0;
  for (const k of KNOWN) {
    const volumeId = r.uuid();
    ids[k.kind] = volumeId;
    const meta: Record<string, string> = { volume_name: k.name, environment: 'production', team: 'platform', ...(k.tagged ? { schedule: KNOWN_CRON, schedule_tz: 'UTC' } : {}) };
    const history = knownHistory(k.kind, KNOWN_CRON, 'UTC', t0 - 10 * DAY_MS, t0);
    if (history.missedSlot !== null) missedSlot = history.missedSlot;
    for (const run of history.runs) {
      const id = r.uuid();
      const created = run.at + r.int(0, 120) * 1000;
      out.push({
        id, crn: `crn:spo1:storage:backup:${id}`, name: `${k.name}-${new Date(created).toISOString().slice(0, 16)}`,
        description: run.manual ? 'manual' : 'scheduled', status: run.ok ? 'available' : 'error', volume_id: volumeId,
        size: run.ok ? r.int(20, 400) : 0, container: null, is_incremental: true, has_dependent_backups: false, snapshot_id: null,
        metadata: { ...meta }, created_at: new Date(created).toISOString(),
        updated_at: new Date(Math.min(created + r.int(60, 420) * 1000, t0 - 30_000)).toISOString(),
      });
    }
  }
  return {
    protectedVolumeId: ids.protected!, atRiskVolumeId: ids['at-risk']!, unprotectedVolumeId: ids.unprotected!, missedRunVolumeId: ids.missed!,
    missedSlot: new Date(missedSlot).toISOString(),
  };
}
