/**
 * Renders the oCore simulator's records in the wire shapes of the docs (backups, restore logs,
 * schedules) and of PROVIDERS.md (projects, environments, alerts). Checksums and remote paths are
 * derived from ids, so they are stable across runs without being stored.
 */
import { nextCronRun } from '../kit/index.ts';
import { iso, isoOrNull, sha256Hex } from './hash.ts';
import { backupPlan, restorePlan, type OcProgressData } from './ops.ts';
import type { OcAlert, OcBackup, OcEnvironment, OcRestoreLog, OcSchedule, OcoreSimState } from './state.ts';

/** `recoveryEvidence` *(doc)*: what an operation can prove about recoverability. */
export interface OcRecoveryEvidenceDto {
  operation: 'backup' | 'restore';
  status: 'green' | 'yellow' | 'red' | 'pending';
  reason: string;
  canWriteCleanSuccess: boolean;
  requiredSteps: string[];
  missingSteps: string[];
  blockingSteps: string[];
  optionalFailedSteps: string[];
  missingEvidence: string[];
  artifactChecksums: Record<string, string>;
  artifactPaths: Record<string, string>;
  remoteCopyState: string;
  progress: { percent: number; phase: string; bytesDone: number; bytesTotal: number };
  whyGreen: string[];
  whyNotGreen: string[];
}

/** A backup as `GET /api/backups/{id}` and the lists return it *(doc)*. */
export interface OcBackupDto {
  id: string;
  environmentId: string;
  environmentName: string;
  environmentType: string;
  backupType: string;
  status: string;
  createdAt: string;
  startedAt: string | null;
  completedAt: string | null;
  sizeBytes: number;
  errorMessage: string | null;
  dbChecksum: string | null;
  filestoreChecksum: string | null;
  configChecksum: string | null;
  gfsTiers: string[];
  remotePaths: Record<string, string>;
  recoveryEvidence: OcRecoveryEvidenceDto;
}

/** Where a backup's artifacts live on a destination. */
function remoteDir(state: OcoreSimState, env: OcEnvironment, baseUri: string, backupId: string): string {
  return `${baseUri}/${state.projectById.get(env.projectId)!.slug}/${env.slug}/${backupId}/`;
}

function artifactNames(type: OcBackup['backupType']): string[] {
  return type === 'full' ? ['db.dump', 'filestore.tar.zst', 'config.json'] : ['db.dump', 'config.json'];
}

function artifacts(state: OcoreSimState, env: OcEnvironment, backupId: string, type: OcBackup['backupType']) {
  const dir = remoteDir(state, env, env.destinations[0].baseUri, backupId);
  const checksums: Record<string, string> = {};
  const paths: Record<string, string> = {};
  for (const name of artifactNames(type)) {
    checksums[name] = sha256Hex(`${backupId}:${name}`);
    paths[name] = dir + name;
  }
  return { checksums, paths };
}

function progressOf(percent: number, phase: string, bytesTotal: number, live?: OcProgressData | null) {
  if (live) return { percent: live.percent, phase: live.phase, bytesDone: live.bytesDone, bytesTotal: live.bytesTotal };
  return { percent, phase, bytesDone: Math.round((bytesTotal * percent) / 100), bytesTotal };
}

