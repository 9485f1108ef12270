/**
 * Bocada wire -> domain: the job status table of DESIGN.md (every raw value, any casing, unknown
 * values kept raw), pushing statuses down (`rawFor`), and the models' shape.
 */
import { describe, expect, it } from 'vitest';
import { JOB_STATUSES, type JobStatus } from '../../src/domain/statuses.ts';
import {
  bocadaJobStatus, toConnection, toJobModel, toOrganizationModel, toResourceModel, toTimelineEvent,
} from '../../src/providers/bocada/mapper.ts';
import type { BocadaBackupJobDto } from '../../src/providers/bocada/wire.ts';
import { bocadaFailureReasons, failureReasonFromTimeline } from '../../src/providers/bocada/failure-reason.ts';
import type { RequestContext } from '../../src/upstream/request-context.ts';

const ref = { id: 'bocada-eu', kind: 'bocada' as const, name: 'Bocada EU' };
const TABLE: Array<[string, JobStatus]> = [
  ['succeeded', 'SUCCEEDED'], ['succeeded_with_warnings', 'SUCCEEDED_WITH_WARNINGS'], ['failed', 'FAILED'], ['running', 'RUNNING'],
  ['queued', 'QUEUED'], ['missed', 'MISSED'], ['canceled', 'CANCELED'],
];
const job = (over: Partial<BocadaBackupJobDto> = {}): BocadaBackupJobDto => ({
  id: 'j1', organizationId: 'o1', resourceId: 'r1', connectionId: 'c1', status: 'succeeded',
  startedAt: '2026-11-19T10:00:00.000Z', endedAt: '2026-11-19T10:20:00.000Z', bytesTransferred: 5_242_880, filesTransferred: 321, ...over,
});

describe('Bocada job status table', () => {
  it.each(TABLE)('maps %s to %s', (raw, status) => {
    expect(bocadaJobStatus.map(raw)).toBe(status);
    expect(toJobModel(ref, job({ status: raw }))).toMatchObject({ status, providerStatus: raw });
  });

  it.each(TABLE.map(([raw, s]) => [raw.toUpperCase(), s]).concat(TABLE.map(([raw, s]) => [raw[0].toUpperCase() + raw.slice(1), s])))(
    'matches %s case-insensitively (%s), keeping the raw casing',
    (raw, status) => {
      expect(toJobModel(ref, job({ status: raw }))).toMatchObject({ status, providerStatus: raw });
    },
  );

  it.each([['paused'], ['success'], ['cancelled'], [''], ['succeeded ']])('maps unknown %j to UNKNOWN and keeps it raw', (raw) => {
    expect(toJobModel(ref, job({ status: raw }))).toMatchObject({ status: 'UNKNOWN', providerStatus: raw });
  });

  it('maps a missing status to UNKNOWN with no raw value', () => {
    const dto = job();
    delete (dto as Partial<BocadaBackupJobDto>).status;
    expect(toJobModel(ref, dto)).toMatchObject({ status: 'UNKNOWN', providerStatus: null });
  });

  it('covers every raw value Bocada documents and never yields PARTIAL', () => {
    expect(new Set(TABLE.map(([, s]) => s)).size).toBe(7);
    for (const s of JOB_STATUSES) {
      const raw = bocadaJobStatus.rawFor([s]);
      if (s === 'PARTIAL' || s === 'UNKNOWN') expect(raw, s).toEqual([]);
      else expect(raw, s).toEqual([TABLE.find(([, n]) => n === s)![0]]);
    }
    expect(bocadaJobStatus.rawFor(['FAILED', 'MISSED']).sort()).toEqual(['failed', 'missed']);
  });
});

