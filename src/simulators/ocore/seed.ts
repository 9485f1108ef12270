/**
 * The oCore simulator's deterministic dataset, relative to the seed's "now" (kit `SEED_NOW` by
 * default): 3 projects (one with a unicode name), 4 environments each per `scale` unit
 * (production, staging, development; some without a schedule, one paused, one disabled), ~215
 * backups per project and unit over 30 days at the slots of their schedules' crons (db every
 * 8/12/24 h, full every 2/7/30 days, a few manual ones, ~5 % failed), restore logs, ~40 alerts of
 * every type and severity, and one WAL archiving gap; plus a fourth project, Helios Analytics,
 * whose 4 environments are the known ones (`fixtures.known`), one per protection status. Plain
 * loops only: scale 100 builds in well under a second.
 */
import { createRandom, cronSlotsBetween, knownHistory, type KnownProtection, type Random } from '../kit/index.ts';
import { slugify } from './hash.ts';
import { backupPlan, failPoints, restorePlan } from './ops.ts';
import { assignGfsTiers, OC_DEFAULT_RETENTION } from './retention.ts';
import {
  OcoreSimState,
  type OcAlert, type OcBackup, type OcBackupType, type OcEnvironment, type OcEnvType, type OcProject, type OcRestoreLog,
  type OcRetention, type OcSchedule,
} from './state.ts';

const MIN = 60_000;
const HOUR = 60 * MIN;
const DAY = 24 * HOUR;
const GIB = 1024 ** 3;
const MIB = 1024 ** 2;

/** How an environment is scheduled in the seed. */
type ScheduleKind = 'production' | 'staging' | 'development' | 'paused' | 'disabled' | null;

interface EnvTemplate {
  name: string;
  type: OcEnvType;
  schedule: ScheduleKind;
  /** A known resource: its backups follow a fixed plan (see `knownHistory`) instead of random outcomes. */
  known?: KnownProtection;
}

interface ProjectTemplate {
  name: string;
  timezone: string;
  people: string[];
  envs: [EnvTemplate, EnvTemplate, EnvTemplate, EnvTemplate];
}

const PROJECTS: ProjectTemplate[] = [
  {
    name: 'Acme Retail', timezone: 'Europe/Berlin', people: ['marta.kowalska@acme-retail.example', 'zoë.martin@acme-retail.example'],
    envs: [
      { name: 'production', type: 'production', schedule: 'production' },
      { name: 'staging', type: 'staging', schedule: 'staging' },
      { name: 'dev', type: 'development', schedule: 'development' },
      { name: 'feature/checkout-v2', type: 'development', schedule: null },
    ],
  },
  {
    name: 'Nordlicht Logistik GmbH', timezone: 'UTC', people: ['jonas.brandt@nordlicht.example', 'ops-bot@nordlicht.example'],
    envs: [
      { name: 'prod-eu', type: 'production', schedule: 'production' },
      { name: 'staging', type: 'staging', schedule: 'staging' },
      { name: 'qa', type: 'staging', schedule: 'paused' },
      { name: 'sandbox', type: 'development', schedule: null },
    ],
  },
  {
    name: 'Café Ñandú — Intranet 東京', timezone: 'America/Mexico_City', people: ['ana.núñez@cafe-nandu.example', 'kenji.tanaka@cafe-nandu.example'],
    envs: [
      { name: 'producción', type: 'production', schedule: 'production' },
      { name: 'pruebas', type: 'staging', schedule: 'staging' },
      { name: 'desarrollo', type: 'development', schedule: 'development' },
      { name: 'demo-クライアント', type: 'development', schedule: 'disabled' },
    ],
  },
  {
    // The known environments (README "Protection and RPO"): one per protection status.
    name: 'Helios Analytics', timezone: 'UTC', people: ['priya.raman@helios.example', 'lukas.weber@helios.example'],
    envs: [
      { name: 'reporting', type: 'production', schedule: 'production', known: 'protected' },
      { name: 'archive', type: 'staging', schedule: 'disabled', known: 'at-risk' },
      { name: 'etl-staging', type: 'staging', schedule: 'staging', known: 'unprotected' },
      { name: 'warehouse', type: 'production', schedule: 'production', known: 'missed' },
    ],
  },
];

