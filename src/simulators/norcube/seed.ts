/**
 * The Norcube simulator's deterministic dataset: one organization with 29 data sources per unit
 * of `scale` (Postgres and MongoDB, every environment, a few unicode names, some inactive, some
 * without a policy), 3 storage destinations (managed and bring-your-own), 6 backup policies,
 * attachments (enabled and disabled), ~32 backup jobs per protected data source over 45 days
 * with every status (a failing streak, retention-expired files, in-flight jobs), restores
 * (wizard restores and automated restore tests) and an audit log of the above. The last 4 data
 * sources are the known ones (`norcubeKnownDataSources`): their jobs follow their policy's cron
 * over the last 10 days, one per protection status.
 *
 * Same `dataSeed` + `now` + `scale` = same dataset, byte for byte. Plain loops only: scale 100
 * (2,500 data sources, ~80,000 jobs) builds in a fraction of a second.
 */
import { createRandom, knownHistory, type KnownProtection, type Random } from '../kit/index.ts';
import {
  addAttachment, addRestore, createEmptyState, hasLiveArtifact, jobsOf,
  type NcActor, type NcAttachment, type NcAuditAction, type NcAuditEntry, type NcAuditTargetType, type NcCompression,
  type NcDataSource, type NcDestination, type NcEngine, type NcEnvironment, type NcJob, type NcJobStatus, type NcPolicy,
  type NcRestore, type NcRestoreMode, type NorcubeSimState,
} from './state.ts';

const MINUTE = 60_000;
const HOUR = 60 * MINUTE;
const DAY = 24 * HOUR;
const MB = 1024 * 1024;

/** Options of {@link createNorcubeSeed}. */
export interface NorcubeSeedOptions {
  dataSeed: number;
  scale: number;
  /** The dataset's "now" (epoch ms). */
  now: number;
}

interface DsTemplate {
  name: string;
  engine: NcEngine;
  env: NcEnvironment;
  /** [policy index, enabled]. */
  attach: [number, boolean][];
  inactive?: boolean;
  noCredentials?: boolean;
  restoreTests?: boolean;
  manualRestores?: number;
  /** The newest jobs fail with this engine error (a failing streak). */
  failingStreak?: boolean;
  /** The newest job is still in flight. */
  inFlight?: 'queued' | 'running';
  /** A known data source: its jobs follow a fixed plan on its first policy (see `knownHistory`) instead of random outcomes. */
  known?: KnownProtection;
}

const POLICY_TEMPLATES: Omit<NcPolicy, 'id' | 'destinationId' | 'createdAt' | 'updatedAt'>[] = [
  { name: 'nightly-logical-gzip', scheduleCron: '0 2 * * *', timezone: 'Europe/Prague', retentionDays: 14, keepLastN: 14, method: 'logical_dump', compression: 'gzip', encryption: 'sse-kms', parallelism: 2, pitrEnabled: false },
  { name: 'hourly-pitr', scheduleCron: '0 * * * *', timezone: 'UTC', retentionDays: 3, keepLastN: 48, method: 'pitr', compression: 'zstd', encryption: 'sse-kms', parallelism: 4, pitrEnabled: true, throttleMbps: 200 },
  { name: 'weekly-physical-archive', scheduleCron: '30 3 * * 0', timezone: 'Europe/Berlin', retentionDays: 90, keepLastN: 12, method: 'physical', compression: 'zstd', encryption: 'client-side', parallelism: 8, pitrEnabled: false, throttleMbps: 100 },
  { name: 'Tägliche Sicherung – Büro', scheduleCron: '15 1 * * 1-5', timezone: 'Europe/Zurich', retentionDays: 30, keepLastN: 20, method: 'logical_dump', compression: 'gzip', encryption: 'sse-s3', parallelism: 2, pitrEnabled: false },
  { name: 'every-6h-mongo', scheduleCron: '0 */6 * * *', timezone: 'UTC', retentionDays: 7, keepLastN: 28, method: 'logical_dump', compression: 'gzip', encryption: 'sse-kms', parallelism: 4, pitrEnabled: false },
  { name: 'monthly-compliance', scheduleCron: '0 4 1 * *', timezone: 'America/New_York', retentionDays: 365, keepLastN: 12, method: 'physical', compression: 'none', encryption: 'sse-s3', parallelism: 1, pitrEnabled: false },
];
/** Destination index of each policy template (0 managed, 1 BYO R2). */
const POLICY_DESTINATIONS = [0, 0, 1, 0, 0, 1];

