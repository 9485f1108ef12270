import { describe, expect, it } from 'vitest';
import type { ProviderRef } from '../../src/domain/models.ts';
import {
  OCORE_TYPENAMES, backupRunNativeId, ocoreBackupStatus, ocoreJobStatus, parseJobNativeId, restoreEnvironmentId, restoreNativeId,
  toAlertModel, toAlertSeverity, toAlertType, toBackupModel, toBackupRunModel, toBackupType, toEnvironmentModel, toOperationStepModels, toPitrCoverageModel,
  toRestoreModel, toScheduleModel,
} from '../../src/providers/ocore/mapper.ts';
import type { OcoreBackupDto, OcoreRestoreLogDto } from '../../src/providers/ocore/wire.ts';

const ref: ProviderRef = { id: 'ocore-1', kind: 'ocore', name: 'oCore test' };

const backup = (over: Partial<OcoreBackupDto> = {}): OcoreBackupDto => ({
  id: 'b1',
  status: 'completed',
  backupType: 'full',
  environmentId: 'e1',
  environmentName: 'Produção',
  environmentType: 'production',
  sizeBytes: 1024,
  createdAt: '2026-11-20T10:00:00Z',
  startedAt: '2026-11-20T10:00:05Z',
  completedAt: '2026-11-20T10:05:00Z',
  ...over,
});

const restoreLog = (over: Partial<OcoreRestoreLogDto> = {}): OcoreRestoreLogDto => ({
  id: 'r1',
  status: 'running',
  backupId: 'b1',
  sourceEnvironmentId: 'e1',
  sourceEnvironmentName: 'prod',
  targetEnvironmentId: 'e2',
  targetEnvironmentName: 'staging',
  targetType: 'other',
  ...over,
});

describe('oCore backup status (DESIGN.md)', () => {
  it.each([
    ['pending', 'CREATING'],
    ['running', 'CREATING'],
    ['completed', 'AVAILABLE'],
    ['failed', 'FAILED'],
    ['deleting', 'DELETING'],
    ['COMPLETED', 'AVAILABLE'],
    ['Running', 'CREATING'],
    ['DeLeTiNg', 'DELETING'],
  ])('%s -> %s', (raw, normalized) => {
    expect(ocoreBackupStatus.map(raw)).toBe(normalized);
    const m = toBackupModel(ref, backup({ status: raw }));
    expect(m.status).toBe(normalized);
    expect(m.providerStatus).toBe(raw);
  });

  it.each(['expired', 'restoring', 'queued', ''])('unknown %j -> UNKNOWN, keeping the raw value', (raw) => {
    const m = toBackupModel(ref, backup({ status: raw }));
    expect(m.status).toBe('UNKNOWN');
    expect(m.providerStatus).toBe(raw === '' ? null : raw);
  });

  it('pushes a normalized status down as raw values', () => {
    expect(ocoreBackupStatus.rawFor(['CREATING']).sort()).toEqual(['pending', 'running']);
    expect(ocoreBackupStatus.rawFor(['AVAILABLE'])).toEqual(['completed']);
    expect(ocoreBackupStatus.rawFor(['EXPIRED'])).toEqual([]);
  });
});

describe('oCore backup run and restore status (DESIGN.md)', () => {
  it.each([
    ['pending', 'QUEUED'],
    ['running', 'RUNNING'],
    ['completed', 'SUCCEEDED'],
    ['failed', 'FAILED'],
    ['PENDING', 'QUEUED'],
    ['Completed', 'SUCCEEDED'],
    ['FAILED', 'FAILED'],
  ])('%s -> %s for runs and restores', (raw, normalized) => {
    expect(toBackupRunModel(ref, backup({ status: raw })).status).toBe(normalized);
    const r = toRestoreModel(ref, restoreLog({ status: raw }), 'e2');
    expect(r.status).toBe(normalized);
    expect(r.providerStatus).toBe(raw);
  });

  it.each(['deleting', 'canceled', 'succeeded'])('unknown %s -> UNKNOWN, keeping the raw value', (raw) => {
    const run = toBackupRunModel(ref, backup({ status: raw }));
    expect([run.status, run.providerStatus]).toEqual(['UNKNOWN', raw]);
    const r = toRestoreModel(ref, restoreLog({ status: raw }), 'e2');
    expect([r.status, r.providerStatus]).toEqual(['UNKNOWN', raw]);
  });
});