/** Scheduled cadence per kind: db and full backup intervals (0 = none). */
const CADENCE: Record<Exclude<ScheduleKind, null>, { db: number; full: number }> = {
  production: { db: 8 * HOUR, full: 2 * DAY },
  staging: { db: 12 * HOUR, full: 7 * DAY },
  paused: { db: 12 * HOUR, full: 7 * DAY },
  development: { db: DAY, full: 30 * DAY },
  disabled: { db: 0, full: 0 },
};

/** Failure messages per step a backup can fail at. */
export const OC_BACKUP_ERRORS: Record<string, string[]> = {
  snapshot: ['could not acquire snapshot: another maintenance task holds the lock', 'database is in recovery mode, snapshot refused'],
  dump: ['pg_dump: error: query failed: server closed the connection unexpectedly', 'pg_dump: error: could not obtain lock on relation "stock_move"'],
  filestore: ['tar: filestore/4f/4f1c…: file changed as we read it', 'filestore volume unavailable: Input/output error'],
  upload: ['upload to s3-eu-central failed: RequestTimeout after 3 retries', 'upload to b2-offsite failed: 503 Service Unavailable'],
  verify: ['checksum mismatch for db.dump after upload', 'verification failed: uploaded object size differs from local artifact'],
};

/** A backup seeded mid-flight: the live engine continues it from `emitted` events. */
export interface OcoreInFlight {
  backup: OcBackup;
  emitted: number;
}

/** The known environments (first scale unit), one per protection status, and the slot the `missed` one skipped. */
export interface OcoreKnownEnvironments {
  /** Backups at every slot of its schedule, all completed: PROTECTED. */
  protectedEnvironmentId: string;
  /** Schedule disabled; its last backup completed 4 days ago: AT_RISK by age under a shorter default target. */
  atRiskEnvironmentId: string;
  /** Backups at every slot, every one failed: UNPROTECTED. */
  unprotectedEnvironmentId: string;
  /** Its newest db slot at least 75 minutes old has no backup (a manual one followed 65 minutes later): a missed run. */
  missedRunEnvironmentId: string;
  /** That slot (ISO-8601). */
  missedSlot: string;
}

/** Ids tests and demos can rely on (first scale unit). */
export interface OcoreSimFixtures {
  /** One environment per protection status. */
  known: OcoreKnownEnvironments;
  projectIds: string[];
  /** Production environment of the first project: enabled schedule with WAL, and a WAL gap. */
  productionEnvironmentId: string;
  /** Environments with no schedule (GET backup-schedule -> 404). */
  unscheduledEnvironmentIds: string[];
  /** Environment whose schedule is paused, and one whose schedule is disabled. */
  pausedEnvironmentId: string;
  disabledEnvironmentId: string;
  /**
   * The newest completed backup of the first production environment from before the UTC day its
   * in-flight backups started in: when one of those completes it takes the newest GFS buckets
   * (today's hour and day, this week and month), never this one's day, so its `gfsTiers` stay.
   */
  completedBackupId: string;
  /** A failed backup. */
  failedBackupId: string;
  /** Backups seeded mid-flight (they progress once the simulator serves its first request). */
  inFlightBackupIds: string[];
  /** A seeded restore log (completed), and a failed one. */
  restoreLogId: string;
  failedRestoreLogId: string;
}

/** The built dataset. */
export interface OcoreSeed {
  state: OcoreSimState;
  inFlight: OcoreInFlight[];
  fixtures: OcoreSimFixtures;
}

/** Options of {@link createOcoreSeed}. */
export interface OcoreSeedOptions {
  dataSeed: number;
  scale: number;
  /** The seed's "now" (epoch ms). */
  now: number;
}

/** A deterministic UUID v4-shaped id from 4 draws (the kit's `uuid()` draws 32: too slow at scale 100). */
function uuidOf(rnd: Random): string {
  const hex8 = () => Math.floor(rnd.next() * 0x1_0000_0000).toString(16).padStart(8, '0');
  const a = hex8();
  const b = hex8();
  const c = hex8();
  const d = hex8();
  const variant = ((parseInt(c[0], 16) & 0x3) | 0x8).toString(16);
  return `${a}-${b.slice(0, 4)}-4${b.slice(5, 8)}-${variant}${c.slice(1, 4)}-${c.slice(4, 8)}${d}`;
}