const DS_TEMPLATES: DsTemplate[] = [
  { name: 'orders-db', engine: 'postgres', env: 'prod', attach: [[0, true], [2, true]], restoreTests: true, manualRestores: 2 },
  { name: 'billing-core', engine: 'postgres', env: 'prod', attach: [[0, true], [5, true]], restoreTests: true },
  { name: 'Zürich-kunden', engine: 'postgres', env: 'prod', attach: [[3, true]] },
  { name: 'inventory', engine: 'postgres', env: 'staging', attach: [[0, true], [2, false]], manualRestores: 2 },
  { name: 'catalog-mongo', engine: 'mongodb', env: 'prod', attach: [[4, true]], restoreTests: true, manualRestores: 1 },
  { name: 'sessions', engine: 'mongodb', env: 'prod', attach: [[4, true]], inFlight: 'queued' },
  { name: 'analytics-warehouse', engine: 'postgres', env: 'prod', attach: [[2, true]], inFlight: 'running' },
  { name: 'auth-service', engine: 'postgres', env: 'prod', attach: [[0, true]], failingStreak: true },
  { name: 'notifications', engine: 'mongodb', env: 'staging', attach: [[4, false]] },
  { name: 'crm-münchen', engine: 'postgres', env: 'staging', attach: [[3, true]] },
  { name: 'reporting', engine: 'postgres', env: 'dev', attach: [[0, false]] },
  { name: 'events-stream', engine: 'mongodb', env: 'prod', attach: [[4, true]], inFlight: 'running' },
  { name: 'payments-ledger', engine: 'postgres', env: 'prod', attach: [[1, true], [5, true]], restoreTests: true },
  { name: 'feature-flags', engine: 'mongodb', env: 'dev', attach: [[4, true]] },
  { name: 'search-index', engine: 'mongodb', env: 'test', attach: [[4, true]] },
  { name: 'hr-portal', engine: 'postgres', env: 'staging', attach: [[3, true]], manualRestores: 1 },
  { name: '客户数据', engine: 'postgres', env: 'prod', attach: [[0, true]], restoreTests: true },
  { name: 'audit-trail', engine: 'postgres', env: 'prod', attach: [[5, true], [0, true]], restoreTests: true },
  { name: 'geo-tiles', engine: 'postgres', env: 'test', attach: [], noCredentials: true },
  { name: 'chat-history', engine: 'mongodb', env: 'prod', attach: [[4, true]] },
  { name: 'legacy-erp', engine: 'postgres', env: 'prod', attach: [[0, true]], inactive: true },
  { name: 'sandbox-ålesund', engine: 'postgres', env: 'dev', attach: [] },
  { name: 'ml-features', engine: 'mongodb', env: 'staging', attach: [[4, true]] },
  { name: 'wiki', engine: 'postgres', env: 'dev', attach: [] },
  { name: 'iot-telemetry', engine: 'mongodb', env: 'prod', attach: [[4, true]] },
  // The known data sources (README "Protection and RPO"), on `every-6h-mongo` (UTC): one per protection status.
  { name: 'orders-events', engine: 'mongodb', env: 'prod', attach: [[4, true]], known: 'protected' },
  { name: 'clickstream-archive', engine: 'mongodb', env: 'staging', attach: [[4, false]], known: 'at-risk' },
  { name: 'ml-experiments', engine: 'mongodb', env: 'dev', attach: [[4, true]], known: 'unprotected' },
  { name: 'user-profiles', engine: 'mongodb', env: 'prod', attach: [[4, true]], known: 'missed' },
];

/** Data sources per unit of `scale` (the last 4 of each unit are the known ones). */
export const NORCUBE_DATA_SOURCES_PER_SCALE = DS_TEMPLATES.length;

/** The known data sources of the first scale unit, one per protection status, and the slot the `missed` one skipped. */
export interface NorcubeKnownDataSources {
  /** A successful job at every slot of its 6-hourly policy: PROTECTED. */
  protectedDataSourceId: string;
  /** Its only policy was disabled after its last successful job, 4 days ago: AT_RISK by age under a shorter default target. */
  atRiskDataSourceId: string;
  /** Every job at every slot failed: UNPROTECTED. */
  unprotectedDataSourceId: string;
  /** Its newest slot at least 75 minutes old has no job (a manual one followed 65 minutes later): a missed run. */
  missedRunDataSourceId: string;
  /** That slot (ISO-8601). */
  missedSlot: string;
}

const knownOf = new WeakMap<NorcubeSimState, NorcubeKnownDataSources>();

/** The known data sources of a state {@link createNorcubeSeed} built. */
export function norcubeKnownDataSources(state: NorcubeSimState): NorcubeKnownDataSources {
  const k = knownOf.get(state);
  if (!k) throw new Error('not a seeded Norcube state');
  return k;
}

