/**
 * The oCore simulator's live state: triggered and scheduled backups, restores and deletions, each
 * moving one event per `stepMs` (backup: pending -> running phases -> completed/failed, 7-8 events;
 * restore likewise, its restore log pending -> running -> completed/failed; deletion: `deleting`,
 * then gone). Every operation keeps its full event history; operations that ran before the
 * simulator started are rebuilt from their records on first use.
 *
 * Outcomes are deterministic: the n-th live backup (0-based, manual and scheduled alike) fails when
 * `backupFailEvery > 0 && n % backupFailEvery === backupFailEvery - 1`; restores likewise with
 * `restoreFailEvery`. A failed backup raises a `backup_failed` alert. Timers are unref'd and stop on
 * `close()`.
 */
import { randomUUID } from 'node:crypto';
import { createTimers, type SimLiveOptions } from '../kit/index.ts';
import { OC_BACKUP_ERRORS, type OcoreInFlight } from './seed.ts';
import {
  backupPlan, createOperation, emitNext, failPoints, replayHistory, restorePlan, type OcOpEvent, type OcOperation, type OcProgressData,
} from './ops.ts';
import { assignGfsTiers, OC_DEFAULT_RETENTION } from './retention.ts';
import type { OcBackup, OcBackupType, OcEnvironment, OcRestoreLog, OcoreSimState } from './state.ts';

/**
 * Options of {@link createOcoreLive}; `stepMs` is the time between two events of an operation
 * (and before a deleted backup disappears).
 */
export interface OcoreLiveOptions extends SimLiveOptions<OcoreSimState> {
  /** Every n-th live backup fails; 0 never. */
  backupFailEvery: number;
  /** Every n-th live restore fails; 0 never. */
  restoreFailEvery: number;
}

/** What a new restore needs (validated by the route). */
export interface OcoreRestoreInput {
  backup: OcBackup;
  target: OcEnvironment;
  targetType: 'same' | 'other';
  pitrTimestamp: number | null;
  performedBy: string;
}

/** The live engine. */
export interface OcoreLive {
  /** The backup's operation: live, or rebuilt from the record for one that ran before. */
  backupOperation(b: OcBackup): OcOperation;
  /** The restore's operation, likewise. */
  restoreOperation(r: OcRestoreLog): OcOperation;
  /** The last event of an operation in flight, null when none is in flight. */
  liveProgress(kind: 'backup' | 'restore', id: string): OcProgressData | null;
  /** Queues a backup of `env` and drives it to a terminal status. */
  startBackup(env: OcEnvironment, type: OcBackupType, trigger: OcBackup['trigger']): OcBackup;
  /** Queues a restore and drives it to a terminal status. */
  startRestore(input: OcoreRestoreInput): OcRestoreLog;
  /** Marks a backup `deleting`; it disappears one step later. */
  deleteBackup(b: OcBackup): void;
  /** Continues backups seeded mid-flight. */
  resume(inFlight: OcoreInFlight[]): void;
  /** One scheduler tick: up to 8 environments with an enabled, unpaused schedule (round robin) get a backup. */
  scheduleTick(): OcBackup[];
  /** Stops every timer. */
  close(): void;
}

/** On a progress event: a pending backup or restore log turns `running` when its operation does. */
function markRunning(rec: OcBackup | OcRestoreLog, e: OcOpEvent): void {
  if (e.data.status === 'running' && rec.status === 'pending') {
    rec.status = 'running';
    rec.startedAt = e.atMs;
  }
}

const RESTORE_ERROR = 'pg_restore: error: could not execute query: ERROR:  relation "ir_attachment" already exists';
const TICK_BATCH = 8;

