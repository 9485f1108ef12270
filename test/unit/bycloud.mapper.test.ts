import { describe, expect, it } from 'vitest';
import { servedSchema, undeclaredFields } from '../utils/tschema.ts';
import { describeBycloudError } from '../../src/providers/bycloud/client.ts';
import {
  databaseBackupJobStatus, databaseBackupStatus, parseNativeId, toBackupJobModel, toDatabaseBackupModel, toOrganizationModel, toProgressUpdate,
  toResourceModel, toVolumeBackupModel, volumeBackupJobStatus, volumeBackupStatus,
} from '../../src/providers/bycloud/mapper.ts';
import type { BycloudDatabaseBackupDto, BycloudVolumeBackupDto } from '../../src/providers/bycloud/wire.ts';

/** An instant as models carry it (canonical UTC with milliseconds). */
const iso = (v: string | null | undefined) => new Date(v!).toISOString();

const ref = { id: 'bycloud-unit', kind: 'bycloud' as const, name: 'ByCloud Unit' };
const VOL = '550e8400-e29b-41d4-a716-446655440001';
const INST = '550e8400-e29b-41d4-a716-446655440002';

const volumeBackup = (over: Partial<BycloudVolumeBackupDto> = {}): BycloudVolumeBackupDto => ({
  id: '550e8400-e29b-41d4-a716-446655440000', crn: 'crn:spo1:storage:backup:550e8400-e29b-41d4-a716-446655440000',
  name: 'sauvegarde-été', description: 'Weekly backup', status: 'available', volume_id: VOL, size: 100, container: 'bkp-1',
  is_incremental: false, has_dependent_backups: true, snapshot_id: '550e8400-e29b-41d4-a716-446655440009',
  metadata: { environment: 'production', team: 'backend' }, created_at: '2026-11-20T10:30:00Z', updated_at: '2026-11-20T10:35:00Z',
  ...over,
});

const databaseBackup = (over: Partial<BycloudDatabaseBackupDto> = {}): BycloudDatabaseBackupDto => ({
  id: '660e8400-e29b-41d4-a716-446655440000', crn: 'crn:spo1:database:backup:660e8400-e29b-41d4-a716-446655440000',
  name: 'backup-2026-11-20', description: null, status: 'COMPLETED', instance_id: INST, parent_id: null, size: 2.5,
  datastore: { type: 'postgresql', version: '15.4', version_id: '770e8400-e29b-41d4-a716-446655440000' }, location_ref: 's3://x/y',
  created_at: '2026-11-20T10:30:00Z', updated_at: '2026-11-20T10:40:00Z', ...over,
});

describe('bycloud volume backup status table (DESIGN.md)', () => {
  it.each([
    ['creating', 'CREATING'], ['available', 'AVAILABLE'], ['deleting', 'DELETING'], ['error', 'FAILED'], ['restoring', 'RESTORING'],
    ['error_restoring', 'AVAILABLE'], ['Available', 'AVAILABLE'], ['AVAILABLE', 'AVAILABLE'], ['Error', 'FAILED'], ['CREATING', 'CREATING'],
    ['Error_Restoring', 'AVAILABLE'],
  ])('%s -> %s, keeping the raw value', (raw, status) => {
    expect(volumeBackupStatus.map(raw)).toBe(status);
    expect(toVolumeBackupModel(ref, volumeBackup({ status: raw }))).toMatchObject({ status, providerStatus: raw });
  });

  it.each([['ACTIVE'], ['COMPLETED'], ['']])('unknown %j -> UNKNOWN, raw kept', (raw) => {
    expect(toVolumeBackupModel(ref, volumeBackup({ status: raw }))).toMatchObject({ status: 'UNKNOWN', providerStatus: raw });
  });

  it('rawFor gives the raw values to push a filter down', () => {
    expect(volumeBackupStatus.rawFor(['AVAILABLE']).sort()).toEqual(['available', 'error_restoring']);
    expect(volumeBackupStatus.rawFor(['FAILED'])).toEqual(['error']);
    expect(volumeBackupStatus.rawFor(['EXPIRED'])).toEqual([]);
  });
});

describe('bycloud database backup status table (DESIGN.md)', () => {
  it.each([
    ['NEW', 'CREATING'], ['BUILDING', 'CREATING'], ['SAVING', 'CREATING'], ['COMPLETED', 'AVAILABLE'], ['FAILED', 'FAILED'],
    ['DELETE_FAILED', 'AVAILABLE'], ['completed', 'AVAILABLE'], ['Failed', 'FAILED'], ['building', 'CREATING'],
  ])('%s -> %s, keeping the raw value', (raw, status) => {
    expect(databaseBackupStatus.map(raw)).toBe(status);
    expect(toDatabaseBackupModel(ref, databaseBackup({ status: raw }))).toMatchObject({ status, providerStatus: raw });
  });

  it.each([['available'], ['ACTIVE'], ['weird']])('unknown %j -> UNKNOWN, raw kept', (raw) => {
    expect(toDatabaseBackupModel(ref, databaseBackup({ status: raw }))).toMatchObject({ status: 'UNKNOWN', providerStatus: raw });
  });
});