function scheduleFor(kind: Exclude<ScheduleKind, null>, env: OcEnvironment, timezone: string, rnd: Random): OcSchedule {
  const retention: OcRetention = {
    ...OC_DEFAULT_RETENTION,
    ...(kind === 'production'
      ? { retainDbHourly: 24, retainDbDaily: 14, retainDbWeekly: 8, retainDbMonthly: 12, retainFullMonthly: 12, retainDailyDays: 14 }
      : kind === 'development'
        ? { retainDbHourly: 0, retainDbDaily: 5, retainDbWeekly: 2, retainDbMonthly: 1, retainFullDaily: 1, retainFullWeekly: 1, retainFullMonthly: 1 }
        : {}),
  };
  const crons = {
    production: { dbCron: '0 */8 * * *', dbFrequency: 'every 8 hours', fullCron: '0 3 */2 * *', fullFrequency: 'every 2 days' },
    staging: { dbCron: '0 */12 * * *', dbFrequency: 'twice daily', fullCron: '0 4 * * 0', fullFrequency: 'weekly' },
    paused: { dbCron: '30 */12 * * *', dbFrequency: 'twice daily', fullCron: '0 4 * * 0', fullFrequency: 'weekly' },
    development: { dbCron: '0 1 * * *', dbFrequency: 'daily', fullCron: '0 5 1 * *', fullFrequency: 'monthly' },
    disabled: { dbCron: '0 2 * * *', dbFrequency: 'daily', fullCron: '0 6 * * 6', fullFrequency: 'weekly' },
  }[kind];
  return {
    id: uuidOf(rnd), environmentId: env.id, enabled: kind !== 'disabled', paused: kind === 'paused', ...crons,
    destinationIds: env.destinations.map((d) => d.id), timezone, walEnabled: kind === 'production', walRetentionDays: kind === 'production' ? 7 : 0,
    ...retention,
  };
}

/** Builds the dataset. */
export function createOcoreSeed(opts: OcoreSeedOptions): OcoreSeed {
  const { dataSeed, now } = opts;
  const units = Math.max(1, Math.round(opts.scale));
  const rnd = createRandom(dataSeed);
  const state = new OcoreSimState();
  const inFlight: OcoreInFlight[] = [];
  const failedIds: string[] = [];
  const known = new Map<KnownProtection, { id: string; missedSlot: number | null }>();

  for (const t of PROJECTS) {
    const slug = slugify(t.name);
    const project: OcProject = {
      id: uuidOf(rnd), name: t.name, slug,
      destinations: [
        { id: uuidOf(rnd), name: 's3-eu-central', baseUri: 's3://ocore-backups-eu-central-1' },
        { id: uuidOf(rnd), name: 'b2-offsite', baseUri: 'b2://ocore-offsite-archive' },
      ],
    };
    state.addProject(project);
  }

  for (let unit = 0; unit < units; unit++) {
    PROJECTS.forEach((t, p) => {
      const project = state.projects[p];
      t.envs.forEach((et, e) => {
        const name = unit === 0 ? et.name : `${et.name}-${unit + 1}`;
        const size = et.type === 'production' ? 1 : et.type === 'staging' ? 0.4 : 0.1;
        const env: OcEnvironment = {
          id: uuidOf(rnd), projectId: project.id, name, type: et.type, slug: slugify(name),
          dbBytes: Math.round((2 + rnd.next() * 6) * GIB * size), filestoreBytes: Math.round((10 + rnd.next() * 30) * GIB * size),
          destinations: et.type === 'production' ? project.destinations : [project.destinations[0]],
        };
        state.addEnvironment(env);
        const schedule = et.schedule ? scheduleFor(et.schedule, env, t.timezone, rnd) : null;
        if (schedule) state.schedules.set(env.id, schedule);
        if (et.known) {
          const missedSlot = seedKnownBackups(state, env, et.known, schedule!, t.timezone, rnd, now, failedIds);
          if (unit === 0) known.set(et.known, { id: env.id, missedSlot });
        } else seedBackups(state, env, et.schedule, schedule, t.timezone, rnd, now, failedIds);
        assignGfsTiers(state.backupsByEnv.get(env.id)!, schedule ?? OC_DEFAULT_RETENTION, now);
        if (unit === 0 && p === 0 && e === 0) inFlight.push(seedInFlight(state, env, 'db', now - 2 * MIN, 3, rnd));
        if (unit === 0 && p === 1 && e === 0) inFlight.push(seedInFlight(state, env, 'full', now - 15_000, 1, rnd));
        if (et.type === 'production' && p === 0) state.walGaps.set(env.id, [{ start: now - 3 * DAY + 2 * HOUR + 13 * MIN, end: now - 3 * DAY + 3 * HOUR }]);
      });
      seedRestoreLogs(state, p, t, unit, rnd, now);
    });
  }
  seedAlerts(state, rnd, now);
  state.sortAll();

  const envsOf = (p: number) => state.envsByProject.get(state.projects[p].id)!;
  const prod = envsOf(0)[0];
  const logs = [...state.restoreLogs.values()];
  const knownId = (k: KnownProtection) => known.get(k)!.id;
  const fixtures: OcoreSimFixtures = {
    known: {
      protectedEnvironmentId: knownId('protected'),
      atRiskEnvironmentId: knownId('at-risk'),
      unprotectedEnvironmentId: knownId('unprotected'),
      missedRunEnvironmentId: knownId('missed'),
      missedSlot: new Date(known.get('missed')!.missedSlot!).toISOString(),
    },
    projectIds: state.projects.map((p) => p.id),
    productionEnvironmentId: prod.id,
    unscheduledEnvironmentIds: [...state.environments.values()].filter((e) => !state.schedules.has(e.id)).map((e) => e.id).slice(0, 2),
    pausedEnvironmentId: envsOf(1)[2].id,
    disabledEnvironmentId: envsOf(2)[3].id,
    completedBackupId: state.backupsByEnv.get(prod.id)!.find((b) => b.status === 'completed' && b.createdAt < Math.floor((now - 10 * MIN) / DAY) * DAY)!.id,
    failedBackupId: failedIds[0],
    inFlightBackupIds: inFlight.map((f) => f.backup.id),
    restoreLogId: logs.find((l) => l.status === 'completed')!.id,
    failedRestoreLogId: logs.find((l) => l.status === 'failed')!.id,
  };
  return { state, inFlight, fixtures };
}