describe('Bocada models', () => {
  it('maps an organization', () => {
    expect(toOrganizationModel(ref, { id: 'o1', name: 'Zürich Ærø Backups 東京', createdAt: '2025-10-16T12:00:00.000Z' })).toEqual({
      typename: 'BocadaOrganization', provider: ref, nativeId: 'o1', name: 'Zürich Ærø Backups 東京', createdAt: '2025-10-16T12:00:00.000Z',
    });
  });

  it('maps a resource with its raw type and connection id', () => {
    expect(toResourceModel(ref, { id: 'r1', organizationId: 'o1', connectionId: 'c1', name: 'crm-pg-002', type: 'database', createdAt: '2026-01-01T00:00:00.000Z' })).toEqual({
      typename: 'BocadaResource', provider: ref, nativeId: 'r1', name: 'crm-pg-002', type: 'database', organizationNativeId: 'o1',
      createdAt: '2026-01-01T00:00:00.000Z', connectionId: 'c1', resourceType: 'database',
    });
  });

  it('maps a job as a backup operation started when it started', () => {
    expect(toJobModel(ref, job({ status: 'running', endedAt: null }))).toEqual({
      typename: 'BocadaJob', provider: ref, nativeId: 'j1', name: null, operation: 'backup', status: 'RUNNING', providerStatus: 'running',
      organizationNativeId: 'o1', resourceNativeId: 'r1', backupNativeId: null, bytesTransferred: 5_242_880,
      createdAt: '2026-11-19T10:00:00.000Z', startedAt: '2026-11-19T10:00:00.000Z', endedAt: null, failureReason: null, connectionId: 'c1', filesTransferred: 321,
    });
  });

  it('leaves non-numeric counters null instead of passing garbage on', () => {
    const m = toJobModel(ref, job({ bytesTransferred: '12' as unknown as number, filesTransferred: undefined as unknown as number }));
    expect(m.bytesTransferred).toBeNull();
    expect(m.filesTransferred).toBeNull();
  });

  it('maps a connection to the BocadaConnection fields only', () => {
    expect(toConnection({ id: 'c1', organizationId: 'o1', name: 'Acme Veeam 1', product: 'Veeam Backup & Replication', status: 'error' })).toEqual({
      id: 'c1', name: 'Acme Veeam 1', product: 'Veeam Backup & Replication', status: 'error',
    });
  });

  it.each([['info', 'INFO'], ['warning', 'WARNING'], ['Error', 'ERROR'], ['debug', 'INFO'], [undefined, 'INFO']])(
    'maps timeline severity %s to %s',
    (severity, upper) => {
      const e = toTimelineEvent({ id: 'e1', jobId: 'j1', timestamp: '2026-11-19T10:00:00.000Z', severity: severity as 'info', message: 'Job started' });
      expect(e).toEqual({ id: 'e1', timestamp: '2026-11-19T10:00:00.000Z', severity: upper, message: 'Job started' });
    },
  );
});

describe('Bocada failureReason (from the timeline, lazily)', () => {
  const line = (severity: 'INFO' | 'WARNING' | 'ERROR', message: string, i = 0) => ({ id: `e${i}`, timestamp: '2026-11-19T10:00:00.000Z', severity, message });
  const failedTimeline = [line('INFO', 'Job started', 0), line('WARNING', '3 files skipped', 1), line('ERROR', 'Target repository unreachable', 2), line('ERROR', 'Job ended: failed', 3)];

  it('the mapper leaves it null: only the lazy field reads the timeline', () => {
    expect(toJobModel(ref, job({ status: 'failed' })).failureReason).toBeNull();
  });

  it('is the first ERROR line of a failed or missed job', () => {
    expect(failureReasonFromTimeline('FAILED', failedTimeline)).toBe('Target repository unreachable');
    expect(failureReasonFromTimeline('MISSED', [line('ERROR', 'Backup window missed: the job did not start')])).toBe('Backup window missed: the job did not start');
  });

  it('is the first WARNING line of a canceled job without an error (Bocada logs a cancel as a warning)', () => {
    expect(failureReasonFromTimeline('CANCELED', [line('INFO', 'Job started'), line('WARNING', 'Canceled by operator', 1)])).toBe('Canceled by operator');
    expect(failureReasonFromTimeline('FAILED', [line('WARNING', 'Canceled by operator')])).toBeNull();
  });

  it.each(['SUCCEEDED', 'SUCCEEDED_WITH_WARNINGS', 'RUNNING', 'QUEUED', 'UNKNOWN'] as const)('is null for a %s job, whatever its timeline says', (status) => {
    expect(failureReasonFromTimeline(status, failedTimeline)).toBeNull();
  });

  it('reads no timeline for a job that cannot have a reason, and at most 4 at once per request', async () => {
    let inFlight = 0;
    let most = 0;
    const read: string[] = [];
    const reasons = bocadaFailureReasons(async (id) => {
      read.push(id);
      most = Math.max(most, ++inFlight);
      await new Promise((r) => setImmediate(r));
      inFlight--;
      return failedTimeline;
    });
    const ctx: RequestContext = { requestId: 'r1' };
    const model = (id: string, status: string) => toJobModel(ref, job({ id, status }));
    expect(await reasons(model('ok', 'succeeded'), ctx)).toBeNull();
    expect(await reasons(model('warn', 'succeeded_with_warnings'), ctx)).toBeNull();
    expect(await reasons(model('run', 'running'), ctx)).toBeNull();
    expect(read).toEqual([]);
    const failed = await Promise.all(Array.from({ length: 10 }, (_, i) => reasons(model(`f${i}`, 'failed'), ctx)));
    expect(failed).toEqual(Array(10).fill('Target repository unreachable'));
    expect(read).toHaveLength(10);
    expect(most).toBe(4);
  });
});
