/**
 * The protection rule (src/domain/protection.ts) and where RPO targets come from
 * (src/insight/rpo.ts), on hand-built evidence and a fixed "now": every status, targets from config
 * rules, schedules and the default, and missed runs of crons read in time zones (DST included).
 */
import { describe, expect, it } from 'vitest';
import { formatDuration, parseDuration } from '../../src/domain/protection-duration.ts';
import { createEvidenceCollector } from '../../src/domain/protection-evidence.ts';
import { cronSlots, longestInterval, nextSlot } from '../../src/domain/protection-schedule.ts';
import {
  assessProtection, missedRunsOf, protectionStatus, scheduleRpoSeconds, type EvidenceAttempt, type ProtectionEvidence, type RpoTarget,
} from '../../src/domain/protection.ts';
import { matchesGlob, rpoTargetOf } from '../../src/insight/rpo.ts';
import type { ProviderRef } from '../../src/domain/models.ts';

const H = 3_600_000;
const NOW = Date.parse('2026-11-20T12:00:00.000Z');
const iso = (t: number) => new Date(t).toISOString();
const ago = (ms: number) => iso(NOW - ms);
const DAY_TARGET: RpoTarget = { seconds: 24 * 3600, source: 'DEFAULT' };

/** Evidence with attempts read back 10 days and the whole history searched, overridable. */
function evidence(over: Partial<ProtectionEvidence> = {}): ProtectionEvidence {
  return {
    lastSuccessAt: ago(2 * H), successSearchedFrom: null, attempts: [{ atMs: NOW - 2.1 * H, status: 'SUCCEEDED' }],
    attemptsFrom: ago(240 * H), schedules: null, nextRunAt: null, recoverability: null, ...over,
  };
}
const daily = (at: string, tz: string | null = 'UTC') => [{ crons: [at], timezone: tz }];
/** Successful attempts a few minutes after each given instant, newest first. */
const runsAt = (...ts: number[]): EvidenceAttempt[] => ts.sort((a, b) => b - a).map((t) => ({ atMs: t + 3 * 60_000, status: 'SUCCEEDED' }));