const PG_ERRORS = [
  'pg_dump: error: connection to server at "10.0.3.12", port 5432 failed: timeout expired',
  'pg_dump: error: query failed: ERROR: canceling statement due to conflict with recovery',
  'S3 PutObject: AccessDenied: destination bucket policy denies s3:PutObject',
  'pg_dump: error: could not obtain lock on relation "orders_2026_10"',
];
const MONGO_ERRORS = [
  'mongodump: Failed: error connecting to db server: server selection error: context deadline exceeded',
  'mongodump: Failed: error writing data for collection `events`: connection reset by peer',
  'S3 PutObject: SlowDown: please reduce your request rate',
];
const AUTH_STREAK_ERROR = 'pg_dump: error: connection to server failed: FATAL: password authentication failed for user "backup"';
const PARTIAL_PG = '2 table(s) skipped: permission denied for table "audit_archive"';
const PARTIAL_MONGO = '1 collection(s) skipped: collection "tmp_import" was dropped during the dump';
const COMPRESSION_RATIO: Record<NcCompression, number> = { gzip: 0.32, zstd: 0.27, none: 1 };
const USER_AGENTS = [
  'Mozilla/5.0 (Macintosh; Intel Mac OS X 14_5) AppleWebKit/605.1.15 (KHTML, like Gecko) Version/17.5 Safari/605.1.15',
  'Mozilla/5.0 (X11; Linux x86_64; rv:131.0) Gecko/20100101 Firefox/131.0',
  'norcube-cli/1.4.2',
];

/** Error summaries a failed job of `engine` may carry. */
export function errorsFor(engine: NcEngine): readonly string[] {
  return engine === 'postgres' ? PG_ERRORS : MONGO_ERRORS;
}

/** The summary a `partial` job of `engine` carries. */
export function partialSummaryFor(engine: NcEngine): string {
  return engine === 'postgres' ? PARTIAL_PG : PARTIAL_MONGO;
}

/** Bytes one backup of `ds` writes at `at` with `compression` (dumps grow ~15% over 45 days). */
export function backupBytes(ds: NcDataSource, compression: NcCompression, at: number, now: number, wobble = 1): number {
  const growth = 0.85 + 0.15 * Math.min(1, Math.max(0, 1 - (now - at) / (45 * DAY)));
  return Math.round(ds.baseSizeBytes * growth * COMPRESSION_RATIO[compression] * wobble);
}

/** How long a backup of that many raw bytes takes with `method` (ms). */
export function backupDurationMs(rawBytes: number, method: NcPolicy['method'], extraSeconds: number): number {
  const throughput = method === 'physical' ? 180 * MB : 60 * MB;
  return Math.round((rawBytes / throughput) * 1000) + extraSeconds * 1000;
}

/** Redacted display form of a connection target: `scheme://…@host:port/db`. */
export function redactConnection(uri: string): string | undefined {
  try {
    const u = new URL(uri);
    const port = u.port ? `:${u.port}` : '';
    return `${u.protocol}//…@${u.hostname}${port}${u.pathname === '/' ? '' : u.pathname}`;
  } catch {
    return undefined;
  }
}

function logUniform(rnd: Random, lo: number, hi: number): number {
  return Math.round(Math.exp(Math.log(lo) + rnd.next() * (Math.log(hi) - Math.log(lo))));
}

const HEX = Array.from({ length: 256 }, (_, i) => i.toString(16).padStart(2, '0'));

/** A fast deterministic RFC 4122 v4-shaped UUID from `rnd` (4 draws instead of the kit's 32). */
function uuidFrom(rnd: Random): string {
  const a = (rnd.next() * 0x1_0000_0000) >>> 0;
  const b = (rnd.next() * 0x1_0000_0000) >>> 0;
  const c = (rnd.next() * 0x1_0000_0000) >>> 0;
  const d = (rnd.next() * 0x1_0000_0000) >>> 0;
  const c0 = ((c >>> 24) & 0x3f) | 0x80;
  return HEX[a >>> 24] + HEX[(a >>> 16) & 255] + HEX[(a >>> 8) & 255] + HEX[a & 255] + '-' +
    HEX[b >>> 24] + HEX[(b >>> 16) & 255] + '-4' + HEX[(b >>> 8) & 255].slice(1) + HEX[b & 255] + '-' +
    HEX[c0] + HEX[(c >>> 16) & 255] + '-' + HEX[(c >>> 8) & 255] + HEX[c & 255] +
    HEX[d >>> 24] + HEX[(d >>> 16) & 255] + HEX[(d >>> 8) & 255] + HEX[d & 255];
}

/** Whole seconds (seeded timestamps carry no fractional part). */
function sec(ms: number): number {
  return Math.floor(ms / 1000) * 1000;
}

/** The organization id of the dataset seeded with `dataSeed` (known without building the dataset). */
export function norcubeOrganizationId(dataSeed: number): string {
  return uuidFrom(createRandom(dataSeed));
}