/** What a backup of `type` taken at `at` weighs. */
function bytesFor(env: OcEnvironment, type: OcBackupType, at: number, now: number): number {
  const growth = 1 - (0.08 * Math.max(0, now - at)) / (30 * DAY);
  const db = Math.round(env.dbBytes * 0.35 * growth);
  return type === 'full' ? db + Math.round(env.filestoreBytes * growth) : db;
}

function durationMs(bytes: number, rnd: Random): number {
  // ~40-80 MiB/s end to end, plus fixed overhead.
  return Math.round(20_000 + (bytes / ((40 + rnd.next() * 40) * MIB)) * 1000);
}

/** Adds one finished backup; `outcome` forces how it ended (random: ~5% failed). */
function pushBackup(
  state: OcoreSimState, env: OcEnvironment, type: OcBackupType, createdAt: number, trigger: OcBackup['trigger'], rnd: Random, now: number, failedIds: string[],
  outcome?: 'completed' | 'failed',
): void {
  const bytesTotal = bytesFor(env, type, createdAt, now);
  const startedAt = createdAt + rnd.int(2_000, 25_000);
  const drawn = rnd.chance(0.05);
  const failed = outcome ? outcome === 'failed' : drawn;
  let failAt: number | null = null;
  let errorMessage: string | null = null;
  let completedAt = startedAt + durationMs(bytesTotal, rnd);
  if (failed) {
    const plan = backupPlan(type);
    const points = failPoints(plan);
    failAt = rnd.pick(points);
    errorMessage = rnd.pick(OC_BACKUP_ERRORS[plan[failAt].step!]);
    completedAt = startedAt + Math.round(((completedAt - startedAt) * failAt) / plan.length);
  }
  const b: OcBackup = {
    id: uuidOf(rnd), environmentId: env.id, backupType: type, status: failed ? 'failed' : 'completed', createdAt, startedAt, completedAt,
    sizeBytes: failed ? 0 : bytesTotal, bytesTotal, errorMessage, failAt, gfsTiers: [],
    remotePartial: !failed && env.destinations.length > 1 && rnd.chance(0.03), notifyFailed: !failed && rnd.chance(0.03), trigger,
  };
  if (failed) failedIds.push(b.id);
  state.addBackup(b, 'append');
}

/**
 * A random environment's history: with a schedule in force (or paused), a backup at every slot of
 * its `dbCron` and `fullCron` (read in the project's zone) over 30 days, a few minutes late, ~5%
 * failed (a paused one stops 5 days ago); plus a few manual backups at random times.
 */