describe('the protection rule', () => {
  it('PROTECTED: a recent success within the target, nothing missed, the last attempt clean', () => {
    const a = assessProtection(evidence(), DAY_TARGET, NOW);
    expect(a).toMatchObject({ status: 'PROTECTED', rpoMet: true, lastSuccessfulBackupAt: ago(2 * H), lastAttempt: { at: ago(2.1 * H), status: 'SUCCEEDED' }, missedRuns: [] });
    expect(a.reasons).toEqual(['the last successful backup is 2h old, within the RPO target of 1d']);
  });

  it('UNPROTECTED: no success in the whole history, failed attempts or none at all', () => {
    const failed = assessProtection(evidence({ lastSuccessAt: null, attempts: [{ atMs: NOW - H, status: 'FAILED' }] }), DAY_TARGET, NOW);
    expect(failed).toMatchObject({ status: 'UNPROTECTED', rpoMet: false, lastSuccessfulBackupAt: null, reasons: ['no backup has ever succeeded'] });
    expect(assessProtection(evidence({ lastSuccessAt: null, attempts: [] }), { seconds: null, source: 'NONE' }, NOW).status).toBe('UNPROTECTED');
  });

  it('AT_RISK by age: the last success is older than the target', () => {
    const a = assessProtection(evidence({ lastSuccessAt: ago(30 * H), attempts: [{ atMs: NOW - 30.2 * H, status: 'SUCCEEDED' }] }), DAY_TARGET, NOW);
    expect(a).toMatchObject({ status: 'AT_RISK', rpoMet: false });
    expect(a.reasons).toEqual(['the last successful backup is 1d 6h old, older than the RPO target of 1d']);
  });

  it('AT_RISK when the last finished attempt did not succeed cleanly, whatever the target', () => {
    for (const status of ['FAILED', 'PARTIAL', 'CANCELED', 'MISSED'] as const) {
      const a = assessProtection(evidence({ attempts: [{ atMs: NOW - H, status }, { atMs: NOW - 2.1 * H, status: 'SUCCEEDED' }] }), { seconds: null, source: 'NONE' }, NOW);
      expect(a.status, status).toBe('AT_RISK');
      expect(a.reasons[0]).toBe(`the last finished attempt (${ago(H)}) ended ${status}`);
    }
    // A run still going does not count: the newest finished one decides.
    const running = assessProtection(evidence({ attempts: [{ atMs: NOW - 0.1 * H, status: 'RUNNING' }, { atMs: NOW - 2.1 * H, status: 'SUCCEEDED' }] }), DAY_TARGET, NOW);
    expect(running).toMatchObject({ status: 'PROTECTED', lastAttempt: { status: 'RUNNING' } });
  });

  it('AT_RISK when a scheduled run was missed in the RPO window, with every reason that holds', () => {
    // Daily at 02:00 UTC; the run of 2026-11-20 02:00 never happened, yesterday's did.
    const e = evidence({ schedules: daily('0 2 * * *'), lastSuccessAt: ago(34 * H), attempts: runsAt(Date.parse('2026-11-19T02:00:00Z'), Date.parse('2026-11-18T02:00:00Z')) });
    const a = assessProtection(e, { seconds: 30 * 3600, source: 'SCHEDULE' }, NOW);
    expect(a.status).toBe('AT_RISK');
    expect(a.missedRuns).toEqual([{ scheduledAt: '2026-11-20T02:00:00.000Z', reportedByProvider: false }]);
    expect(a.reasons).toEqual([
      '1 run missed in the last 1d 6h',
      'the last successful backup is 1d 10h old, older than the RPO target of 1d 6h',
    ]);
  });

  it('UNKNOWN without a target when nothing puts the resource at risk, and when an older history was not read', () => {
    expect(assessProtection(evidence(), { seconds: null, source: 'NONE' }, NOW)).toMatchObject({ status: 'UNKNOWN', rpoMet: null });
    // No success in the 12 h read, a target of a day: cannot tell.
    const partial = evidence({ lastSuccessAt: null, successSearchedFrom: ago(12 * H), attempts: [] });
    expect(assessProtection(partial, DAY_TARGET, NOW)).toMatchObject({ status: 'UNKNOWN', rpoMet: null });
    // No success in the 3 days read, a target of a day: at risk (it is at least 3 days old).
    const stale = evidence({ lastSuccessAt: null, successSearchedFrom: ago(72 * H), attempts: [] });
    expect(assessProtection(stale, DAY_TARGET, NOW)).toMatchObject({ status: 'AT_RISK', rpoMet: false });
  });

  it('announces the next run: the provider\'s own, else the next slot of the schedules', () => {
    expect(assessProtection(evidence({ schedules: daily('0 2 * * *') }), DAY_TARGET, NOW).nextScheduledRunAt).toBe('2026-11-21T02:00:00.000Z');
    expect(assessProtection(evidence({ schedules: daily('0 2 * * *'), nextRunAt: '2026-11-20T13:00:00.000Z' }), DAY_TARGET, NOW).nextScheduledRunAt).toBe('2026-11-20T13:00:00.000Z');
  });
});

describe('the status alone (what a summary counts)', () => {
  it('is the full assessment\'s status for every branch of the rule', () => {
    const cases: Array<[ProtectionEvidence, RpoTarget]> = [
      [evidence(), DAY_TARGET],
      [evidence({ lastSuccessAt: null, attempts: [{ atMs: NOW - H, status: 'FAILED' }] }), DAY_TARGET],
      [evidence({ lastSuccessAt: null, attempts: [] }), DAY_TARGET],
      [evidence({ lastSuccessAt: ago(30 * H) }), DAY_TARGET],
      [evidence({ attempts: [{ atMs: NOW - H, status: 'PARTIAL' }] }), { seconds: null, source: 'NONE' }],
      [evidence({ schedules: daily('0 2 * * *'), lastSuccessAt: ago(34 * H), attempts: runsAt(Date.parse('2026-11-19T02:00:00Z')) }), { seconds: 30 * 3600, source: 'SCHEDULE' }],
      [evidence({ schedules: daily('0 2 * * *'), attempts: [{ atMs: Date.parse('2026-11-20T02:01:00.000Z'), status: 'MISSED' }], attemptsFrom: ago(20 * H) }), DAY_TARGET],
      [evidence(), { seconds: null, source: 'NONE' }],
      [evidence({ lastSuccessAt: null, successSearchedFrom: ago(12 * H), attempts: [] }), DAY_TARGET],
      [evidence({ lastSuccessAt: null, successSearchedFrom: ago(72 * H), attempts: [] }), DAY_TARGET],
    ];
    const statuses = cases.map(([e, rpo]) => protectionStatus(e, rpo, NOW));
    expect(statuses).toEqual(cases.map(([e, rpo]) => assessProtection(e, rpo, NOW).status));
    // The cases above reach every status.
    expect(new Set(statuses)).toEqual(new Set(['PROTECTED', 'AT_RISK', 'UNPROTECTED', 'UNKNOWN']));
  });
});