/** Builds the whole seeded state. */
export function createNorcubeSeed(opts: NorcubeSeedOptions): NorcubeSimState {
  const rnd = createRandom(opts.dataSeed);
  const now = opts.now;
  const organizationId = uuidFrom(rnd);
  const users: NcActor[] = [
    { id: uuidFrom(rnd), name: 'Jana Nováková', email: 'jana.novakova@acme.example' },
    { id: uuidFrom(rnd), name: 'Tomás Ruiz', email: 'tomas.ruiz@acme.example' },
    { id: uuidFrom(rnd), name: 'Ola Nordmann', email: 'ola.nordmann@acme.example' },
  ];
  const tokenUser: NcActor = { id: uuidFrom(rnd), name: 'Demo User', email: 'demo@norcube.example' };
  const state = createEmptyState(organizationId, tokenUser);
  const audit: NcAuditEntry[] = [];
  const log = (at: number, action: NcAuditAction, targetType: NcAuditTargetType, targetId: string, actor: NcActor | null, metadata: Record<string, unknown> = {}) => {
    audit.push({
      id: uuidFrom(rnd), createdAt: sec(at), action, targetType, targetId, actor, metadata,
      ...(actor ? { ip: `203.0.113.${10 + users.indexOf(actor) * 7}`, userAgent: USER_AGENTS[Math.max(0, users.indexOf(actor)) % USER_AGENTS.length] } : {}),
    });
  };

  // Storage destinations.
  const destTemplates: Omit<NcDestination, 'id' | 'createdAt' | 'updatedAt'>[] = [
    { name: 'norcube-managed-eu-central-1', isManaged: true, type: 's3', bucket: `norcube-managed-${organizationId.slice(0, 8)}`, region: 'eu-central-1', encryptionMode: 'sse-kms', storageClass: 'STANDARD', forcePathStyle: false, isActive: true, lastVerifiedAt: now - 2 * DAY },
    { name: 'acme-r2-archive', isManaged: false, type: 'r2', bucket: 'acme-db-archive', region: 'auto', endpointUrl: 'https://4f1c2a9e.r2.cloudflarestorage.com', encryptionMode: 'sse-s3', storageClass: 'STANDARD', forcePathStyle: false, isActive: true, lastVerifiedAt: now - 9 * DAY },
    { name: 'legacy-minio-offsite', isManaged: false, type: 's3', bucket: 'pg-offsite', region: 'us-east-1', endpointUrl: 'https://minio.backup.acme.example', encryptionMode: 'none', storageClass: 'STANDARD', forcePathStyle: true, isActive: false },
  ];
  const destinations = destTemplates.map((t, i) => {
    const createdAt = sec(now - (200 - i * 30) * DAY);
    const d: NcDestination = { ...t, id: uuidFrom(rnd), createdAt, updatedAt: createdAt + (t.lastVerifiedAt ? 0 : HOUR) };
    if (d.lastVerifiedAt) d.lastVerifiedAt = sec(d.lastVerifiedAt);
    state.destinations.set(d.id, d);
    log(createdAt, 'storage_destination.created', 'storage_destination', d.id, users[0], { name: d.name, managed: d.isManaged });
    return d;
  });

  // Backup policies.
  const policies = POLICY_TEMPLATES.map((t, i) => {
    const createdAt = sec(now - (150 - i * 4) * DAY + i * HOUR);
    const p: NcPolicy = { ...t, id: uuidFrom(rnd), destinationId: destinations[POLICY_DESTINATIONS[i]].id, createdAt, updatedAt: createdAt };
    log(createdAt, 'policy.created', 'backup_policy', p.id, users[i % 2], { name: p.name });
    if (i === 0) {
      p.updatedAt = sec(now - 60 * DAY);
      log(p.updatedAt, 'policy.updated', 'backup_policy', p.id, users[1], { changed: ['retentionDays'], retentionDays: 14 });
    }
    state.policies.set(p.id, p);
    return p;
  });
  state.policyList.load(policies);

  // Data sources, attachments, jobs.
  const dsCount = Math.max(1, Math.round(DS_TEMPLATES.length * opts.scale));
  const datasources: NcDataSource[] = [];
  const jobs: NcJob[] = [];
  const restores: NcRestore[] = [];
  const windowStart = now - 45 * DAY;
  const known = new Map<KnownProtection, { id: string; missedSlot: number | null }>();
  for (let i = 0; i < dsCount; i++) {
    const tpl = DS_TEMPLATES[i % DS_TEMPLATES.length];
    const copy = Math.floor(i / DS_TEMPLATES.length);
    const createdAt = sec(now - (120 - (i % DS_TEMPLATES.length) * 2) * DAY - copy * 7 * MINUTE - rnd.int(0, 3600) * 1000);
    const actor = users[i % users.length];
    const pg = tpl.engine === 'postgres';
    const ds: NcDataSource = {
      id: uuidFrom(rnd),
      name: copy === 0 ? tpl.name : `${tpl.name}-${copy + 1}`,
      engine: tpl.engine,
      environment: tpl.env,
      region: 'eu-central-1',
      isActive: !tpl.inactive,
      hasCredentials: !tpl.noCredentials,
      createdAt,
      updatedAt: createdAt,
      restoreCheck: null,
      baseSizeBytes: pg ? logUniform(rnd, 200 * MB, 80 * 1024 * MB) : logUniform(rnd, 50 * MB, 20 * 1024 * MB),
    };
    log(createdAt, 'datasource.created', 'datasource', ds.id, actor, { name: ds.name, engine: ds.engine, environment: ds.environment });
    if (ds.hasCredentials) {
      ds.updatedAt = createdAt + 5 * MINUTE;
      ds.detectedEngineVersion = pg ? rnd.pick(['15.8', '16.4', '17.2']) : rnd.pick(['6.0.19', '7.0.14']);
      ds.detectedEngineVersionAt = createdAt + 6 * MINUTE;
      log(createdAt + 5 * MINUTE, 'datasource.credentials_set', 'datasource', ds.id, actor, { mode: rnd.pick(['connection_uri', 'fields']) });
      log(createdAt + 6 * MINUTE, 'datasource.verify_attempted', 'datasource', ds.id, actor, { ok: true, detectedVersion: ds.detectedEngineVersion });
    }
    if (tpl.inactive) {
      ds.updatedAt = sec(now - 20 * DAY);
      log(ds.updatedAt, 'datasource.deactivated', 'datasource', ds.id, users[0], { reason: 'application decommissioned' });
    }
    state.datasources.set(ds.id, ds);
    datasources.push(ds);

    const atts: NcAttachment[] = tpl.attach.map(([pi, enabled], k) => {
      const a: NcAttachment = {
        id: uuidFrom(rnd), datasourceId: ds.id, policyId: policies[pi].id, isEnabled: enabled, priority: k + 1,
        jitterSeconds: rnd.pick([0, 60, 300, 600]), createdAt: createdAt + (10 + k) * MINUTE,
      };
      addAttachment(state, a);
      log(a.createdAt, 'policy.attached', 'data_source_policy', a.id, actor, { datasourceId: ds.id, policyId: a.policyId, enabled: true });
      if (!enabled) log(now - 12 * DAY - k * HOUR, 'policy.updated', 'data_source_policy', a.id, users[2], { datasourceId: ds.id, policyId: a.policyId, enabled: false });
      return a;
    });
    if (atts.length === 0) continue;

    if (tpl.known) {
      const { jobs: own, missedSlot } = seedKnownJobs(ds, atts[0], state.policies.get(atts[0].policyId)!, tpl.known, now, rnd, log);
      if (copy === 0) known.set(tpl.known, { id: ds.id, missedSlot });
      applyRetention(own, state, now, rnd, log);
      jobs.push(...own);
      continue;
    }
    // Jobs, evenly spread over the window with jitter, oldest first.
    const allDisabled = atts.every((a) => !a.isEnabled);
    const end = tpl.inactive ? now - 20 * DAY : allDisabled ? now - 12 * DAY : now - HOUR;
    const start = Math.max(windowStart, createdAt + HOUR);
    const count = 34 + rnd.int(0, 6);
    const dsJobs: NcJob[] = [];
    const primary = atts.filter((a) => a.isEnabled)[0] ?? atts[0];
    for (let n = 0; n < count; n++) {
      const att = rnd.chance(0.8) || atts.length === 1 ? primary : rnd.pick(atts);
      const policy = state.policies.get(att.policyId)!;
      const manual = rnd.chance(0.1);
      const newest = n === count - 1;
      let scheduledFor = Math.floor((start + ((n + 0.5) * (end - start)) / count + rnd.int(-120, 120) * MINUTE) / MINUTE) * MINUTE;
      const inFlight = newest && tpl.inFlight !== undefined;
      if (inFlight) scheduledFor = Math.floor((now - (tpl.inFlight === 'queued' ? 2 : 9) * MINUTE) / MINUTE) * MINUTE;
      const jitterMax = inFlight ? 30 : manual ? 59 : att.jitterSeconds;
      const createdAtJob = sec(scheduledFor + rnd.int(0, jitterMax) * 1000);
      // Every field declared up front: one object shape for all jobs keeps seeding fast.
      const job: NcJob = {
        id: uuidFrom(rnd), datasourceId: ds.id, policyId: policy.id, destinationId: policy.destinationId,
        trigger: manual ? 'manual' : 'schedule', status: 'success', createdAt: createdAtJob,
        scheduledFor: manual ? createdAtJob : scheduledFor, startedAt: undefined, finishedAt: undefined, bytesWritten: 0,
        errorSummary: undefined, deletedAt: undefined, expirationReason: undefined, verification: undefined,
      };
      let status: NcJobStatus;
      if (newest && tpl.inFlight) status = tpl.inFlight;
      else if (tpl.failingStreak && n >= count - 4) status = 'failed';
      else {
        const r = rnd.next();
        status = r < 0.8 ? 'success' : r < 0.85 ? 'partial' : r < 0.96 ? 'failed' : 'canceled';
      }
      job.status = status;
      const raw = backupBytes(ds, 'none', createdAtJob, now, 0.97 + rnd.next() * 0.06);
      if (status !== 'queued') job.startedAt = createdAtJob + rnd.int(2, 30) * 1000;
      if (status === 'success' || status === 'partial') {
        const dur = backupDurationMs(raw, policy.method, rnd.int(8, 40));
        job.finishedAt = job.startedAt! + dur;
        job.bytesWritten = Math.round(raw * COMPRESSION_RATIO[policy.compression] * (status === 'partial' ? 0.6 + rnd.next() * 0.35 : 1));
        if (status === 'partial') job.errorSummary = partialSummaryFor(ds.engine);
      } else if (status === 'failed') {
        job.finishedAt = job.startedAt! + rnd.int(5, 600) * 1000;
        job.errorSummary = tpl.failingStreak && n >= count - 4 ? AUTH_STREAK_ERROR : rnd.pick(errorsFor(ds.engine));
        log(job.finishedAt, 'backup_job.failed', 'backup_job', job.id, null, { datasourceId: ds.id, error: job.errorSummary });
      } else if (status === 'canceled') {
        job.finishedAt = job.startedAt! + 6 * HOUR;
        job.errorSummary = 'reaped: no heartbeat from the backup agent for 6h';
        log(job.finishedAt, 'backup_job.reaped_stuck', 'backup_job', job.id, null, { datasourceId: ds.id });
      }
      if (manual) log(createdAtJob, 'backup_job.manual_run', 'backup_job', job.id, users[n % users.length], { datasourceId: ds.id, policyId: policy.id });
      if (job.finishedAt !== undefined && job.finishedAt > now) job.finishedAt = now - MINUTE;
      dsJobs.push(job);
    }
    for (const a of atts) {
      const lastScheduled = [...dsJobs].reverse().find((j) => j.policyId === a.policyId && j.trigger === 'schedule');
      if (lastScheduled) a.lastScheduledAt = lastScheduled.scheduledFor;
    }
    applyRetention(dsJobs, state, now, rnd, log);
    if (tpl.restoreTests) seedRestoreTests(ds, dsJobs, now, rnd, restores, log);
    if (tpl.manualRestores) seedManualRestores(ds, dsJobs, tpl.manualRestores, now, rnd, restores, log, users);
    jobs.push(...dsJobs);
  }

  state.datasourceList.load(datasources);
  for (const j of jobs) state.jobs.set(j.id, j);
  state.jobList.load(jobs);
  const byDs = new Map<string, NcJob[]>();
  for (const j of jobs) {
    let xs = byDs.get(j.datasourceId);
    if (!xs) byDs.set(j.datasourceId, (xs = []));
    xs.push(j);
  }
  for (const [dsId, xs] of byDs) jobsOf(state, dsId).load(xs.reverse());
  for (const r of restores) addRestore(state, r);

  // Downloads and settings round off the audit log.
  const downloadable = jobs.filter((j) => hasLiveArtifact(j) && state.destinations.get(j.destinationId)?.isManaged);
  for (let k = 0; k < Math.min(15 * Math.max(1, Math.round(opts.scale)), downloadable.length); k++) {
    const j = downloadable[(k * 37) % downloadable.length];
    log(j.finishedAt! + rnd.int(1, 48) * HOUR, 'backup_job.download_link_generated', 'backup_job', j.id, users[k % users.length], { datasourceId: j.datasourceId });
  }
  state.notificationSettings = {
    alertEmails: ['ops@acme.example', 'dba-oncall@acme.example'], onBackupFailed: true, onMissedSchedule: true, onRecovered: true,
    onRestoreFailed: true, onRestoreTestFailed: true, slackWebhookUrl: 'https://hooks.slack.com/services/T0ACME/B0BACKUP/sim',
  };
  log(now - 30 * DAY, 'notification_settings.updated', 'organization', organizationId, users[0], { changed: ['alertEmails', 'slackWebhookUrl'] });
  state.audit.load(audit.filter((e) => e.createdAt <= now));
  if (known.size === 4) {
    knownOf.set(state, {
      protectedDataSourceId: known.get('protected')!.id, atRiskDataSourceId: known.get('at-risk')!.id,
      unprotectedDataSourceId: known.get('unprotected')!.id, missedRunDataSourceId: known.get('missed')!.id,
      missedSlot: new Date(known.get('missed')!.missedSlot!).toISOString(),
    });
  }
  return state;
}