/** Starts the live engine (and the scheduler when `scheduleEveryMs` > 0). */
export function createOcoreLive(opts: OcoreLiveOptions): OcoreLive {
  const { getState, stepMs, clock, backupFailEvery, restoreFailEvery } = opts;
  const timers = createTimers();
  const ops = new Map<string, OcOperation>();
  const inFlight = new Set<string>();
  let backupCount = 0;
  let restoreCount = 0;
  let roundRobin = 0;
  const scheduledPerEnv = new Map<string, number>();

  const later = (fn: () => void) => timers.later(stepMs, fn);

  const key = (kind: 'backup' | 'restore', id: string) => `${kind}:${id}`;

  /** Emits the next event every step until the operation is done. */
  const drive = (op: OcOperation, onEvent: (e: OcOpEvent) => void) => {
    inFlight.add(key(op.kind, op.id));
    const step = () => {
      const e = emitNext(op, clock());
      if (e) onEvent(e);
      if (op.done) inFlight.delete(key(op.kind, op.id));
      else later(step);
    };
    later(step);
  };

  const onBackupEvent = (b: OcBackup) => (e: OcOpEvent) => {
    const state = getState();
    if (e.event === 'progress') return markRunning(b, e);
    b.completedAt = e.atMs;
    b.startedAt ??= e.atMs;
    if (e.event === 'completed') {
      b.status = 'completed';
      b.sizeBytes = b.bytesTotal;
      const list = state.backupsByEnv.get(b.environmentId);
      if (list) assignGfsTiers(list, state.schedules.get(b.environmentId) ?? OC_DEFAULT_RETENTION, clock());
      return;
    }
    b.status = 'failed';
    b.errorMessage = e.data.error ?? 'unknown error';
    const env = state.environments.get(b.environmentId)!;
    state.addAlert({
      id: randomUUID(), backupId: b.id, environmentId: env.id, type: 'backup_failed', severity: env.type === 'production' ? 'critical' : 'warning',
      message: `${b.backupType === 'db' ? 'Database' : 'Full'} backup of ${env.name} failed: ${b.errorMessage}`,
      createdAt: e.atMs, read: false, dismissed: false,
    });
  };

  const onRestoreEvent = (r: OcRestoreLog) => (e: OcOpEvent) => {
    if (e.event === 'progress') return markRunning(r, e);
    r.completedAt = e.atMs;
    r.status = e.event === 'completed' ? 'completed' : 'failed';
    if (e.event === 'failed') r.errorMessage = e.data.error ?? 'unknown error';
  };

  const backupOp = (b: OcBackup, failAt: number | null, error: string | null) =>
    createOperation({
      kind: 'backup', id: b.id, backupId: b.id, plan: backupPlan(b.backupType), failAt, error, bytesTotal: b.bytesTotal,
      optionalFailed: b.notifyFailed ? ['notify'] : [],
    });

  const live: OcoreLive = {
    backupOperation(b) {
      let op = ops.get(key('backup', b.id));
      if (!op) {
        // Ran before the simulator started: rebuild its history from the record.
        op = backupOp(b, b.failAt, b.errorMessage);
        replayHistory(op, b.createdAt, b.startedAt ?? b.createdAt, b.completedAt ?? b.createdAt);
        ops.set(key('backup', b.id), op);
      }
      return op;
    },
    restoreOperation(r) {
      let op = ops.get(key('restore', r.id));
      if (!op) {
        op = createOperation({
          kind: 'restore', id: r.id, backupId: r.backupId, plan: restorePlan(r.backupType, r.pitrTimestamp !== null),
          failAt: r.failAt, error: r.errorMessage, bytesTotal: r.bytesTotal,
        });
        replayHistory(op, r.createdAt, r.startedAt ?? r.createdAt, r.completedAt ?? r.createdAt);
        ops.set(key('restore', r.id), op);
      }
      return op;
    },
    liveProgress(kind, id) {
      if (!inFlight.has(key(kind, id))) return null;
      const op = ops.get(key(kind, id));
      return op?.events.at(-1)?.data ?? null;
    },
    startBackup(env, type, trigger) {
      const state = getState();
      const n = backupCount++;
      const plan = backupPlan(type);
      const fails = backupFailEvery > 0 && n % backupFailEvery === backupFailEvery - 1;
      const points = failPoints(plan);
      const failAt = fails ? points[Math.floor(n / backupFailEvery) % points.length] : null;
      const errors = failAt === null ? null : OC_BACKUP_ERRORS[plan[failAt].step!];
      const now = clock();
      const bytesTotal = Math.round(env.dbBytes * 0.35) + (type === 'full' ? env.filestoreBytes : 0);
      const b: OcBackup = {
        id: randomUUID(), environmentId: env.id, backupType: type, status: 'pending', createdAt: now, startedAt: null, completedAt: null,
        sizeBytes: 0, bytesTotal, errorMessage: null, failAt, gfsTiers: [], remotePartial: false, notifyFailed: false, trigger,
      };
      state.addBackup(b);
      const op = backupOp(b, failAt, errors ? errors[n % errors.length] : null);
      ops.set(key('backup', b.id), op);
      emitNext(op, now);
      drive(op, onBackupEvent(b));
      return b;
    },
    startRestore({ backup, target, targetType, pitrTimestamp, performedBy }) {
      const state = getState();
      const n = restoreCount++;
      const plan = restorePlan(backup.backupType, pitrTimestamp !== null);
      const fails = restoreFailEvery > 0 && n % restoreFailEvery === restoreFailEvery - 1;
      const now = clock();
      const r: OcRestoreLog = {
        id: randomUUID(), backupId: backup.id, backupType: backup.backupType, bytesTotal: backup.bytesTotal,
        sourceEnvironmentId: backup.environmentId, targetEnvironmentId: target.id, targetType, status: 'pending',
        createdAt: now, startedAt: null, completedAt: null, errorMessage: null,
        failAt: fails ? plan.findIndex((p) => p.step === 'restore_database') : null, performedBy, pitrTimestamp,
      };
      state.addRestoreLog(r);
      const op = createOperation({
        kind: 'restore', id: r.id, backupId: backup.id, plan, failAt: r.failAt, error: fails ? RESTORE_ERROR : null, bytesTotal: r.bytesTotal,
      });
      ops.set(key('restore', r.id), op);
      emitNext(op, now);
      drive(op, onRestoreEvent(r));
      return r;
    },
    deleteBackup(b) {
      b.status = 'deleting';
      later(() => {
        getState().removeBackup(b.id);
        ops.delete(key('backup', b.id));
      });
    },
    resume(list) {
      for (const { backup: b, emitted } of list) {
        const op = backupOp(b, null, null);
        const startedAt = b.startedAt ?? b.createdAt;
        replayHistory(op, b.createdAt, startedAt, startedAt + 30_000 * (op.plan.length - 1), emitted);
        ops.set(key('backup', b.id), op);
        drive(op, onBackupEvent(b));
      }
    },
    scheduleTick() {
      const state = getState();
      const eligible = [...state.schedules.values()].filter((s) => s.enabled && !s.paused && state.environments.has(s.environmentId));
      const started: OcBackup[] = [];
      for (let i = 0; i < Math.min(TICK_BATCH, eligible.length); i++) {
        const s = eligible[roundRobin++ % eligible.length];
        const count = scheduledPerEnv.get(s.environmentId) ?? 0;
        scheduledPerEnv.set(s.environmentId, count + 1);
        started.push(live.startBackup(state.environments.get(s.environmentId)!, count % 4 === 3 && s.fullCron !== '' ? 'full' : 'db', 'schedule'));
      }
      return started;
    },
    close: () => timers.close(),
  };
  timers.every(opts.scheduleEveryMs, () => live.scheduleTick());
  return live;
}
