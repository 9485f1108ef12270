/**
 * The native id rules: every format a provider mints passes; what could traverse or smuggle a
 * separator into an upstream path is refused at decode, and each client encodes every segment.
 */
import { codeOf } from '../utils/terrors.ts';
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { checkNativeId, decodeGlobalId, encodeGlobalId, nativeIdProblem, pathSegment, type DecodedId } from '../../src/domain/ids.ts';
import { BOCADA_ROUTES } from '../../src/providers/bocada/client.ts';
import { BYCLOUD_ROUTES } from '../../src/providers/bycloud/client.ts';
import { BYCLOUD_ORGANIZATION_ID } from '../../src/providers/bycloud/mapper.ts';
import { NORCUBE_ROUTES } from '../../src/providers/norcube/client.ts';
import { jobNativeId, restoreNativeId as norcubeRestoreNativeId, scheduleNativeId } from '../../src/providers/norcube/mapper.ts';
import { OCORE_ROUTES } from '../../src/providers/ocore/client.ts';
import { backupRunNativeId, OCORE_ORGANIZATION_ID, restoreNativeId as ocoreRestoreNativeId } from '../../src/providers/ocore/mapper.ts';

const A = '0f0e0d0c-0b0a-4908-8706-050403020100';
const B = 'ffeeddcc-bbaa-4998-8776-554433221100';
type Kind = DecodedId['kind'];
const KINDS: Kind[] = ['organization', 'resource', 'backup', 'job', 'alert', 'schedule', 'provider'];


describe('every native id a provider mints is accepted and round-trips', () => {
  it.each<[string, Kind, string]>([
    ['Bocada organization / resource / job (UUIDs)', 'job', A],
    ['Norcube data source', 'resource', A],
    ['Norcube job and its file', 'backup', jobNativeId(A, B)],
    ['Norcube job', 'job', jobNativeId(A, B)],
    ['Norcube restore job', 'job', norcubeRestoreNativeId(A)],
    ['Norcube policy attachment', 'schedule', scheduleNativeId(A, B)],
    ['ByCloud volume', 'resource', `vol:${A}`],
    ['ByCloud database backup', 'backup', `db:${A}`],
    ['ByCloud organization', 'organization', BYCLOUD_ORGANIZATION_ID],
    ['oCore backup', 'backup', A],
    ['oCore backup run', 'job', backupRunNativeId(A)],
    ['oCore restore', 'job', ocoreRestoreNativeId(A, B)],
    ['oCore organization', 'organization', OCORE_ORGANIZATION_ID],
    ['a fifth provider\'s bucket', 'resource', 'bkt-9999'],
    ['dots inside a segment', 'backup', 'v1.2..3'],
    ['a lone percent sign', 'alert', '100%'],
  ])('%s: %j', (_name, kind, nativeId) => {
    expect(nativeIdProblem(kind, nativeId)).toBeNull();
    expect(decodeGlobalId(encodeGlobalId('p', kind, nativeId))).toEqual({ providerId: 'p', kind, nativeId });
  });
});

