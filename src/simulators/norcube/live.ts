/**
 * The Norcube simulator's live state: backup jobs started by run-now or by the scheduler, restores
 * and restore tests, each moving `queued` -> `running` -> terminal one `stepMs` apart, and the
 * audit entries those actions leave. Outcomes are deterministic: the n-th live backup job (0-based)
 * ends `failed` when n % 10 === 3, `partial` when n % 10 === 6, else `success`; the n-th restore
 * ends `failed` when n % 5 === 4, else `success`; the n-th restore test fails validation
 * (`verifyPassed: false`) when n % 6 === 5. All timers are unref'd and stop on `close()`.
 */
import { createTimers, type SimLiveOptions } from '../kit/index.ts';
import { backupBytes, errorsFor, partialSummaryFor, redactConnection } from './seed.ts';
import {
  addJob, addRestore,
  type NcActor, type NcAuditAction, type NcAuditTargetType, type NcDataSource, type NcJob, type NcPolicy, type NcRestore,
  type NcJobStatus, type NcRestoreMode, type NorcubeSimState,
} from './state.ts';
import { randomUUID } from 'node:crypto';

/** Options of {@link createNorcubeLive}; `scheduleEveryMs` is the time between two scheduled jobs. */
export type NorcubeLiveOptions = SimLiveOptions<NorcubeSimState>;

/** What a new restore needs. */
export interface NorcubeRestoreInput {
  ds: NcDataSource;
  job: NcJob;
  mode: NcRestoreMode;
  targetDatabase?: string;
  targetUri?: string;
}

/** The live engine. */
export interface NorcubeLive {
  /** Appends an audit entry at the current clock. */
  audit(action: NcAuditAction, targetType: NcAuditTargetType, targetId: string, actor: NcActor | null, metadata?: Record<string, unknown>): void;
  /** Queues a backup job for `ds` with `policy` and drives it to a terminal status. */
  startBackup(ds: NcDataSource, policy: NcPolicy, trigger: 'manual' | 'schedule', actor: NcActor | null): NcJob;
  /** Queues a restore and drives it to a terminal status. */
  startRestore(input: NorcubeRestoreInput, actor: NcActor): NcRestore;
  /** Queues a restore test of `job` and records its outcome on the job. */
  startVerification(ds: NcDataSource, job: NcJob, actor: NcActor): NcRestore;
  /** One scheduler tick: the next eligible attachment (round robin) gets a `schedule` job. */
  scheduleTick(): NcJob | null;
  /**
   * Holds every job, restore and restore test that reaches `running` there (until released) instead
   * of ending it one step later, so a test can see the run before it ends however late its reads
   * come. Returns the release: it ends the held ones one step later each, as usual, and stops
   * holding (a second call does nothing).
   */
  holdRunning(): () => void;
  /** Stops every timer. */
  close(): void;
}