describe('oCore alert severity', () => {
  it.each([
    ['info', 'INFO'],
    ['warning', 'WARNING'],
    ['critical', 'CRITICAL'],
    ['CRITICAL', 'CRITICAL'],
    ['Info', 'INFO'],
    ['fatal', 'WARNING'],
    [null, 'WARNING'],
  ])('%s -> %s', (raw, normalized) => {
    expect(toAlertSeverity(raw)).toBe(normalized);
  });

  it('keeps the raw severity and links environment and backup', () => {
    const a = toAlertModel(ref, {
      id: 'a1', type: 'backup_failed', severity: 'Fatal', message: 'boom', environmentId: 'e1', environmentName: 'prod',
      backupId: 'b9', read: true, dismissed: false, createdAt: '2026-11-20T09:00:00Z',
    });
    expect(a).toMatchObject({
      typename: 'OcoreAlert', nativeId: 'a1', type: 'BACKUP_FAILED', providerType: 'backup_failed', severity: 'WARNING', providerSeverity: 'Fatal', resourceNativeId: 'e1', backupNativeId: 'b9',
      read: true, dismissed: false, environmentName: 'prod', organizationNativeId: 'default', createdAt: '2026-11-20T09:00:00.000Z',
    });
  });
});

describe('oCore enums', () => {
  it.each([['backup_failed', 'BACKUP_FAILED'], ['PITR_GAP', 'PITR_GAP'], ['retention', 'RETENTION'], ['backup_missed', 'BACKUP_MISSED'], ['quota_low', 'OTHER'], [null, 'OTHER']])('alert type %j -> %s', (raw, type) => {
    expect(toAlertType(raw)).toBe(type);
  });
  it.each([['db', 'DB'], ['FULL', 'FULL'], ['files', null], [undefined, null]])('backupType %j -> %s', (raw, type) => {
    expect(toBackupType(raw)).toBe(type);
  });
});

describe('oCore native ids', () => {
  it('round-trips backup run and restore ids', () => {
    expect(parseJobNativeId(backupRunNativeId('b1'))).toEqual({ kind: 'backup', backupId: 'b1' });
    expect(parseJobNativeId(restoreNativeId('e2', 'r1'))).toEqual({ kind: 'restore', environmentId: 'e2', restoreLogId: 'r1' });
  });

  it.each(['b1', 'backup:', 'restore:e2', 'restore::r1', 'restore:e2:', 'job:1'])('rejects %j', (id) => {
    expect(parseJobNativeId(id)).toBeNull();
  });

  it('files a restore under its target, else its source, else where it was listed', () => {
    expect(restoreEnvironmentId(restoreLog(), 'e1')).toBe('e2');
    expect(restoreEnvironmentId(restoreLog({ targetEnvironmentId: null }), 'e9')).toBe('e1');
    expect(restoreEnvironmentId(restoreLog({ targetEnvironmentId: null, sourceEnvironmentId: '' }), 'e9')).toBe('e9');
  });
});