describe('bycloud models', () => {
  it('a volume backup: prefixed ids, GiB to bytes, its own fields', () => {
    expect(toVolumeBackupModel(ref, volumeBackup())).toEqual({
      typename: 'ByCloudVolumeBackup', provider: ref, nativeId: 'vol:550e8400-e29b-41d4-a716-446655440000', name: 'sauvegarde-été',
      status: 'AVAILABLE', providerStatus: 'available', organizationNativeId: 'default', resourceNativeId: `vol:${VOL}`,
      // Instants canonical (UTC with milliseconds), as the DateTime scalar writes them.
      sizeBytes: 100 * 2 ** 30, createdAt: '2026-11-20T10:30:00.000Z', completedAt: '2026-11-20T10:35:00.000Z',
      crn: 'crn:spo1:storage:backup:550e8400-e29b-41d4-a716-446655440000', description: 'Weekly backup', container: 'bkp-1',
      isIncremental: false, hasDependentBackups: true, snapshotId: '550e8400-e29b-41d4-a716-446655440009',
      metadata: { environment: 'production', team: 'backend' }, sizeGiB: 100, updatedAt: '2026-11-20T10:35:00.000Z',
    });
  });

  it('a backup still being made has no completedAt', () => {
    expect(toVolumeBackupModel(ref, volumeBackup({ status: 'creating' })).completedAt).toBeNull();
    expect(toDatabaseBackupModel(ref, databaseBackup({ status: 'SAVING' })).completedAt).toBeNull();
  });

  it('a database backup: datastore in camelCase, fractional GiB to bytes', () => {
    expect(toDatabaseBackupModel(ref, databaseBackup())).toMatchObject({
      typename: 'ByCloudDatabaseBackup', nativeId: 'db:660e8400-e29b-41d4-a716-446655440000', resourceNativeId: `db:${INST}`,
      organizationNativeId: 'default', sizeBytes: 2.5 * 2 ** 30, sizeGiB: 2.5, parentId: null, locationRef: 's3://x/y',
      datastore: { type: 'postgresql', version: '15.4', versionId: '770e8400-e29b-41d4-a716-446655440000' },
    });
  });

  it('resources and the organization', () => {
    expect(toResourceModel(ref, { collection: 'vol', id: VOL, datastoreType: null, firstSeen: null, backupCount: 3 })).toMatchObject({
      typename: 'ByCloudVolume', nativeId: `vol:${VOL}`, name: VOL, type: 'volume', organizationNativeId: 'default', backupCount: 3,
    });
    expect(toResourceModel(ref, { collection: 'db', id: INST, datastoreType: 'mysql', firstSeen: '2026-10-01T00:00:00Z', backupCount: 1 })).toMatchObject({
      typename: 'ByCloudDatabaseInstance', nativeId: `db:${INST}`, type: 'mysql', createdAt: '2026-10-01T00:00:00Z',
    });
    expect(toOrganizationModel(ref)).toEqual({ typename: 'ByCloudOrganization', provider: ref, nativeId: 'default', name: 'ByCloud Unit', createdAt: null });
  });

  it('parses native ids', () => {
    expect(parseNativeId(`vol:${VOL}`)).toEqual({ collection: 'vol', id: VOL });
    expect(parseNativeId(`db:${INST}`)).toEqual({ collection: 'db', id: INST });
    expect(parseNativeId(VOL)).toBeNull();
    expect(parseNativeId('x:1')).toBeNull();
  });
});