function seedBackups(state: OcoreSimState, env: OcEnvironment, kind: ScheduleKind, schedule: OcSchedule | null, timezone: string, rnd: Random, now: number, failedIds: string[]): void {
  const from = now - 30 * DAY;
  const until = now - 10 * MIN;
  if (kind && kind !== 'disabled' && schedule) {
    const stopAt = kind === 'paused' ? now - 5 * DAY : until;
    for (const [type, cron] of [['db', schedule.dbCron], ['full', schedule.fullCron]] as const) {
      for (const t of cronSlotsBetween(cron, timezone, from, stopAt)) pushBackup(state, env, type, t + rnd.int(0, 4 * MIN), 'schedule', rnd, now, failedIds);
    }
  }
  const manual = kind === null || kind === 'disabled' ? 6 : 3;
  for (let i = 0; i < manual; i++) {
    pushBackup(state, env, rnd.chance(0.5) ? 'db' : 'full', from + rnd.int(0, 30 * DAY - 20 * MIN), 'manual', rnd, now, failedIds);
  }
  state.backupsByEnv.get(env.id)!.sort((a, b) => b.createdAt - a.createdAt);
}

/**
 * A known environment's history (see `knownHistory`) on its schedule's `dbCron` and `fullCron`
 * (a `missed` one's only gap is a db slot); `at-risk` gets its schedule switched off.
 * Answers the slot a `missed` environment skipped.
 */
function seedKnownBackups(state: OcoreSimState, env: OcEnvironment, kind: KnownProtection, schedule: OcSchedule, timezone: string, rnd: Random, now: number, failedIds: string[]): number | null {
  // A short failing history for `unprotected`: every failure is also an alert.
  const from = now - (kind === 'unprotected' ? 3 : 10) * DAY;
  const db = knownHistory(kind, schedule.dbCron, timezone, from, now);
  const full = knownHistory(kind === 'missed' ? 'protected' : kind, schedule.fullCron, timezone, from, now);
  for (const [type, runs] of [['db', db.runs], ['full', full.runs]] as const) {
    for (const r of runs) pushBackup(state, env, type, r.at + rnd.int(0, 2 * MIN), r.manual ? 'manual' : 'schedule', rnd, now, failedIds, r.ok ? 'completed' : 'failed');
  }
  if (kind === 'at-risk') schedule.enabled = false;
  state.backupsByEnv.get(env.id)!.sort((a, b) => b.createdAt - a.createdAt);
  return db.missedSlot;
}

function seedInFlight(state: OcoreSimState, env: OcEnvironment, type: OcBackupType, createdAt: number, emitted: number, rnd: Random): OcoreInFlight {
  const bytesTotal = bytesFor(env, type, createdAt, createdAt);
  const b: OcBackup = {
    id: uuidOf(rnd), environmentId: env.id, backupType: type, status: emitted > 1 ? 'running' : 'pending', createdAt,
    startedAt: emitted > 1 ? createdAt + 5_000 : null, completedAt: null, sizeBytes: 0, bytesTotal, errorMessage: null, failAt: null,
    gfsTiers: [], remotePartial: false, notifyFailed: false, trigger: 'schedule',
  };
  state.addBackup(b, 'append');
  return { backup: b, emitted };
}

/** Restore logs of one project in one scale unit: [source env index, target env index, days ago, person, outcome, pitr]. */
const RESTORES: [number, number, number, number, 'completed' | 'failed', boolean][][] = [
  [[0, 1, 26, 0, 'completed', false], [0, 1, 12, 0, 'completed', false], [0, 1, 2, 0, 'completed', false], [1, 1, 8, 1, 'completed', false]],
  [[0, 0, 20, 0, 'failed', false], [0, 0, 19.9, 0, 'completed', true], [0, 2, 6, 1, 'completed', false]],
  [[0, 1, 15, 0, 'completed', false], [0, 1, 4, 1, 'completed', false]],
  [[0, 0, 9, 0, 'completed', false]],
];

