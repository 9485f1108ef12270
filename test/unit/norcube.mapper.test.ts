import { describe, expect, it } from 'vitest';
import { servedSchema, undeclaredFields } from '../utils/tschema.ts';
import { describeNorcubeError } from '../../src/providers/norcube/client.ts';
import {
  hasBackupFile, jobNativeId, norcubeJobStatus, parsePairNativeId, parseRestoreNativeId, restoreNativeId, scheduleNativeId,
  toBackupJobModel, toBackupModel, toBackupStatus, toOrganizationModel, toResourceModel, toRestoreJobModel, toScheduleModel,
} from '../../src/providers/norcube/mapper.ts';
import type {
  NorcubeBackupJobDto, NorcubeDataSourceDto, NorcubeDatasourcePolicyDto, NorcubeRestoreJobDto,
} from '../../src/providers/norcube/wire.ts';

const ref = { id: 'norcube-unit', kind: 'norcube' as const, name: 'Norcube Unit' };
const ORG = '99e1ef7c-72c3-4b8a-9a3b-32c0ab73b0ad';
const DS = '974d9dd6-ad8b-4d60-a44c-b6a95ecfb76b';
const JOB = '3d4a426a-fbe7-44dc-a43e-a5f34f803279';
const POLICY = '564325a3-98a3-403b-92ad-5cb0babae014';
const RESTORE = 'f6b56238-5a07-4dcc-894c-0f8e548e072b';

const job = (over: Partial<NorcubeBackupJobDto> = {}): NorcubeBackupJobDto => ({
  jobId: JOB, jobStatus: 'success', jobTrigger: 'schedule', jobCreatedAt: '2026-11-20T11:58:19Z', jobScheduledFor: '2026-11-20T11:58:00Z',
  jobStartedAt: '2026-11-20T11:58:30Z', jobFinishedAt: '2026-11-20T12:01:00Z', jobDurationMs: 150_000, jobBytesWritten: 99_442_951,
  datasourceId: DS, datasourceName: 'iot-telemetry', datasourceEngine: 'mongodb', destinationId: 'd65bbedc-0d1c-4cec-97a2-8b880812df18',
  destinationIsManaged: true, destinationRegion: 'eu-central-1', policyId: POLICY, policyName: 'every-6h-mongo', policyMethod: 'logical_dump',
  policyCompression: 'gzip', policyEncryption: 'sse-kms', policyRetentionDays: 7,
  verifyStatus: 'success', verifyPassed: true, verifiedAt: '2026-11-20T13:00:00Z', verifyRestoreJobId: RESTORE, verifyHasLog: true,
  ...over,
});

const restore = (over: Partial<NorcubeRestoreJobDto> = {}): NorcubeRestoreJobDto => ({
  id: RESTORE, dataSourceId: DS, dataSourceName: 'iot-telemetry', engine: 'mongodb', mode: 'new_database', status: 'success',
  createdAt: '2026-11-20T12:00:00Z', startedAt: '2026-11-20T12:00:05Z', finishedAt: '2026-11-20T12:03:00Z', durationMs: 175_000,
  sourceBackupId: JOB, bytesRead: 1000, bytesRestored: 3100, targetDatabase: 'telemetry_restored',
  targetConnectionRef: 'mongodb://…@db.example.com:27017/telemetry_restored', hasLog: true, ...over,
});

const dataSource: NorcubeDataSourceDto = {
  id: DS, organizationId: ORG, name: 'iot-telemetry', engine: 'mongodb', environment: 'prod', isActive: true, hasCredentials: true,
  createdAt: '2026-09-09T11:11:44Z', updatedAt: '2026-09-09T11:16:44Z', detectedEngineVersion: '7.0.14',
  detectedEngineVersionAt: '2026-09-09T11:17:44Z', activeBackupJobs: 0, totalBackupJobs: 36, lastBackupAt: '2026-11-19T19:18:58.939Z',
  lastBackupSizeBytes: 99_442_951, nextRunAt: '2026-11-24T12:00:00Z', restoreCheckTotal: 20, restoreCheckPassed: 19, restoreCheckWarnings: 1,
  restoreCheckLastAt: '2026-11-19T03:00:00Z',
};

