/**
 * Operations of the oCore simulator: the planned progress of a backup or a restore, the events it
 * has emitted (its full history, so SSE replay after `Last-Event-ID` is exact) and the steps derived
 * from those events (`GET /api/operations/{type}/{id}/steps`).
 *
 * An operation emits its plan one event at a time: event 1 is `pending`, the next ones `running`
 * with rising percent, the last one `completed`, or `failed` right after the plan event at index
 * `failAt`. Event ids are 1-based and count per operation.
 */
import { derivedUuid, iso } from './hash.ts';
import type { OcBackupType } from './state.ts';

/** One planned (non-terminal) event. `step` names the operation step the event starts, null for `pending`. */
export interface OcPlanEvent {
  status: 'pending' | 'running';
  percent: number;
  phase: string;
  message: string;
  step: string | null;
}

/** The data of a progress event, exactly as PROVIDERS.md lists it (`error` on `failed` only). */
export interface OcProgressData {
  backupId: string;
  status: string;
  percent: number;
  phase: string;
  message: string;
  bytesDone: number;
  bytesTotal: number;
  at: string;
  error?: string;
}

/** An emitted event. */
export interface OcOpEvent {
  /** 1-based sequence number (the SSE `id`). */
  id: number;
  event: 'progress' | 'completed' | 'failed';
  data: OcProgressData;
  step: string | null;
  atMs: number;
}

export type OcOperationKind = 'backup' | 'restore';

/** A backup run or a restore, with its history. */
export interface OcOperation {
  kind: OcOperationKind;
  /** Backup id, or restore log id. */
  id: string;
  backupId: string;
  plan: OcPlanEvent[];
  failAt: number | null;
  error: string | null;
  bytesTotal: number;
  /** Optional steps that failed without failing the operation. */
  optionalFailed: string[];
  events: OcOpEvent[];
  done: boolean;
  /** Called (and cleared) whenever an event is emitted. */
  listeners: Set<() => void>;
}

/** One step as the steps route renders it. */
export interface OcStepDto {
  id: string;
  name: string;
  status: 'pending' | 'running' | 'completed' | 'failed' | 'skipped';
  sortOrder: number;
  startedAt: string | null;
  completedAt: string | null;
  durationMs: number | null;
  output: string | null;
}

/** The plan of a backup of `type`: pending, snapshot, dump, (filestore), upload, verify, notify. */
export function backupPlan(type: OcBackupType): OcPlanEvent[] {
  const plan: OcPlanEvent[] = [
    { status: 'pending', percent: 0, phase: 'queued', message: 'Backup queued', step: null },
    { status: 'running', percent: 5, phase: 'snapshot', message: 'Taking a consistent database snapshot', step: 'snapshot' },
    { status: 'running', percent: type === 'full' ? 25 : 35, phase: 'dumping database', message: 'Dumping the database with pg_dump', step: 'dump' },
  ];
  if (type === 'full') {
    plan.push({ status: 'running', percent: 50, phase: 'archiving filestore', message: 'Archiving the filestore', step: 'filestore' });
  }
  plan.push(
    { status: 'running', percent: 75, phase: 'uploading', message: 'Uploading artifacts to the storage destinations', step: 'upload' },
    { status: 'running', percent: 90, phase: 'verifying', message: 'Verifying artifact checksums', step: 'verify' },
    { status: 'running', percent: 97, phase: 'notifying', message: 'Sending notifications', step: 'notify' },
  );
  return plan;
}

/** The plan of a restore of a `type` backup: pending, download, verify, restore database, (WAL replay), (filestore), finalize. */
export function restorePlan(type: OcBackupType, pitr: boolean): OcPlanEvent[] {
  const plan: OcPlanEvent[] = [
    { status: 'pending', percent: 0, phase: 'queued', message: 'Restore queued', step: null },
    { status: 'running', percent: 15, phase: 'downloading', message: 'Downloading backup artifacts', step: 'download' },
    { status: 'running', percent: 30, phase: 'verifying checksums', message: 'Verifying artifact checksums', step: 'verify' },
    { status: 'running', percent: 55, phase: 'restoring database', message: 'Restoring the database with pg_restore', step: 'restore_database' },
  ];
  if (pitr) plan.push({ status: 'running', percent: 70, phase: 'replaying WAL', message: 'Replaying WAL to the requested point in time', step: 'replay_wal' });
  if (type === 'full') plan.push({ status: 'running', percent: 80, phase: 'restoring filestore', message: 'Extracting the filestore', step: 'restore_filestore' });
  plan.push({ status: 'running', percent: 95, phase: 'finalizing', message: 'Neutralizing crons and outgoing mail, restarting workers', step: 'finalize' });
  return plan;
}

/** Indexes of a plan where an operation may fail (its running events). */
export function failPoints(plan: OcPlanEvent[]): number[] {
  return plan.map((e, i) => (e.status === 'running' && e.step !== 'notify' ? i : -1)).filter((i) => i >= 0);
}