/**
 * A known data source's jobs (see `knownHistory`) on the cron of `policy` through attachment `att`,
 * over the last 10 days, oldest first: scheduled jobs at the slots (plus the attachment's jitter),
 * a manual one where `missed` needs it; failed ones carry the engine's error summaries.
 */
function seedKnownJobs(ds: NcDataSource, att: NcAttachment, policy: NcPolicy, kind: KnownProtection, now: number, rnd: Random, log: Log): { jobs: NcJob[]; missedSlot: number | null } {
  const history = knownHistory(kind, policy.scheduleCron, policy.timezone, now - 10 * DAY, now);
  const jobs = history.runs.map((run): NcJob => {
    const createdAt = sec(run.at + (run.manual ? 0 : rnd.int(0, Math.min(120, att.jitterSeconds)) * 1000));
    const startedAt = createdAt + rnd.int(2, 30) * 1000;
    const raw = backupBytes(ds, 'none', createdAt, now, 0.97 + rnd.next() * 0.06);
    const job: NcJob = {
      id: uuidFrom(rnd), datasourceId: ds.id, policyId: policy.id, destinationId: policy.destinationId,
      trigger: run.manual ? 'manual' : 'schedule', status: run.ok ? 'success' : 'failed', createdAt,
      scheduledFor: run.manual ? createdAt : sec(run.at), startedAt, finishedAt: undefined, bytesWritten: 0,
      errorSummary: undefined, deletedAt: undefined, expirationReason: undefined, verification: undefined,
    };
    if (run.ok) {
      job.finishedAt = Math.min(startedAt + backupDurationMs(raw, policy.method, rnd.int(8, 40)), now - MINUTE);
      job.bytesWritten = Math.round(raw * COMPRESSION_RATIO[policy.compression]);
    } else {
      job.finishedAt = Math.min(startedAt + rnd.int(5, 600) * 1000, now - MINUTE);
      job.errorSummary = rnd.pick(errorsFor(ds.engine));
      log(job.finishedAt, 'backup_job.failed', 'backup_job', job.id, null, { datasourceId: ds.id, error: job.errorSummary });
    }
    return job;
  });
  const lastScheduled = [...jobs].reverse().find((j) => j.trigger === 'schedule');
  if (lastScheduled) att.lastScheduledAt = lastScheduled.scheduledFor;
  return { jobs, missedSlot: history.missedSlot };
}