const attachment: NorcubeDatasourcePolicyDto = {
  id: 'f1093bd6-bf70-47b5-b883-82b5f62cdb0b',
  backupPolicy: {
    id: POLICY, organizationId: ORG, name: 'every-6h-mongo', scheduleCron: '0 */6 * * *', timezone: 'UTC', retentionDays: 7, keepLastN: 28,
    method: 'logical_dump', compression: 'gzip', encryption: 'sse-kms', parallelism: 4, pitrEnabled: false,
    destinationId: 'd65bbedc-0d1c-4cec-97a2-8b880812df18',
  },
  destination: { id: 'd65bbedc-0d1c-4cec-97a2-8b880812df18', organizationId: ORG, name: 'norcube-managed-eu-central-1', isManaged: true },
  isEnabled: true, priority: 1, jitterSeconds: 300, createdAt: '2026-09-09T11:21:44Z', lastSheduledAt: '2026-11-18T12:02:00Z',
  nextRunAt: '2026-11-24T12:00:00Z',
};

describe('norcube job status table (DESIGN.md)', () => {
  it.each([
    ['queued', 'QUEUED'], ['running', 'RUNNING'], ['success', 'SUCCEEDED'], ['partial', 'PARTIAL'], ['failed', 'FAILED'], ['canceled', 'CANCELED'],
    ['SUCCESS', 'SUCCEEDED'], ['Partial', 'PARTIAL'], ['QUEUED', 'QUEUED'], ['Canceled', 'CANCELED'],
  ])('backup job %s -> %s, raw kept', (raw, expected) => {
    const m = toBackupJobModel(ref, job({ jobStatus: raw }));
    expect(m.status).toBe(expected);
    expect(m.providerStatus).toBe(raw);
  });

  it.each([['cancelled'], ['exploded'], ['']])('unknown backup job status %j -> UNKNOWN keeping the raw value', (raw) => {
    const m = toBackupJobModel(ref, job({ jobStatus: raw }));
    expect(m.status).toBe('UNKNOWN');
    expect(m.providerStatus).toBe(raw === '' ? null : raw);
  });

  it.each([
    ['queued', 'QUEUED'], ['running', 'RUNNING'], ['success', 'SUCCEEDED'], ['partial', 'PARTIAL'], ['failed', 'FAILED'], ['canceled', 'CANCELED'],
    ['Running', 'RUNNING'], ['restoring', 'UNKNOWN'],
  ])('restore job %s -> %s', (raw, expected) => {
    const m = toRestoreJobModel(ref, restore({ status: raw }));
    expect(m.status).toBe(expected);
    expect(m.providerStatus).toBe(raw);
    expect(m.operation).toBe('restore');
  });

  it('maps normalized statuses back to raw ones for push-down', () => {
    expect(norcubeJobStatus.rawFor(['SUCCEEDED', 'PARTIAL'])).toEqual(['success', 'partial']);
    expect(norcubeJobStatus.rawFor(['MISSED'])).toEqual([]);
  });
});

describe('norcube backup (a job file) status table (DESIGN.md)', () => {
  it.each([
    ['success', undefined, 10, 'AVAILABLE'],
    ['partial', undefined, 10, 'AVAILABLE'],
    ['SUCCESS', undefined, 10, 'AVAILABLE'],
    ['success', '2026-11-01T03:00:00Z', 10, 'EXPIRED'],
    ['partial', '2026-11-01T03:00:00Z', 10, 'EXPIRED'],
    ['failed', undefined, 0, 'UNKNOWN'],
    ['running', undefined, 0, 'UNKNOWN'],
    ['queued', undefined, 0, 'UNKNOWN'],
    ['canceled', undefined, 0, 'UNKNOWN'],
    ['success', undefined, 0, 'UNKNOWN'],
  ])('job %s (deleted %s, %d bytes) -> %s', (jobStatus, jobDeletedAt, jobBytesWritten, expected) => {
    const dto = job({ jobStatus, jobDeletedAt, jobBytesWritten });
    expect(toBackupStatus(dto)).toBe(expected);
    expect(hasBackupFile(dto)).toBe(expected !== 'UNKNOWN');
  });

  it('a backup keeps the raw job status and the expiry details', () => {
    const b = toBackupModel(ref, job({ jobStatus: 'partial', jobDeletedAt: '2026-11-01T03:00:00Z', jobExpirationReason: 'keep_last_n_exceeded' }));
    expect(b).toMatchObject({
      typename: 'NorcubeBackup', nativeId: `${DS}/${JOB}`, status: 'EXPIRED', providerStatus: 'partial', resourceNativeId: DS, jobId: JOB,
      sizeBytes: 99_442_951, deletedAt: '2026-11-01T03:00:00.000Z', expirationReason: 'keep_last_n_exceeded',
      createdAt: '2026-11-20T11:58:19.000Z', completedAt: '2026-11-20T12:01:00.000Z',
    });
  });
});