describe('oCore models', () => {
  it('maps a backup with its own fields', () => {
    const m = toBackupModel(ref, backup({
      gfsTiers: ['daily', 'weekly'],
      remotePaths: { s3: 's3://bucket/b1' },
      dbChecksum: 'sha256:aa',
      recoveryEvidence: { status: 'green', whyGreen: ['checksums match'], artifactChecksums: { db: 'aa' }, canWriteCleanSuccess: true },
    }));
    expect(m).toMatchObject({
      typename: OCORE_TYPENAMES.backup, provider: ref, nativeId: 'b1', resourceNativeId: 'e1', organizationNativeId: 'default',
      sizeBytes: 1024, backupType: 'FULL', environmentName: 'Produção', gfsTiers: ['daily', 'weekly'],
      remotePaths: { s3: 's3://bucket/b1' }, dbChecksum: 'sha256:aa', startedAt: '2026-11-20T10:00:05.000Z',
      completedAt: '2026-11-20T10:05:00.000Z',
    });
    expect(m.recoveryEvidence).toMatchObject({
      status: 'green', whyGreen: ['checksums match'], whyNotGreen: [], artifactChecksums: { db: 'aa' }, canWriteCleanSuccess: true, progress: null,
    });
  });

  it('maps the same backup as a run', () => {
    const j = toBackupRunModel(ref, backup({ status: 'failed', errorMessage: 'disk full' }));
    expect(j).toMatchObject({
      typename: 'OcoreBackupRun', nativeId: 'backup:b1', operation: 'backup', status: 'FAILED', backupNativeId: 'b1',
      resourceNativeId: 'e1', errorMessage: 'disk full', backupType: 'FULL', endedAt: '2026-11-20T10:05:00.000Z',
    });
  });

  it('maps a restore under its target environment', () => {
    const j = toRestoreModel(ref, restoreLog({ performedBy: 'ana@example.com' }), 'e1');
    expect(j).toMatchObject({
      typename: 'OcoreRestore', nativeId: 'restore:e2:r1', operation: 'restore', status: 'RUNNING', resourceNativeId: 'e2',
      backupNativeId: 'b1', restoreLogId: 'r1', performedBy: 'ana@example.com', sourceEnvironmentId: 'e1', targetEnvironmentName: 'staging',
    });
  });

  it('maps an environment with its project', () => {
    const m = toEnvironmentModel(ref, { id: 'p1', name: 'Shop' }, { id: 'e1', name: 'prod', type: 'production' });
    expect(m).toMatchObject({
      typename: 'OcoreEnvironment', nativeId: 'e1', name: 'prod', type: 'production', environmentType: 'production',
      projectId: 'p1', projectName: 'Shop', organizationNativeId: 'default',
    });
  });

  it.each([
    [{ enabled: true, paused: false }, true],
    [{ enabled: true, paused: true }, false],
    [{ enabled: false, paused: false }, false],
    [{ enabled: true }, true],
  ])('schedule %j is enabled=%s', (flags, enabled) => {
    expect(toScheduleModel(ref, 'e1', flags).enabled).toBe(enabled);
  });

  it('unifies a schedule: crons, next run, every retention field', () => {
    const s = toScheduleModel(ref, 'e1', {
      id: 's1', enabled: true, paused: false, dbCron: '0 * * * *', fullCron: ' ', timezone: 'Europe/Lisbon',
      nextDbBackupAt: '2026-11-20T13:00:00Z', nextFullBackupAt: '2026-11-20T12:30:00Z', retainFullWeekly: 4, walEnabled: true,
      walRetentionDays: 7, destinationIds: ['d1'],
    });
    expect(s).toMatchObject({
      typename: 'OcoreSchedule', nativeId: 'e1', resourceNativeId: 'e1', crons: ['0 * * * *'], timezone: 'Europe/Lisbon',
      nextRunAt: '2026-11-20T12:30:00.000Z', scheduleId: 's1', fullCron: null, retainFullWeekly: 4, retainDaily: null,
      walEnabled: true, walRetentionDays: 7, destinationIds: ['d1'], configuredEnabled: true, paused: false,
    });
    expect(toScheduleModel(ref, 'e1', { dbCron: '0 2 * * *', fullCron: '0 3 * * 0' }).crons).toEqual(['0 2 * * *', '0 3 * * 0']);
  });

  it('maps PITR coverage and orders operation steps', () => {
    expect(toPitrCoverageModel({
      earliestRecoverable: '2026-11-13T00:00:00Z', baseBackups: [{ backupId: 'b1', timestamp: '2026-11-13T00:00:00Z' }],
      gaps: [{ start: '2026-11-15T00:00:00Z', end: '2026-11-15T01:00:00Z' }], walRanges: null,
    })).toEqual({
      earliestRecoverable: '2026-11-13T00:00:00.000Z', latestRecoverable: null,
      baseBackups: [{ backupId: 'b1', timestamp: '2026-11-13T00:00:00.000Z' }],
      gaps: [{ start: '2026-11-15T00:00:00.000Z', end: '2026-11-15T01:00:00.000Z' }], walRanges: [],
    });
    const steps = toOperationStepModels([
      { id: 's2', name: 'upload', sortOrder: 2, status: 'running' },
      { id: 3, name: 'verify' },
      { id: 's1', name: 'dump', sortOrder: 1, status: 'completed', output: { lines: 3 } },
    ]);
    expect(steps.map((s) => s.id)).toEqual(['s1', 's2', '3']);
    expect(steps[0].output).toBe('{"lines":3}');
  });
});

describe('oCore failureReason (errorMessage, when the run or restore failed)', () => {
  it('a failed backup run gives its errorMessage; a completed or running one none', () => {
    expect(toBackupRunModel(ref, backup({ status: 'failed', errorMessage: 'disk full' })).failureReason).toBe('disk full');
    expect(toBackupRunModel(ref, backup({ status: 'completed', errorMessage: 'disk full' })).failureReason).toBeNull();
    expect(toBackupRunModel(ref, backup({ status: 'running', errorMessage: 'disk full' })).failureReason).toBeNull();
    expect(toBackupRunModel(ref, backup({ status: 'failed' })).failureReason).toBeNull();
  });

  it('a failed restore gives its errorMessage; a completed one none', () => {
    expect(toRestoreModel(ref, restoreLog({ status: 'failed', errorMessage: 'filestore copy failed' }), 'e2').failureReason).toBe('filestore copy failed');
    expect(toRestoreModel(ref, restoreLog({ status: 'completed', errorMessage: 'filestore copy failed' }), 'e2').failureReason).toBeNull();
  });
});