describe('what can never be a native id is BAD_USER_INPUT at decode', () => {
  it.each<[Kind, string, string]>([
    ['backup', '', 'is empty'],
    ['backup', '..', '"." or ".." segment'],
    ['backup', '.', '"." or ".." segment'],
    ['job', 'a/../b', '"." or ".." segment'],
    ['job', `${A}/..`, '"." or ".." segment'],
    ['job', 'backup:..', '"." or ".." segment'],
    ['job', `restore:${A}:.`, '"." or ".." segment'],
    ['resource', 'vol:..', '"." or ".." segment'],
    ['backup', '/', 'empty segment'],
    ['backup', `/${A}`, 'empty segment'],
    ['schedule', `${A}//${B}`, 'empty segment'],
    ['schedule', `${A}/`, 'empty segment'],
    ['resource', `${A}/${B}`, 'contains "/"'],
    ['organization', 'a/b', 'contains "/"'],
    ['alert', 'a/b', 'contains "/"'],
    ['backup', '%2F', 'percent-encoded separator'],
    ['backup', 'a%2fb', 'percent-encoded separator'],
    ['backup', '%2e%2E', 'percent-encoded separator'],
    ['backup', '%5C', 'percent-encoded separator'],
    ['backup', 'x%252Fy', 'percent-encoded separator'],
    ['backup', '%00', 'percent-encoded separator'],
    ['backup', '%0a', 'percent-encoded separator'],
    ['backup', 'a\\b', 'backslash'],
    ['backup', 'a\u0000b', 'control character'],
    ['backup', 'a\r\nb', 'control character'],
    ['backup', '\t', 'control character'],
    ['backup', '\u007f', 'control character'],
    ['backup', '\u0085', 'control character'],
    ['backup', '\ud800', 'control character'],
  ])('%s %j: %s', (kind, nativeId, problem) => {
    expect(nativeIdProblem(kind, nativeId)).toContain(problem);
    expect(codeOf(() => decodeGlobalId(encodeGlobalId('p', kind, nativeId), 'input.backupId'))).toBe('BAD_USER_INPUT:input.backupId');
  });

  it('decode refuses exactly what the rules refuse', () => {
    fc.assert(
      fc.property(fc.constantFrom(...KINDS), fc.string({ unit: 'binary', minLength: 0, maxLength: 12 }), (kind, nativeId) => {
        const expected = nativeIdProblem(kind, nativeId) === null && nativeId !== '' ? 'no error' : 'BAD_USER_INPUT:id';
        expect(codeOf(() => decodeGlobalId(encodeGlobalId('p', kind, nativeId), 'id'))).toBe(expected);
      }),
    );
  });

  it('a "." or ".." segment anywhere, a control character anywhere, is refused', () => {
    const part = fc.string({ unit: fc.constantFrom('a', '0', '-', '_', ':', '/'), maxLength: 6 });
    fc.assert(
      fc.property(fc.constantFrom(...KINDS), part, fc.constantFrom('.', '..'), part, (kind, before, dots, after) => {
        expect(nativeIdProblem(kind, `${before}${before ? '/' : ''}${dots}${after ? ':' : ''}${after}`)).not.toBeNull();
      }),
    );
    fc.assert(
      fc.property(fc.constantFrom(...KINDS), fc.string(), fc.integer({ min: 0, max: 0x1f }), fc.string(), (kind, before, c, after) => {
        expect(nativeIdProblem(kind, `${before}${String.fromCharCode(c)}${after}`)).toContain('control character');
      }),
    );
  });
});

describe('checkNativeId (a policy id given as such)', () => {
  it('passes a Norcube policy id', () => {
    expect(checkNativeId(A, 'policy', 'input.policyId')).toBe(A);
  });

  it.each(['..', 'a/b', '%2F', 'a\nb', 'x'.repeat(201)])('refuses %j naming the field', (policyId) => {
    expect(codeOf(() => checkNativeId(policyId, 'policy', 'input.policyId'))).toBe('BAD_USER_INPUT:input.policyId');
  });
});

describe('every client encodes each path segment', () => {
  it.each(['', '.', '..'])('pathSegment refuses %j (encoding leaves dot segments as they are)', (value) => {
    expect(codeOf(() => pathSegment(value))).toBe('BAD_USER_INPUT:undefined');
  });

  it('pathSegment keeps a separator, query or fragment inside its segment', () => {
    expect(pathSegment('a/../b?c=d#e f%')).toBe('a%2F..%2Fb%3Fc%3Dd%23e%20f%25');
    expect(pathSegment('vol:x.y')).toBe('vol%3Ax.y');
  });

  it.each<[string, () => string, string]>([
    ['oCore DELETE /backups/{id}', () => OCORE_ROUTES.backup('a/../../x'), '/backups/a%2F..%2F..%2Fx'],
    ['oCore restore logs', () => OCORE_ROUTES.restoreLogs('e?x=1'), '/environments/e%3Fx%3D1/restore-logs'],
    ['Norcube backup file', () => NORCUBE_ROUTES.backupFile('d/..', '#j'), '/datasources/d%2F../backups/%23j'],
    ['Norcube attachment', () => NORCUBE_ROUTES.attachment(A, '../p'), `/datasources/${A}/policies/..%2Fp`],
    ['Bocada timeline', () => BOCADA_ROUTES.timeline('j/../../x'), '/backup-jobs/j%2F..%2F..%2Fx/timeline'],
    ['ByCloud database backup', () => BYCLOUD_ROUTES.databaseBackup('../volumes'), '/database-backups/..%2Fvolumes'],
  ])('%s', (_name, route, path) => {
    expect(route()).toBe(path);
    // A URL resolver does not navigate out of it either.
    expect(new URL(`/api${path}`, 'http://upstream.test').pathname).toBe(`/api${path}`);
  });

  it.each<[string, () => string]>([
    ['oCore backup ..', () => OCORE_ROUTES.backup('..')],
    ['oCore alert .', () => OCORE_ROUTES.alertDismiss('.')],
    ['Norcube backup file ..', () => NORCUBE_ROUTES.backupFile(A, '..')],
    ['Bocada job ..', () => BOCADA_ROUTES.job('..')],
    ['ByCloud volume backup empty', () => BYCLOUD_ROUTES.volumeBackup('')],
  ])('%s is refused by the route itself', (_name, route) => {
    expect(codeOf(route)).toBe('BAD_USER_INPUT:undefined');
  });
});