/** Number of events an operation emits in total, terminal one included. */
export function eventCount(op: Pick<OcOperation, 'plan' | 'failAt'>): number {
  return op.failAt === null ? op.plan.length + 1 : op.failAt + 2;
}

/** A new operation with no events yet. */
export function createOperation(init: Omit<OcOperation, 'events' | 'done' | 'listeners' | 'optionalFailed'> & { optionalFailed?: string[] }): OcOperation {
  return { optionalFailed: [], ...init, events: [], done: false, listeners: new Set() };
}

/** Emits the operation's next event at `atMs` and wakes its listeners; null when it is already done. */
export function emitNext(op: OcOperation, atMs: number): OcOpEvent | null {
  if (op.done) return null;
  const n = op.events.length;
  const noun = op.kind === 'backup' ? 'Backup' : 'Restore';
  const data = (status: string, percent: number, phase: string, message: string): OcProgressData => ({
    backupId: op.backupId, status, percent, phase, message,
    bytesDone: Math.round((op.bytesTotal * percent) / 100), bytesTotal: op.bytesTotal, at: iso(atMs),
  });
  let e: OcOpEvent;
  if (op.failAt !== null && n === op.failAt + 1) {
    const last = op.plan[op.failAt];
    const failed = data('failed', last.percent, last.phase, `${noun} failed while ${last.phase}`);
    e = { id: n + 1, event: 'failed', step: null, atMs, data: { ...failed, error: op.error ?? 'unknown error' } };
  } else if (n === op.plan.length) {
    e = { id: n + 1, event: 'completed', step: null, atMs, data: data('completed', 100, 'completed', `${noun} completed`) };
  } else {
    const p = op.plan[n];
    e = { id: n + 1, event: 'progress', step: p.step, atMs, data: data(p.status, p.percent, p.phase, p.message) };
  }
  op.events.push(e);
  if (e.event !== 'progress') op.done = true;
  const listeners = [...op.listeners];
  op.listeners.clear();
  for (const l of listeners) l();
  return e;
}

/**
 * Emits the whole history of an operation that ran in the past: event 1 at `createdAt`, the others
 * spread evenly from `startedAt` to `endAt` (the terminal event at `endAt`). With `upTo`, stops after
 * that many events (an operation seeded mid-flight).
 */
export function replayHistory(op: OcOperation, createdAt: number, startedAt: number, endAt: number, upTo = eventCount(op)): void {
  const total = eventCount(op);
  const span = Math.max(0, endAt - startedAt);
  for (let i = 0; i < upTo && !op.done; i++) {
    const at = i === 0 ? createdAt : startedAt + Math.round((span * (i - 1)) / Math.max(1, total - 2));
    emitNext(op, at);
  }
}

const STEP_OUTPUT: Record<string, string> = {
  snapshot: 'consistent snapshot taken',
  dump: 'pg_dump finished (custom format, zstd level 3)',
  filestore: 'filestore archived (tar + zstd)',
  upload: 'artifacts uploaded to every destination',
  verify: 'sha256 checksums verified against the uploaded artifacts',
  notify: 'notified 1 webhook',
  download: 'artifacts downloaded and decompressed',
  restore_database: 'pg_restore finished without errors',
  replay_wal: 'WAL replayed to the requested point in time',
  restore_filestore: 'filestore extracted',
  finalize: 'crons and outgoing mail neutralized, workers restarted',
};

const OPTIONAL_FAILURE_OUTPUT = 'webhook https://hooks.example.com/ocore answered 502 Bad Gateway';

/** The operation's steps, consistent with the events it has emitted. */
export function operationSteps(op: OcOperation): OcStepDto[] {
  const names = [...new Set(op.plan.map((p) => p.step).filter((s): s is string => s !== null))];
  return names.map((name, i) => {
    const id = derivedUuid(`${op.kind}:${op.id}:step:${name}`);
    const startIdx = op.events.findIndex((e) => e.step === name);
    if (startIdx < 0) {
      return { id, name, status: op.done ? 'skipped' : 'pending', sortOrder: i + 1, startedAt: null, completedAt: null, durationMs: null, output: null };
    }
    const start = op.events[startIdx];
    const end = op.events.slice(startIdx + 1).find((e) => e.step !== name);
    if (!end) {
      return { id, name, status: 'running', sortOrder: i + 1, startedAt: iso(start.atMs), completedAt: null, durationMs: null, output: null };
    }
    const failed = end.event === 'failed';
    const optionalFailed = !failed && op.optionalFailed.includes(name);
    return {
      id, name, status: failed || optionalFailed ? 'failed' : 'completed', sortOrder: i + 1,
      startedAt: iso(start.atMs), completedAt: iso(end.atMs), durationMs: end.atMs - start.atMs,
      output: failed ? op.error : optionalFailed ? OPTIONAL_FAILURE_OUTPUT : STEP_OUTPUT[name] ?? 'done',
    };
  });
}