describe('norcube native ids', () => {
  it('round-trips job, schedule and restore ids', () => {
    expect(parsePairNativeId(jobNativeId(DS, JOB))).toEqual({ dataSourceId: DS, childId: JOB });
    expect(parsePairNativeId(scheduleNativeId(DS, POLICY))).toEqual({ dataSourceId: DS, childId: POLICY });
    expect(parseRestoreNativeId(restoreNativeId(RESTORE))).toBe(RESTORE);
  });

  it.each([['nope'], [`${DS}/`], [`/${JOB}`], [`${DS}/x`], [`restore:${RESTORE}`], [`${DS}/${JOB}/extra`]])('%j is no job id', (id) => {
    expect(parsePairNativeId(id)).toBeNull();
  });

  it.each([[`${DS}/${JOB}`], ['restore:'], ['restore:abc'], [RESTORE]])('%j is no restore id', (id) => {
    expect(parseRestoreNativeId(id)).toBeNull();
  });
});

describe('norcube models', () => {
  it('a backup job links its resource and its file, only when it has one', () => {
    const ok = toBackupJobModel(ref, job());
    expect(ok).toMatchObject({
      typename: 'NorcubeJob', operation: 'backup', nativeId: `${DS}/${JOB}`, resourceNativeId: DS, backupNativeId: `${DS}/${JOB}`,
      bytesTransferred: 99_442_951, trigger: 'schedule', policyId: POLICY, hasFile: true, restore: null,
      verification: { status: 'SUCCEEDED', providerStatus: 'success', passed: true, restoreJobId: RESTORE },
    });
    const failed = toBackupJobModel(ref, job({ jobStatus: 'failed', jobBytesWritten: 0, jobErrorSummary: 'Connection timeout', verifyStatus: undefined, verifyPassed: undefined, verifiedAt: undefined, verifyRestoreJobId: undefined }));
    expect(failed).toMatchObject({ backupNativeId: null, hasFile: false, errorSummary: 'Connection timeout', verification: null });
  });

  it('a restore job points at the backup file it restored', () => {
    expect(toRestoreJobModel(ref, restore())).toMatchObject({
      typename: 'NorcubeJob', nativeId: `restore:${RESTORE}`, operation: 'restore', resourceNativeId: DS, backupNativeId: `${DS}/${JOB}`,
      bytesTransferred: 3100, jobId: RESTORE, restore: { mode: 'new_database', sourceJobId: JOB, targetDatabase: 'telemetry_restored', bytesRead: 1000 },
    });
  });

  it('a data source never carries a credential, only whether it has one', () => {
    const m = toResourceModel(ref, { ...dataSource, password: 'hunter2', credential: { uri: 'postgres://u:p@h/db' } } as never);
    expect(JSON.stringify(m)).not.toMatch(/hunter2|u:p@/);
    expect(m).toMatchObject({
      typename: 'NorcubeDataSource', nativeId: DS, type: 'mongodb', organizationNativeId: ORG, hasCredentials: true,
      restoreCheck: { total: 20, passed: 19, warnings: 1 },
    });
  });

  it('a schedule is the attached policy with its cron and retention', () => {
    expect(toScheduleModel(ref, DS, attachment, attachment.backupPolicy)).toMatchObject({
      typename: 'NorcubeSchedule', nativeId: `${DS}/${POLICY}`, name: 'every-6h-mongo', enabled: true, crons: ['0 */6 * * *'], timezone: 'UTC',
      resourceNativeId: DS, policyId: POLICY, retentionDays: 7, keepLastN: 28, lastScheduledAt: '2026-11-18T12:02:00.000Z',
      destination: { name: 'norcube-managed-eu-central-1', isManaged: true },
    });
  });
});