describe('missed runs', () => {
  it('counts a slot as run when an attempt starts from 10 minutes before it to an hour after it', () => {
    const slot = Date.parse('2026-11-20T02:00:00Z');
    const at = (t: number): ProtectionEvidence => evidence({ schedules: daily('0 2 * * *'), attempts: [{ atMs: t, status: 'FAILED' }] });
    const since = NOW - 20 * H;
    expect(missedRunsOf(at(slot - 9 * 60_000), since, NOW)).toEqual([]);
    expect(missedRunsOf(at(slot + 59 * 60_000), since, NOW)).toEqual([]);
    expect(missedRunsOf(at(slot - 11 * 60_000), since, NOW)).toHaveLength(1);
    expect(missedRunsOf(at(slot + 61 * 60_000), since, NOW)).toHaveLength(1);
  });

  it('does not call a slot missed before its window has closed', () => {
    const e = evidence({ schedules: daily('30 11 * * *'), attempts: [] });
    expect(missedRunsOf(e, NOW - 2 * H, NOW)).toEqual([]);
    expect(missedRunsOf(e, NOW - 2 * H, NOW + H)).toEqual([{ scheduledAt: '2026-11-20T11:30:00.000Z', reportedByProvider: false }]);
  });

  it('reads crons in the schedule\'s time zone, across a daylight-saving change', () => {
    // 02:30 Europe/Prague: CEST (UTC+2) until 2026-10-25 03:00, CET (UTC+1) after; on the 25th
    // 02:30 happens twice, and the first one (CEST) is the slot.
    const prague = daily('30 2 * * *', 'Europe/Prague');
    const now = Date.parse('2026-10-27T12:00:00Z');
    const e = evidence({ schedules: prague, attempts: runsAt(Date.parse('2026-10-26T01:30:00Z'), Date.parse('2026-10-24T00:30:00Z')), attemptsFrom: iso(now - 4 * 24 * H) });
    expect(missedRunsOf(e, now - 4 * 24 * H, now).map((m) => m.scheduledAt)).toEqual(['2026-10-27T01:30:00.000Z', '2026-10-25T00:30:00.000Z']);
    // The same runs seen in UTC would all be wrong.
    expect(missedRunsOf({ ...e, schedules: daily('30 2 * * *', 'UTC') }, now - 4 * 24 * H, now)).toHaveLength(4);
  });

  it('lists a provider-reported MISSED run once, as reported, and clamps `since` to the evidence', () => {
    const e = evidence({ schedules: daily('0 2 * * *'), attempts: [{ atMs: Date.parse('2026-11-20T02:01:00.000Z'), status: 'MISSED' }], attemptsFrom: ago(20 * H) });
    expect(missedRunsOf(e, NOW - 240 * H, NOW)).toEqual([{ scheduledAt: '2026-11-20T02:01:00.000Z', reportedByProvider: true }]);
  });
});