type Log = (at: number, action: NcAuditAction, targetType: NcAuditTargetType, targetId: string, actor: NcActor | null, metadata?: Record<string, unknown>) => void;

/** The retention worker's past runs: age and keep-last-N expiry, per data source and policy. */
function applyRetention(dsJobs: NcJob[], state: NorcubeSimState, now: number, rnd: Random, log: Log): void {
  const byPolicy = new Map<string, NcJob[]>();
  for (const j of dsJobs) {
    if (!hasLiveArtifact(j)) continue;
    let xs = byPolicy.get(j.policyId);
    if (!xs) byPolicy.set(j.policyId, (xs = []));
    xs.push(j);
  }
  for (const [policyId, xs] of byPolicy) {
    const policy = state.policies.get(policyId)!;
    const kept: NcJob[] = [];
    for (let i = xs.length - 1; i >= 0; i--) {
      const j = xs[i];
      // The retention worker runs daily at 03:00 UTC (age) and right after each new backup (keep-last-N).
      const ageLimit = j.finishedAt! + policy.retentionDays * DAY;
      const ageRun = Math.ceil(ageLimit / DAY) * DAY + 3 * HOUR + rnd.int(0, 900) * 1000;
      const pushedOutBy = kept.length >= policy.keepLastN ? kept[kept.length - policy.keepLastN] : undefined;
      const countRun = pushedOutBy ? pushedOutBy.finishedAt! + rnd.int(5, 30) * MINUTE : Infinity;
      if (Math.min(ageRun, countRun) > now) {
        kept.push(j);
        continue;
      }
      j.expirationReason = ageRun <= countRun ? 'age_exceeded' : 'keep_last_n_exceeded';
      j.deletedAt = sec(Math.min(ageRun, countRun));
      // The audit log shows the worker's deletions of the last 10 days (older entries were rotated out of this demo).
      if (j.deletedAt > now - 10 * DAY) log(j.deletedAt, 'backup_job.deleted', 'backup_job', j.id, null, { datasourceId: j.datasourceId, reason: j.expirationReason });
    }
  }
}