function backupEvidence(state: OcoreSimState, b: OcBackup, env: OcEnvironment, live?: OcProgressData | null): OcRecoveryEvidenceDto {
  const plan = backupPlan(b.backupType);
  const required = plan.map((p) => p.step).filter((s): s is string => s !== null && s !== 'notify');
  const base = { operation: 'backup' as const, requiredSteps: required, optionalFailedSteps: b.notifyFailed ? ['notify'] : [] };
  const none = { artifactChecksums: {}, artifactPaths: {} };
  if (b.status === 'pending' || b.status === 'running') {
    const phase = live?.phase ?? 'queued';
    const current = Math.max(1, plan.findIndex((p) => p.phase === phase));
    const done = plan.slice(1, current).map((p) => p.step);
    return {
      ...base, ...none, status: 'pending', reason: 'backup in progress', canWriteCleanSuccess: false,
      missingSteps: required.filter((s) => !done.includes(s)), blockingSteps: [], optionalFailedSteps: [],
      missingEvidence: ['dbChecksum', ...(b.backupType === 'full' ? ['filestoreChecksum'] : []), 'configChecksum', 'remoteCopy'],
      remoteCopyState: phase === 'uploading' ? 'in_progress' : 'not_started', progress: progressOf(0, 'queued', b.bytesTotal, live),
      whyGreen: [], whyNotGreen: ['the backup has not finished yet'],
    };
  }
  if (b.status === 'failed') {
    const failedStep = plan[b.failAt ?? 1].step ?? 'snapshot';
    const reached = required.indexOf(failedStep);
    const uploadIdx = required.indexOf('upload');
    return {
      ...base, ...none, status: 'red', reason: `step ${failedStep} failed: ${b.errorMessage}`, canWriteCleanSuccess: false,
      missingSteps: required.slice(reached), blockingSteps: [failedStep],
      missingEvidence: ['dbChecksum', ...(b.backupType === 'full' ? ['filestoreChecksum'] : []), 'configChecksum', 'remoteCopy'],
      remoteCopyState: reached >= uploadIdx ? 'failed' : 'not_started',
      progress: progressOf(plan[b.failAt ?? 1].percent, plan[b.failAt ?? 1].phase, b.bytesTotal),
      whyGreen: required.slice(0, reached).map((s) => `step ${s} completed`), whyNotGreen: [`required step ${failedStep} failed`],
    };
  }
  const { checksums, paths } = artifacts(state, env, b.id, b.backupType);
  const copies = b.remotePartial ? 1 : env.destinations.length;
  const whyGreen = [
    'all required steps completed',
    `sha256 checksums recorded for ${Object.keys(checksums).join(', ')}`,
    `copied to ${copies} of ${env.destinations.length} destination${env.destinations.length > 1 ? 's' : ''}`,
  ];
  const whyNotGreen: string[] = [];
  if (b.remotePartial) whyNotGreen.push(`remote copy to ${env.destinations[1]?.name ?? 'the second destination'} failed`);
  if (b.status === 'deleting') whyNotGreen.push('the backup is being deleted from every destination');
  const status = b.status === 'deleting' ? 'red' : b.remotePartial ? 'yellow' : 'green';
  return {
    ...base, status, canWriteCleanSuccess: status === 'green',
    reason: status === 'green' ? 'backup verified and copied off-site' : whyNotGreen[0],
    missingSteps: [], blockingSteps: [], missingEvidence: b.remotePartial ? [`remoteCopy:${env.destinations[1]?.name}`] : [],
    artifactChecksums: checksums, artifactPaths: paths,
    remoteCopyState: b.status === 'deleting' ? 'deleting' : b.remotePartial ? 'partial' : 'synced',
    progress: progressOf(100, 'completed', b.bytesTotal), whyGreen, whyNotGreen,
  };
}

/** Renders a backup; `live` is the last progress event of a backup in flight. */
export function backupDto(state: OcoreSimState, b: OcBackup, live?: OcProgressData | null): OcBackupDto {
  const env = state.environments.get(b.environmentId)!;
  const done = b.status === 'completed' || b.status === 'deleting';
  const remotePaths: Record<string, string> = {};
  if (done) {
    for (const d of b.remotePartial ? env.destinations.slice(0, 1) : env.destinations) remotePaths[d.name] = remoteDir(state, env, d.baseUri, b.id);
  }
  return {
    id: b.id, environmentId: env.id, environmentName: env.name, environmentType: env.type, backupType: b.backupType, status: b.status,
    createdAt: iso(b.createdAt), startedAt: isoOrNull(b.startedAt), completedAt: isoOrNull(b.completedAt),
    sizeBytes: b.sizeBytes, errorMessage: b.errorMessage,
    dbChecksum: done ? sha256Hex(`${b.id}:db.dump`) : null,
    filestoreChecksum: done && b.backupType === 'full' ? sha256Hex(`${b.id}:filestore.tar.zst`) : null,
    configChecksum: done ? sha256Hex(`${b.id}:config.json`) : null,
    gfsTiers: [...b.gfsTiers], remotePaths, recoveryEvidence: backupEvidence(state, b, env, live),
  };
}