/** Starts the live engine (and the scheduler when `scheduleEveryMs` > 0). */
export function createNorcubeLive(opts: NorcubeLiveOptions): NorcubeLive {
  const { getState, stepMs, clock } = opts;
  const timers = createTimers();
  let jobCount = 0;
  let restoreCount = 0;
  let verifyCount = 0;
  let roundRobin = 0;

  const later = (fn: () => void) => timers.later(stepMs, fn);
  // The finish steps waiting for holdRunning()'s release; null while nothing holds.
  let held: Array<() => void> | null = null;

  /**
   * Moves a queued job or restore to `running` one step later (then `onRunning`), and one more
   * step later calls `onFinish` to end it; each step only while the record still exists
   * (`exists`) in the status the step expects.
   */
  const stepThrough = (rec: { status: NcJobStatus; startedAt?: number }, exists: () => boolean, onRunning: () => void, onFinish: () => void) => {
    later(() => {
      if (!exists() || rec.status !== 'queued') return;
      rec.status = 'running';
      rec.startedAt = clock();
      onRunning();
      const finish = () => later(() => {
        if (!exists() || rec.status !== 'running') return;
        onFinish();
      });
      if (held) held.push(finish);
      else finish();
    });
  };

  const audit: NorcubeLive['audit'] = (action, targetType, targetId, actor, metadata = {}) => {
    getState().audit.insert({
      id: randomUUID(), createdAt: clock(), action, targetType, targetId, actor, metadata,
      ...(actor ? { ip: '198.51.100.7', userAgent: 'backup-graph' } : {}),
    });
  };

  function startBackup(ds: NcDataSource, policy: NcPolicy, trigger: 'manual' | 'schedule', actor: NcActor | null): NcJob {
    const now = clock();
    const job: NcJob = {
      id: randomUUID(), datasourceId: ds.id, policyId: policy.id, destinationId: policy.destinationId, trigger, status: 'queued',
      createdAt: now, scheduledFor: now, bytesWritten: 0,
    };
    addJob(getState(), job);
    const n = jobCount++;
    if (trigger === 'manual') audit('backup_job.manual_run', 'backup_job', job.id, actor, { datasourceId: ds.id, policyId: policy.id });
    audit('backup_job.queued', 'backup_job', job.id, null, { datasourceId: ds.id, trigger });
    stepThrough(job, () => getState().jobs.has(job.id), () => {
      audit('backup_job.started', 'backup_job', job.id, null, { datasourceId: ds.id });
    }, () => {
      const end = clock();
      job.finishedAt = end;
      const full = backupBytes(ds, policy.compression, end, end);
      if (n % 10 === 3) {
        job.status = 'failed';
        job.errorSummary = errorsFor(ds.engine)[n % errorsFor(ds.engine).length];
        audit('backup_job.failed', 'backup_job', job.id, null, { datasourceId: ds.id, error: job.errorSummary });
      } else {
        job.status = n % 10 === 6 ? 'partial' : 'success';
        job.bytesWritten = job.status === 'partial' ? Math.round(full * 0.8) : full;
        if (job.status === 'partial') job.errorSummary = partialSummaryFor(ds.engine);
        audit('backup_job.completed', 'backup_job', job.id, null, { datasourceId: ds.id, status: job.status, bytes: job.bytesWritten });
      }
    });
    return job;
  }

  function driveRestore(r: NcRestore, job: NcJob, onDone: (r: NcRestore) => void) {
    stepThrough(r, () => getState().restores.has(r.id), () => {
      audit('restore_job.started', 'restore_job', r.id, null, { datasourceId: r.dataSourceId });
    }, () => {
      r.finishedAt = clock();
      r.bytesRead = job.bytesWritten;
      r.hasLog = true;
      onDone(r);
      audit((r.status as string) === 'success' ? 'restore_job.completed' : 'restore_job.failed', 'restore_job', r.id, null, { datasourceId: r.dataSourceId });
    });
  }

  function newRestore(ds: NcDataSource, job: NcJob, mode: NcRestoreMode, trigger: NcRestore['trigger']): NcRestore {
    const r: NcRestore = {
      id: randomUUID(), dataSourceId: ds.id, sourceBackupId: job.id, trigger, mode, status: 'queued', createdAt: clock(), hasLog: false,
    };
    addRestore(getState(), r);
    return r;
  }

  function startRestore(input: NorcubeRestoreInput, actor: NcActor): NcRestore {
    const { ds, job, mode } = input;
    const r = newRestore(ds, job, mode, 'manual');
    if (mode === 'new_database') r.targetDatabase = input.targetDatabase;
    r.targetConnectionRef = input.targetUri ? redactConnection(input.targetUri) : `${ds.engine === 'postgres' ? 'postgres' : 'mongodb'}://…@${ds.name}.db.internal/app`;
    const n = restoreCount++;
    audit('restore_job.created', 'restore_job', r.id, actor, { datasourceId: ds.id, sourceBackupId: job.id, mode });
    driveRestore(r, job, (done) => {
      if (n % 5 === 4) {
        done.status = 'failed';
        done.errorSummary = ds.engine === 'postgres' ? 'pg_restore: error: connection to server failed: timeout expired' : 'mongorestore: Failed: connection reset by peer';
      } else {
        done.status = 'success';
        done.bytesRestored = Math.round(job.bytesWritten * 3.1);
      }
    });
    return r;
  }

  function startVerification(ds: NcDataSource, job: NcJob, actor: NcActor): NcRestore {
    const r = newRestore(ds, job, 'new_database', 'verification');
    r.targetDatabase = `verify_${job.id.slice(0, 8)}`;
    r.targetConnectionRef = `${ds.engine === 'postgres' ? 'postgres' : 'mongodb'}://…@ephemeral.eu-central-1.norcube.internal:${ds.engine === 'postgres' ? 5432 : 27017}/${r.targetDatabase}`;
    r.verifyLevel = 'l2';
    job.verification = { restoreJobId: r.id, status: 'queued', hasLog: false };
    const n = verifyCount++;
    audit('restore_job.created', 'restore_job', r.id, actor, { datasourceId: ds.id, sourceBackupId: job.id, trigger: 'verification' });
    later(() => {
      if (job.verification?.restoreJobId === r.id && r.status === 'queued') job.verification.status = 'running';
    });
    driveRestore(r, job, (done) => {
      done.status = 'success';
      done.bytesRestored = Math.round(job.bytesWritten * 3.1);
      done.verifyPassed = n % 6 !== 5;
      if (job.verification?.restoreJobId === r.id) {
        job.verification = { restoreJobId: r.id, status: 'success', passed: done.verifyPassed, verifiedAt: done.finishedAt, hasLog: true };
      }
      if (ds.restoreCheck) ds.restoreCheck.lastRunAt = done.finishedAt;
    });
    return r;
  }

  function scheduleTick(): NcJob | null {
    const eligible = [...getState().attachments.values()].filter((a) => {
      const ds = getState().datasources.get(a.datasourceId);
      return a.isEnabled && !!ds && ds.isActive && ds.hasCredentials && getState().policies.has(a.policyId);
    });
    if (eligible.length === 0) return null;
    const a = eligible[roundRobin++ % eligible.length];
    const ds = getState().datasources.get(a.datasourceId)!;
    const job = startBackup(ds, getState().policies.get(a.policyId)!, 'schedule', null);
    a.lastScheduledAt = job.scheduledFor;
    return job;
  }

  timers.every(opts.scheduleEveryMs, () => { scheduleTick(); });

  function holdRunning(): () => void {
    const mine: Array<() => void> = (held ??= []);
    return () => {
      if (held !== mine) return;
      held = null;
      for (const finish of mine) finish();
    };
  }

  return { audit, startBackup, startRestore, startVerification, scheduleTick, holdRunning, close: () => timers.close() };
}