function seedRestoreLogs(state: OcoreSimState, p: number, t: ProjectTemplate, unit: number, rnd: Random, now: number): void {
  const envs = state.envsByProject.get(state.projects[p].id)!.slice(unit * 4, unit * 4 + 4);
  for (const [src, dst, daysAgo, person, outcome, pitr] of RESTORES[p]) {
    const source = envs[src];
    const createdAt = now - Math.round(daysAgo * DAY) + rnd.int(0, 30 * MIN);
    const backup = state.backupsByEnv.get(source.id)!.find((b) => b.status === 'completed' && b.completedAt! < createdAt - HOUR);
    if (!backup) continue;
    const plan = restorePlan(backup.backupType, pitr);
    const failAt = outcome === 'failed' ? plan.findIndex((e) => e.step === 'restore_database') : null;
    const startedAt = createdAt + rnd.int(3_000, 15_000);
    const log: OcRestoreLog = {
      id: uuidOf(rnd), backupId: backup.id, backupType: backup.backupType, bytesTotal: backup.bytesTotal,
      sourceEnvironmentId: source.id, targetEnvironmentId: envs[dst].id, targetType: src === dst ? 'same' : 'other',
      status: outcome, createdAt, startedAt, completedAt: startedAt + rnd.int(outcome === 'failed' ? 3 : 10, outcome === 'failed' ? 8 : 40) * MIN,
      errorMessage: outcome === 'failed' ? 'pg_restore: error: could not execute query: ERROR:  role "odoo_ro" does not exist' : null,
      failAt, performedBy: t.people[person], pitrTimestamp: pitr ? backup.completedAt! + 3 * HOUR + 17 * MIN : null,
    };
    state.addRestoreLog(log, 'append');
  }
}

function alert(state: OcoreSimState, rnd: Random, now: number, a: Omit<OcAlert, 'id' | 'read' | 'dismissed'>): void {
  const old = now - a.createdAt > 7 * DAY;
  const dismissed = rnd.chance(old ? 0.5 : 0.1);
  const read = dismissed || rnd.chance(old ? 0.8 : 0.3);
  state.addAlert({ id: uuidOf(rnd), ...a, read, dismissed }, 'append');
}

function formatBytes(n: number): string {
  return `${(n / GIB).toFixed(1)} GiB`;
}

function seedAlerts(state: OcoreSimState, rnd: Random, now: number): void {
  for (const env of state.environments.values()) {
    const backups = state.backupsByEnv.get(env.id)!;
    for (const b of backups) {
      if (b.status !== 'failed') continue;
      alert(state, rnd, now, {
        backupId: b.id, environmentId: env.id, type: 'backup_failed', severity: env.type === 'production' ? 'critical' : 'warning',
        message: `${b.backupType === 'db' ? 'Database' : 'Full'} backup of ${env.name} failed: ${b.errorMessage}`, createdAt: b.completedAt!,
      });
    }
    const schedule = state.schedules.get(env.id);
    if (schedule?.paused) {
      alert(state, rnd, now, {
        backupId: null, environmentId: env.id, type: 'backup_missed', severity: 'warning',
        message: `No backup of ${env.name} for 4 days: its schedule is paused`, createdAt: now - 4 * DAY + 2 * HOUR,
      });
    } else if (schedule?.enabled && env.type !== 'development') {
      const at = now - rnd.int(1, 20) * DAY - rnd.int(0, 20) * HOUR;
      alert(state, rnd, now, {
        backupId: null, environmentId: env.id, type: 'backup_missed', severity: 'warning',
        message: `Scheduled db backup of ${env.name} did not start at ${new Date(at).toISOString()} (worker queue saturated)`, createdAt: at + 15 * MIN,
      });
    }
    for (const gap of state.walGaps.get(env.id) ?? []) {
      alert(state, rnd, now, {
        backupId: null, environmentId: env.id, type: 'pitr_gap', severity: 'critical',
        message: `WAL archiving gap of ${Math.round((gap.end - gap.start) / MIN)} min on ${env.name}: point-in-time recovery is unavailable between ${new Date(gap.start).toISOString()} and ${new Date(gap.end).toISOString()}`,
        createdAt: gap.end + 5 * MIN,
      });
    }
    if (env.type === 'production') {
      const oldestFull = [...backups].reverse().find((b) => b.backupType === 'full' && b.status === 'completed');
      const removed = rnd.int(4, 14);
      alert(state, rnd, now, {
        backupId: null, environmentId: env.id, type: 'retention', severity: 'info',
        message: `Retention removed ${removed} expired backups (${formatBytes(removed * env.dbBytes * 0.35)}) from ${env.name}`, createdAt: now - rnd.int(1, 25) * DAY,
      });
      if (oldestFull && state.walGaps.has(env.id)) {
        alert(state, rnd, now, {
          backupId: oldestFull.id, environmentId: env.id, type: 'retention', severity: 'warning',
          message: `Full backup of ${env.name} from ${new Date(oldestFull.createdAt).toISOString().slice(0, 10)} expires in 3 days and is the oldest restore point`,
          createdAt: now - 2 * DAY,
        });
      }
    }
  }
}