describe('bycloud progress snapshots', () => {
  it.each([
    ['creating', 'RUNNING', false], ['NEW', 'RUNNING', false], ['BUILDING', 'RUNNING', false], ['SAVING', 'RUNNING', false],
    ['available', 'SUCCEEDED', true], ['Available', 'SUCCEEDED', true], ['COMPLETED', 'SUCCEEDED', true],
    ['error', 'FAILED', true], ['FAILED', 'FAILED', true], ['DELETE_FAILED', 'SUCCEEDED', true], ['error_restoring', 'SUCCEEDED', true],
    ['mystery', 'UNKNOWN', false],
  ])('%s -> %s (done %s)', (raw, status, done) => {
    const u = toProgressUpdate(volumeBackup({ status: raw }), Date.parse('2030-01-01T00:00:00Z'));
    expect(u).toMatchObject({ status, done, providerStatus: raw, phase: raw.toLowerCase(), percent: done ? 100 : null, message: null });
    expect(u.at).toBe('2026-11-20T10:35:00.000Z');
  });

  it('stamps a snapshot whose record has no readable time with the clock it is given', () => {
    const now = Date.parse('2030-01-01T00:00:00Z');
    expect(toProgressUpdate(volumeBackup({ updated_at: 'soon' }), now).at).toBe('2030-01-01T00:00:00.000Z');
    expect(toProgressUpdate(volumeBackup({ updated_at: null }), now).at).toBe('2030-01-01T00:00:00.000Z');
  });
});

describe('bycloud schema.graphql', () => {
  const schema = servedSchema();
  const unifiedOnly = new Set(['typename', 'provider', 'nativeId', 'organizationNativeId', 'resourceNativeId', 'backupNativeId']);

  it.each([
    ['ByCloudOrganization', toOrganizationModel(ref)],
    ['ByCloudVolume', toResourceModel(ref, { collection: 'vol', id: VOL, datastoreType: null, firstSeen: null, backupCount: 1 })],
    ['ByCloudDatabaseInstance', toResourceModel(ref, { collection: 'db', id: INST, datastoreType: 'mysql', firstSeen: null, backupCount: 1 })],
    ['ByCloudVolumeBackup', toVolumeBackupModel(ref, volumeBackup())],
    ['ByCloudDatabaseBackup', toDatabaseBackupModel(ref, databaseBackup())],
    ['ByCloudVolumeBackupJob', toBackupJobModel(ref, volumeBackup(), 'vol')],
    ['ByCloudDatabaseBackupJob', toBackupJobModel(ref, databaseBackup(), 'db')],
  ])('%s declares every field its model carries', (typename, model) => {
    expect(model.typename).toBe(typename);
    expect(undeclaredFields(schema, typename, model, unifiedOnly)).toEqual([]);
  });
});

describe('describeBycloudError', () => {
  it('reads { error: { code, message } } and tolerates garbage', () => {
    expect(describeBycloudError(409, { error: { code: 409, message: 'busy', request_id: 'r' } })).toEqual({ code: '409', message: 'busy' });
    expect(describeBycloudError(500, '<html>')).toEqual({ code: null, message: null });
    expect(describeBycloudError(500, undefined)).toEqual({ code: null, message: null });
  });
});

describe('backup creations as jobs', () => {
  it.each([
    ['creating', 'RUNNING'], ['available', 'SUCCEEDED'], ['Available', 'SUCCEEDED'], ['error', 'FAILED'],
    ['restoring', 'SUCCEEDED'], ['error_restoring', 'SUCCEEDED'], ['deleting', 'SUCCEEDED'], ['weird', 'UNKNOWN'],
  ])('a volume backup %s is a %s job', (raw, status) => {
    expect(volumeBackupJobStatus.map(raw)).toBe(status);
  });

  it.each([['NEW', 'RUNNING'], ['BUILDING', 'RUNNING'], ['SAVING', 'RUNNING'], ['COMPLETED', 'SUCCEEDED'], ['FAILED', 'FAILED'], ['DELETE_FAILED', 'SUCCEEDED']])(
    'a database backup %s is a %s job', (raw, status) => {
      expect(databaseBackupJobStatus.map(raw)).toBe(status);
    },
  );

  it('is the backup\'s creation: same native id, its backup and volume, started when created, no failure reason ByCloud never gives', () => {
    const b = volumeBackup();
    const failed = toBackupJobModel(ref, { ...b, status: 'error', description: 'Weekly backup' }, 'vol');
    expect(failed).toMatchObject({
      typename: 'ByCloudVolumeBackupJob', nativeId: `vol:${b.id}`, operation: 'backup', status: 'FAILED', providerStatus: 'error',
      backupNativeId: `vol:${b.id}`, resourceNativeId: `vol:${b.volume_id}`, createdAt: iso(b.created_at), startedAt: iso(b.created_at),
      endedAt: iso(b.updated_at), failureReason: null, bytesTransferred: null,
    });
    expect(toBackupJobModel(ref, { ...b, status: 'creating' }, 'vol')).toMatchObject({ status: 'RUNNING', endedAt: null });
    const db = databaseBackup();
    expect(toBackupJobModel(ref, db, 'db')).toMatchObject({ typename: 'ByCloudDatabaseBackupJob', resourceNativeId: `db:${db.instance_id}`, status: 'SUCCEEDED' });
  });
});