describe('norcube schema.graphql', () => {
  const schema = servedSchema();
  const unifiedOnly = new Set(['typename', 'provider', 'nativeId', 'organizationNativeId', 'resourceNativeId', 'backupNativeId']);

  it.each([
    ['NorcubeOrganization', toOrganizationModel(ref, ORG)],
    ['NorcubeDataSource', toResourceModel(ref, dataSource)],
    ['NorcubeJob', toBackupJobModel(ref, job())],
    ['NorcubeJob', toRestoreJobModel(ref, restore())],
    ['NorcubeBackup', toBackupModel(ref, job())],
    ['NorcubeSchedule', toScheduleModel(ref, DS, attachment, attachment.backupPolicy)],
  ])('%s declares every field its model carries', (typename, model) => {
    expect(model.typename).toBe(typename);
    expect(undeclaredFields(schema, typename, model, unifiedOnly)).toEqual([]);
  });
});

describe('describeNorcubeError', () => {
  it('reads the spec body, folding field problems into the message', () => {
    expect(describeNorcubeError(400, { type: 'VALIDATION_FAILED', msg: 'see fields', fields: { limit: 'must be between 1 and 100' }, traceId: 't' }))
      .toEqual({ code: 'VALIDATION_FAILED', message: 'limit: must be between 1 and 100' });
    expect(describeNorcubeError(404, { type: 'NOT_FOUND', msg: 'datasource not found' })).toEqual({ code: 'NOT_FOUND', message: 'datasource not found' });
  });

  it('reads the docs body', () => {
    expect(describeNorcubeError(400, { code: 'INVALID_INPUT', message: 'scheduleCron must be a valid 5-field cron expression' }))
      .toEqual({ code: 'INVALID_INPUT', message: 'scheduleCron must be a valid 5-field cron expression' });
  });

  it.each([[undefined], ['<html>'], [[1, 2]], [{}]])('gives nulls for %j', (body) => {
    expect(describeNorcubeError(500, body)).toEqual({ code: null, message: null });
  });
});

describe('norcube failureReason (errorSummary, when the job did not succeed)', () => {
  it.each([['failed', 'FAILED'], ['partial', 'PARTIAL'], ['canceled', 'CANCELED']])('a %s backup job gives its errorSummary', (raw, status) => {
    expect(toBackupJobModel(ref, job({ jobStatus: raw, jobErrorSummary: 'Connection timeout' }))).toMatchObject({ status, errorSummary: 'Connection timeout', failureReason: 'Connection timeout' });
  });

  it.each(['success', 'running', 'queued', 'mystery'])('a %s backup job has none, even with an errorSummary', (raw) => {
    expect(toBackupJobModel(ref, job({ jobStatus: raw, jobErrorSummary: 'stale text' })).failureReason).toBeNull();
  });

  it('a failed job that says nothing (missing or blank summary) has none', () => {
    expect(toBackupJobModel(ref, job({ jobStatus: 'failed', jobErrorSummary: undefined })).failureReason).toBeNull();
    expect(toBackupJobModel(ref, job({ jobStatus: 'failed', jobErrorSummary: '   ' })).failureReason).toBeNull();
  });

  it('a restore job gives its own errorSummary when it failed, none when it succeeded', () => {
    expect(toRestoreJobModel(ref, restore({ status: 'failed', errorSummary: 'target database exists' })).failureReason).toBe('target database exists');
    expect(toRestoreJobModel(ref, restore({ status: 'success', errorSummary: 'target database exists' })).failureReason).toBeNull();
  });
});