/** Automated restore tests: roughly weekly on the data source's successful backups of the last 30 days. */
function seedRestoreTests(ds: NcDataSource, dsJobs: NcJob[], now: number, rnd: Random, out: NcRestore[], log: Log): void {
  const candidates = dsJobs.filter((j) => j.status === 'success' && j.finishedAt! > now - 30 * DAY && j.finishedAt! < now - 4 * HOUR);
  let lastRunAt: number | undefined;
  candidates.forEach((job, k) => {
    if (k % 5 !== 0 && k !== candidates.length - 1) return;
    const createdAt = sec(job.finishedAt! + rnd.int(1, 3) * HOUR);
    const r = rnd.next();
    const status: NcJobStatus = r < 0.1 ? 'failed' : 'success';
    const passed = status === 'success' ? r > 0.2 : undefined;
    const warnings = status === 'success' && passed && r > 0.85 ? '1 object(s) could not be restored; e.g. index row size exceeds btree maximum' : undefined;
    const db = `verify_${job.id.slice(0, 8)}`;
    const startedAt = createdAt + rnd.int(10, 60) * 1000;
    const finishedAt = startedAt + Math.round(job.bytesWritten / (40 * MB)) * 1000 + 30_000;
    const restore: NcRestore = {
      id: uuidFrom(rnd), dataSourceId: ds.id, sourceBackupId: job.id, trigger: 'verification', mode: 'new_database', status,
      createdAt, startedAt, finishedAt, bytesRead: job.bytesWritten, bytesRestored: status === 'success' ? Math.round(job.bytesWritten * 3.1) : undefined,
      targetDatabase: db, targetConnectionRef: `${ds.engine === 'postgres' ? 'postgres' : 'mongodb'}://…@ephemeral.eu-central-1.norcube.internal:${ds.engine === 'postgres' ? 5432 : 27017}/${db}`,
      hasLog: true, verifyLevel: 'l2', verifyPassed: passed, verifyWarnings: warnings,
      errorSummary: status === 'failed' ? 'restore agent: ephemeral instance did not become ready within 10m' : undefined,
    };
    out.push(restore);
    job.verification = { restoreJobId: restore.id, status, passed, verifiedAt: finishedAt, hasLog: true, warnings };
    lastRunAt = finishedAt;
    log(createdAt, 'restore_job.created', 'restore_job', restore.id, null, { datasourceId: ds.id, sourceBackupId: job.id, trigger: 'verification' });
    log(finishedAt, status === 'success' ? 'restore_job.completed' : 'restore_job.failed', 'restore_job', restore.id, null, { datasourceId: ds.id });
  });
  ds.restoreCheck = {
    enabled: true, mode: 'schedule', target: 'managed_ephemeral', validationLevel: 'l2', scheduleCron: '0 3 * * 1',
    scheduleTimezone: 'Europe/Prague', hasScratchCredentials: false, lastRunAt,
  };
}