describe('RPO targets', () => {
  const provider: ProviderRef = { id: 'norcube-eu', kind: 'norcube', name: 'Norcube EU' };
  const resource = { provider, type: 'postgres', name: 'prod-orders' };
  const rules = { rpo: { defaultSeconds: 86_400, rules: [{ kind: 'bocada', rpoSeconds: 60 }, { provider: 'norcube-eu', name: 'PROD-*', rpoSeconds: 4 * 3600 }] } };

  it('takes the first matching rule, before the schedule', () => {
    expect(rpoTargetOf(rules, resource, daily('0 2 * * *'), NOW)).toEqual({ seconds: 4 * 3600, source: 'RULE' });
  });

  it('falls back to the schedule (longest interval plus 25%), then the default, then none', () => {
    const other = { ...resource, name: 'staging-orders' };
    expect(rpoTargetOf(rules, other, daily('0 2 * * *'), NOW)).toEqual({ seconds: 30 * 3600, source: 'SCHEDULE' });
    expect(rpoTargetOf(rules, other, null, NOW)).toEqual({ seconds: 86_400, source: 'DEFAULT' });
    expect(rpoTargetOf({}, other, [], NOW)).toEqual({ seconds: null, source: 'NONE' });
  });

  it('measures the longest gap of all schedules together, weekends and daylight saving included', () => {
    expect(longestInterval(daily('15 1 * * 1-5'), NOW)).toBe(72 * H);
    expect(longestInterval([{ crons: ['0 */8 * * *', '0 3 */2 * *'], timezone: 'UTC' }], NOW)).toBe(8 * H);
    // A daily run in Prague is 25 h apart once a year (the autumn change).
    expect(longestInterval(daily('30 2 * * *', 'Europe/Prague'), Date.parse('2026-10-01T00:00:00Z'))).toBe(25 * H);
    expect(scheduleRpoSeconds(daily('0 * * * *'), NOW)).toBe(75 * 60);
    expect(scheduleRpoSeconds(daily('not a cron'), NOW)).toBeNull();
    expect(nextSlot(daily('0 2 * * *'), NOW)).toBe(Date.parse('2026-11-21T02:00:00Z'));
    // The same schedules object asked again, another day: that day's answer, not the one kept for the first.
    const prague = daily('30 2 * * *', 'Europe/Prague');
    expect(longestInterval(prague, Date.parse('2027-10-05T00:00:00Z'))).toBe(25 * H);
    expect(longestInterval(prague, Date.parse('2027-11-05T00:00:00Z'))).toBe(24 * H);
  });

  it('finds the next slot strictly after any instant, near or far, in the schedule\'s time zone', () => {
    // Read from one kept day-pair of slots: the same answer at every instant of the day.
    expect(nextSlot(daily('*/15 * * * *'), NOW)).toBe(NOW + 15 * 60_000);
    expect(nextSlot(daily('*/15 * * * *'), NOW + 1)).toBe(NOW + 15 * 60_000);
    expect(nextSlot(daily('*/15 * * * *'), NOW - 1)).toBe(NOW);
    // The last slot of the day, from just before the day ends.
    expect(nextSlot(daily('59 23 * * *'), Date.parse('2026-11-20T23:58:00Z'))).toBe(Date.parse('2026-11-20T23:59:00Z'));
    expect(nextSlot(daily('59 23 * * *'), Date.parse('2026-11-20T23:59:00Z'))).toBe(Date.parse('2026-11-21T23:59:00Z'));
    // Beyond the two days kept: a monthly and a yearly run.
    expect(nextSlot(daily('0 3 1 * *'), NOW)).toBe(Date.parse('2026-12-01T03:00:00Z'));
    expect(nextSlot(daily('0 0 1 1 *'), NOW)).toBe(Date.parse('2027-01-01T00:00:00Z'));
    // 02:00 in Tokyo is 17:00 UTC the day before; the earliest of several crons wins.
    expect(nextSlot(daily('0 2 * * *', 'Asia/Tokyo'), NOW)).toBe(Date.parse('2026-11-20T17:00:00Z'));
    expect(nextSlot([{ crons: ['0 2 * * *', '30 12 * * *'], timezone: 'UTC' }, { crons: ['0 13 * * *'], timezone: 'UTC' }], NOW)).toBe(Date.parse('2026-11-20T12:30:00Z'));
    expect(nextSlot(daily('not a cron'), NOW)).toBeNull();
    // An every-minute cron across midnight; a leap day more than 400 days away is none.
    expect(nextSlot(daily('* * * * *'), Date.parse('2026-11-20T23:59:30Z'))).toBe(Date.parse('2026-11-21T00:00:00Z'));
    expect(nextSlot(daily('0 0 29 2 *'), NOW)).toBeNull();
    expect(nextSlot(daily('0 0 29 2 *'), Date.parse('2027-03-01T00:00:00Z'))).toBe(Date.parse('2028-02-29T00:00:00Z'));
  });

  it('matches names by case-insensitive glob', () => {
    expect(matchesGlob('prod-*', 'PROD-orders')).toBe(true);
    expect(matchesGlob('db-??', 'db-01')).toBe(true);
    expect(matchesGlob('db-??', 'db-001')).toBe(false);
    expect(matchesGlob('a.b*', 'aXb')).toBe(false);
  });
});