function restoreEvidence(state: OcoreSimState, r: OcRestoreLog, live?: OcProgressData | null): OcRecoveryEvidenceDto {
  const plan = restorePlan(r.backupType, r.pitrTimestamp !== null);
  const required = plan.map((p) => p.step).filter((s): s is string => s !== null);
  const source = state.environments.get(r.sourceEnvironmentId)!;
  const base = { operation: 'restore' as const, requiredSteps: required, optionalFailedSteps: [], remoteCopyState: 'not_applicable' };
  if (r.status === 'completed') {
    const { checksums, paths } = artifacts(state, source, r.backupId, r.backupType);
    return {
      ...base, status: 'green', reason: 'restore completed and verified', canWriteCleanSuccess: true, missingSteps: [], blockingSteps: [],
      missingEvidence: [], artifactChecksums: checksums, artifactPaths: paths, progress: progressOf(100, 'completed', r.bytesTotal),
      whyGreen: ['all required steps completed', 'artifact checksums matched before restoring'], whyNotGreen: [],
    };
  }
  if (r.status === 'failed') {
    const step = plan[r.failAt ?? 1].step ?? 'download';
    const reached = required.indexOf(step);
    return {
      ...base, status: 'red', reason: `step ${step} failed: ${r.errorMessage}`, canWriteCleanSuccess: false,
      missingSteps: required.slice(reached), blockingSteps: [step], missingEvidence: ['restoredDatabase'],
      artifactChecksums: {}, artifactPaths: {}, progress: progressOf(plan[r.failAt ?? 1].percent, plan[r.failAt ?? 1].phase, r.bytesTotal),
      whyGreen: required.slice(0, reached).map((s) => `step ${s} completed`), whyNotGreen: [`required step ${step} failed`],
    };
  }
  return {
    ...base, status: 'pending', reason: 'restore in progress', canWriteCleanSuccess: false, missingSteps: required, blockingSteps: [],
    missingEvidence: ['restoredDatabase'], artifactChecksums: {}, artifactPaths: {}, progress: progressOf(0, 'queued', r.bytesTotal, live),
    whyGreen: [], whyNotGreen: ['the restore has not finished yet'],
  };
}

/** Renders a restore log *(doc)*. */
export function restoreLogDto(state: OcoreSimState, r: OcRestoreLog, live?: OcProgressData | null) {
  return {
    id: r.id, backupId: r.backupId,
    sourceEnvironmentId: r.sourceEnvironmentId, sourceEnvironmentName: state.environments.get(r.sourceEnvironmentId)!.name,
    targetEnvironmentId: r.targetEnvironmentId, targetEnvironmentName: state.environments.get(r.targetEnvironmentId)!.name,
    targetType: r.targetType, status: r.status,
    createdAt: iso(r.createdAt), startedAt: isoOrNull(r.startedAt), completedAt: isoOrNull(r.completedAt),
    errorMessage: r.errorMessage, performedBy: r.performedBy, recoveryEvidence: restoreEvidence(state, r, live),
  };
}

function nextRun(cron: string, s: OcSchedule, now: number): string | null {
  if (!s.enabled || s.paused || cron === '') return null;
  const at = nextCronRun(cron, now, s.timezone);
  return at === null ? null : iso(at);
}

/** Renders a schedule *(doc)* with `nextDbBackupAt`/`nextFullBackupAt` computed at `now` (null when disabled, paused or unset). */
export function scheduleDto(s: OcSchedule, now: number) {
  return { ...s, destinationIds: [...s.destinationIds], nextDbBackupAt: nextRun(s.dbCron, s, now), nextFullBackupAt: nextRun(s.fullCron, s, now) };
}

/** Renders an alert (PROVIDERS.md, assumed shape). */
export function alertDto(state: OcoreSimState, a: OcAlert) {
  return {
    id: a.id, backupId: a.backupId, environmentId: a.environmentId, environmentName: state.environments.get(a.environmentId)!.name,
    type: a.type, severity: a.severity, message: a.message, createdAt: iso(a.createdAt), read: a.read, dismissed: a.dismissed,
  };
}

/** Renders an environment (PROVIDERS.md, assumed shape). */
export function environmentDto(e: OcEnvironment) {
  return { id: e.id, name: e.name, type: e.type };
}