/** Restores someone ran from the wizard. */
function seedManualRestores(ds: NcDataSource, dsJobs: NcJob[], count: number, now: number, rnd: Random, out: NcRestore[], log: Log, users: NcActor[]): void {
  const sources = dsJobs.filter((j) => j.status === 'success' && j.finishedAt! < now - 2 * DAY);
  const modes: NcRestoreMode[] = ['new_database', 'overwrite', 'new_server'];
  for (let k = 0; k < count && sources.length > 0; k++) {
    const job = sources[sources.length - 1 - ((k * 3) % sources.length)];
    const mode = modes[(k + ds.name.length) % modes.length];
    const status: NcJobStatus = k === 1 ? 'failed' : 'success';
    const createdAt = sec(job.finishedAt! + rnd.int(2, 40) * HOUR);
    const startedAt = createdAt + rnd.int(5, 40) * 1000;
    const finishedAt = startedAt + Math.round(job.bytesWritten / (30 * MB)) * 1000 + 20_000;
    const host = mode === 'new_server' ? 'restore-target.acme.internal' : 'db.acme.internal';
    const db = mode === 'new_database' ? `${ds.name.replace(/[^a-z0-9]+/gi, '_').toLowerCase()}_restored` : undefined;
    const restore: NcRestore = {
      id: uuidFrom(rnd), dataSourceId: ds.id, sourceBackupId: job.id, trigger: 'manual', mode, status, createdAt, startedAt, finishedAt,
      bytesRead: job.bytesWritten, bytesRestored: status === 'success' ? Math.round(job.bytesWritten * 3.1) : undefined, targetDatabase: db,
      targetConnectionRef: `${ds.engine === 'postgres' ? 'postgres' : 'mongodb'}://…@${host}:${ds.engine === 'postgres' ? 5432 : 27017}/${db ?? 'app'}`,
      hasLog: true,
      errorSummary: status === 'failed' ? (ds.engine === 'postgres' ? 'pg_restore: error: could not execute query: ERROR: role "app_rw" does not exist' : 'mongorestore: E11000 duplicate key error collection: app.users') : undefined,
    };
    out.push(restore);
    const actor = users[k % users.length];
    log(createdAt, 'restore_job.created', 'restore_job', restore.id, actor, { datasourceId: ds.id, sourceBackupId: job.id, mode });
    log(startedAt, 'restore_job.started', 'restore_job', restore.id, null, { datasourceId: ds.id });
    log(finishedAt, status === 'success' ? 'restore_job.completed' : 'restore_job.failed', 'restore_job', restore.id, null, { datasourceId: ds.id });
  }
}