describe('durations and evidence', () => {
  it('parses config durations and refuses the rest', () => {
    expect(parseDuration('24h')).toBe(86_400);
    expect(parseDuration('90m')).toBe(5_400);
    expect(parseDuration('1d12h')).toBe(129_600);
    expect(parseDuration('1h30m15s')).toBe(5_415);
    for (const bad of ['', '0h', 'h', '12', '1.5h', '2w', '30m1h', '367d']) expect(parseDuration(bad), bad).toBeNull();
    expect(formatDuration(30 * H)).toBe('1d 6h');
    expect(formatDuration(45_000)).toBe('45s');
  });

  it('collects newest-first records into evidence, and knows when a scan may stop', () => {
    const since = new Date(NOW - 24 * H);
    const c = createEvidenceCollector(['a', 'b'], since);
    c.add('a', { at: ago(H), endedAt: ago(0.5 * H), status: 'SUCCEEDED' });
    c.add('x', { at: ago(H), endedAt: null, status: 'FAILED' });
    expect(c.satisfied(ago(2 * H))).toBe(false);
    c.add('b', { at: ago(30 * H), endedAt: ago(29 * H), status: 'PARTIAL' });
    expect(c.satisfied(ago(30 * H))).toBe(true);
    const [a, b] = c.finish({ complete: false, oldestSeen: ago(30 * H) });
    expect(a).toMatchObject({ lastSuccessAt: ago(0.5 * H), attempts: [{ atMs: NOW - H, status: 'SUCCEEDED' }], attemptsFrom: iso(since.getTime()) });
    expect(b).toMatchObject({ lastSuccessAt: ago(29 * H), attempts: [], successSearchedFrom: ago(30 * H) });
  });

  it('orders attempts newest first whatever order they came in, as instants (offsets read, unreadable ones left out), and keeps the newest recoverability', () => {
    const c = createEvidenceCollector(['a'], new Date(NOW - 24 * H));
    c.add('a', { at: ago(3 * H), endedAt: null, status: 'FAILED' });
    c.add('a', { at: '2026-11-20T11:00:00+01:00', endedAt: null, status: 'RUNNING' }); // 10:00 UTC
    c.add('a', { at: 'not a time', endedAt: null, status: 'FAILED' });
    c.add('a', { at: null, endedAt: ago(H), status: 'SUCCEEDED' });
    expect(c.wantsRecoverability('a')).toBe(true);
    expect(c.wantsRecoverability('x')).toBe(false);
    const newest = { verified: true, source: 't', checkedAt: ago(H), providerStatus: 'ok', detail: null, backupNativeId: 'b2' };
    c.addRecoverability('a', newest);
    expect(c.wantsRecoverability('a')).toBe(false);
    c.addRecoverability('a', { ...newest, verified: false, backupNativeId: 'b1' });
    const [a] = c.finish({ complete: true, oldestSeen: ago(3 * H) });
    expect(a.attempts).toEqual([{ atMs: NOW - 2 * H, status: 'RUNNING' }, { atMs: NOW - 3 * H, status: 'FAILED' }]);
    expect(a).toMatchObject({ lastSuccessAt: ago(H), successSearchedFrom: null, recoverability: newest });
  });
});

describe('cron slots', () => {
  const iso = (xs: number[]) => xs.map((t) => new Date(t).toISOString());

  it('reads a window the same whatever instant it starts at: the slots of the days it covers', () => {
    const from = Date.parse('2026-06-01T00:00:00Z');
    const to = from + 3 * 86_400_000;
    const whole = cronSlots('0 2 * * *', 'Europe/Prague', from, to);
    expect(iso(whole)).toEqual(['2026-06-01T00:00:00.000Z', '2026-06-02T00:00:00.000Z', '2026-06-03T00:00:00.000Z', '2026-06-04T00:00:00.000Z']);
    expect(cronSlots('0 2 * * *', 'Europe/Prague', from + 1, to)).toEqual(whole.slice(1));
    expect(cronSlots('0 2 * * *', 'Europe/Prague', from + 7 * 3_600_000 + 17, to - 1)).toEqual(whole.slice(1, 3));
    expect(cronSlots('*/15 * * * *', null, from, from + 3_600_000)).toHaveLength(5);
    expect(cronSlots('*/15 * * * *', null, from, from + 86_400_000, 3)).toHaveLength(3);
  });

  it('keeps reading past a half-hour daylight-saving change (Lord Howe, 5 April 2026), where one long read used to stop', () => {
    const from = Date.parse('2026-04-03T00:00:00Z');
    const to = Date.parse('2026-04-08T00:00:00Z');
    const slots = iso(cronSlots('0 2 * * *', 'Australia/Lord_Howe', from, to));
    // 02:00 at UTC+11 before the change, at UTC+10:30 after it.
    expect(slots).toContain('2026-04-03T15:00:00.000Z');
    expect(slots).toContain('2026-04-05T15:30:00.000Z');
    expect(slots).toContain('2026-04-07T15:30:00.000Z');
  });
});
