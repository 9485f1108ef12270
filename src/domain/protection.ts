/**
 * Protection of one resource: the evidence its provider gives (when backups last succeeded, the
 * attempts of the last days, the schedules in force), its RPO target, and the one rule that turns
 * them into a status. README "Protection and RPO" states the rule; this file is it. Pure: the
 * caller passes "now" (the gateway's clock).
 *
 * The rule, first match wins:
 * 1. the provider did not answer: UNKNOWN;
 * 2. no successful backup ever (the provider's whole history was read): UNPROTECTED;
 * 3. the newest finished attempt did not succeed cleanly (FAILED, PARTIAL, CANCELED, MISSED), or a
 *    run was missed within the RPO window (24 h without a target), or the newest successful backup
 *    is older than the RPO target: AT_RISK (every reason that holds is listed);
 * 4. no RPO target: UNKNOWN;
 * 5. otherwise PROTECTED.
 */
import type { JobStatus } from './statuses.ts';
import { formatDuration } from './protection-duration.ts';
import { cronSlots, longestInterval, nextSlot, type ProtectionSchedule } from './protection-schedule.ts';

export type { ProtectionSchedule } from './protection-schedule.ts';

/** The four protection statuses. */
export const PROTECTION_STATUSES = ['PROTECTED', 'AT_RISK', 'UNPROTECTED', 'UNKNOWN'] as const;
/** How well a resource is protected right now. */
export type ProtectionStatus = (typeof PROTECTION_STATUSES)[number];

/** Where an RPO target comes from: a config rule, the resource's schedules, the config default, or nowhere. */
export type RpoSource = 'RULE' | 'SCHEDULE' | 'DEFAULT' | 'NONE';

/** A resource's recovery point objective: the most its newest successful backup may lag behind now. */
export interface RpoTarget {
  /** Seconds; null when there is no target. */
  seconds: number | null;
  source: RpoSource;
}

/** One backup attempt: when it started (or was created, before it started) and its normalized status. */
export interface ProtectionAttempt {
  at: string;
  status: JobStatus;
}

/**
 * A backup attempt as evidence carries it: its instant as epoch ms (a summary assesses tens of
 * thousands of them a request; only the last one is ever written as a string).
 */
export interface EvidenceAttempt {
  atMs: number;
  status: JobStatus;
}

/** What a provider can prove about a backup's recoverability (oCore recovery evidence, a Norcube restore test). */
export interface RecoverabilityEvidence {
  /** True when the evidence says the backup restores, false when it says it does not (or not cleanly), null while it is pending. */
  verified: boolean | null;
  /** Which provider feature the evidence comes from, e.g. `ocore.recoveryEvidence`, `norcube.verification`. */
  source: string;
  /** When the evidence was produced. */
  checkedAt: string | null;
  /** The provider's own status of the evidence. */
  providerStatus: string | null;
  /** Why, in the provider's words. */
  detail: string | null;
  /** Native id of the backup the evidence is about. */
  backupNativeId: string | null;
}

/**
 * What a provider knows of one resource's backups. Attempts are complete from `attemptsFrom` to
 * now; the newest success was looked for from `successSearchedFrom` (null: the whole history).
 */
export interface ProtectionEvidence {
  /** When the newest successful backup finished (started, when the provider gives no end); null when none was found. */
  lastSuccessAt: string | null;
  /** How far back the newest success was looked for; null when the provider's whole history was (so a null `lastSuccessAt` means never). */
  successSearchedFrom: string | null;
  /** Backup attempts, newest first, every one since `attemptsFrom`. */
  attempts: readonly EvidenceAttempt[];
  /** The instant attempts were read back to. */
  attemptsFrom: string;
  /** Schedules in force (enabled, not paused); null when the provider has no schedules for this resource. */
  schedules: readonly ProtectionSchedule[] | null;
  /** The next run as the provider itself announces it, when it does. */
  nextRunAt: string | null;
  /** Recoverability evidence of the newest backup that has some, when the provider keeps any. */
  recoverability: RecoverabilityEvidence | null;
}

/** A scheduled slot with no run near it, or a run the provider itself reports as missed. */
export interface MissedRun {
  scheduledAt: string;
  /** True for the provider's own report (a Bocada MISSED job); false for a slot the gateway found empty. */
  reportedByProvider: boolean;
}

/** The outcome of {@link assessProtection}. */
export interface ProtectionAssessment {
  status: ProtectionStatus;
  /** Why, one short sentence per reason that holds (at least one). */
  reasons: string[];
  lastSuccessfulBackupAt: string | null;
  /** The newest attempt, finished or not. */
  lastAttempt: ProtectionAttempt | null;
  rpo: RpoTarget;
  /** Whether the newest successful backup is within the target; null without a target, or when that cannot be told. */
  rpoMet: boolean | null;
  nextScheduledRunAt: string | null;
  /** Missed runs within the RPO window (24 h without a target), newest first. */
  missedRuns: MissedRun[];
}

/** Statuses of an attempt that left a restorable backup. PARTIAL did (some objects were skipped). */
export const SUCCESS_STATUSES: ReadonlySet<JobStatus> = new Set<JobStatus>(['SUCCEEDED', 'SUCCEEDED_WITH_WARNINGS', 'PARTIAL']);
/** Statuses of a finished attempt that did not succeed cleanly: the last one being one of these puts a resource at risk. */
export const UNCLEAN_STATUSES: ReadonlySet<JobStatus> = new Set<JobStatus>(['FAILED', 'PARTIAL', 'CANCELED', 'MISSED']);
const FINISHED: ReadonlySet<JobStatus> = new Set<JobStatus>(['SUCCEEDED', 'SUCCEEDED_WITH_WARNINGS', 'PARTIAL', 'FAILED', 'CANCELED', 'MISSED']);

/** The window missed runs are counted in when a resource has no RPO target. */
export const DEFAULT_MISSED_RUN_WINDOW_MS = 24 * 3_600_000;
/** Grace on a schedule's longest interval when it sets the RPO target (25%). */
export const SCHEDULE_RPO_GRACE = 0.25;
/** A run this long before its slot still counts for it (clock skew, early starts). */
export const EARLY_RUN_MS = 10 * 60_000;
/** A run at most this long after its slot counts for it (queues, jitter), and at most half the time to the next slot. */
export const LATE_RUN_MS = 60 * 60_000;

const ms = (iso: string | null | undefined): number | null => {
  if (!iso) return null;
  const t = Date.parse(iso);
  return Number.isNaN(t) ? null : t;
};
const isoOf = (t: number) => new Date(t).toISOString();

/**
 * The RPO target the schedules imply: their longest interval between two runs plus
 * {@link SCHEDULE_RPO_GRACE}, in whole seconds; null when they imply none (no schedule, or fewer
 * than two readable slots).
 */
export function scheduleRpoSeconds(schedules: readonly ProtectionSchedule[] | null, nowMs: number): number | null {
  if (!schedules?.length) return null;
  const longest = longestInterval(schedules, nowMs);
  return longest === null ? null : Math.round((longest * (1 + SCHEDULE_RPO_GRACE)) / 1000);
}

/**
 * Slots of `schedules` in `[sinceMs, nowMs]` with no attempt near them: a slot counts as run when an
 * attempt (of any status but MISSED) started from {@link EARLY_RUN_MS} before it to
 * {@link LATE_RUN_MS} after it (at most half-way to the next slot of the same schedule). A slot
 * whose window has not closed by `nowMs` is not missed yet.
 */
function emptySlots(schedules: readonly ProtectionSchedule[], attempts: readonly EvidenceAttempt[], sinceMs: number, nowMs: number): number[] {
  const runs = attempts.filter((a) => a.status !== 'MISSED').map((a) => a.atMs);
  const out = new Set<number>();
  for (const s of schedules) {
    // One more slot on each side: the neighbours bound the windows of the first and last slot.
    const slots = [...new Set(s.crons.flatMap((c) => cronSlots(c, s.timezone, sinceMs - 2 * LATE_RUN_MS, nowMs + 2 * LATE_RUN_MS)))].sort((a, b) => a - b);
    slots.forEach((slot, i) => {
      if (slot < sinceMs || slot > nowMs) return;
      const next = slots[i + 1];
      const prev = slots[i - 1];
      const late = Math.min(LATE_RUN_MS, next !== undefined ? (next - slot) / 2 : LATE_RUN_MS);
      const early = Math.min(EARLY_RUN_MS, prev !== undefined ? (slot - prev) / 2 : EARLY_RUN_MS);
      if (slot + late > nowMs) return;
      if (!runs.some((t) => t >= slot - early && t < slot + late)) out.add(slot);
    });
  }
  return [...out];
}

/**
 * Missed runs of a resource from `sinceMs` (clamped to what its evidence covers) to `nowMs`, newest
 * first: the provider's own MISSED attempts, and the slots of its schedules with no attempt near
 * them (see {@link emptySlots}); a slot the provider already reported is listed once, as reported.
 */
export function missedRunsOf(evidence: ProtectionEvidence, sinceMs: number, nowMs: number): MissedRun[] {
  const from = Math.max(sinceMs, ms(evidence.attemptsFrom) ?? sinceMs);
  const reported = evidence.attempts
    .filter((a) => a.status === 'MISSED')
    .map((a) => a.atMs)
    .filter((t) => t >= from && t <= nowMs);
  const found = evidence.schedules ? emptySlots(evidence.schedules, evidence.attempts, from, nowMs) : [];
  const out: MissedRun[] = reported.map((t) => ({ scheduledAt: isoOf(t), reportedByProvider: true }));
  for (const slot of found) {
    if (!reported.some((t) => Math.abs(t - slot) <= LATE_RUN_MS)) out.push({ scheduledAt: isoOf(slot), reportedByProvider: false });
  }
  return out.sort((a, b) => Date.parse(b.scheduledAt) - Date.parse(a.scheduledAt));
}

/** The RPO window of a target: the target itself, or {@link DEFAULT_MISSED_RUN_WINDOW_MS} without one. */
export function rpoWindowMs(rpo: RpoTarget): number {
  return rpo.seconds !== null ? rpo.seconds * 1000 : DEFAULT_MISSED_RUN_WINDOW_MS;
}

/** The status of a resource whose provider did not answer: UNKNOWN, with nothing else known. */
export function unknownProtection(rpo: RpoTarget, reason: string): ProtectionAssessment {
  return { status: 'UNKNOWN', reasons: [reason], lastSuccessfulBackupAt: null, lastAttempt: null, rpo, rpoMet: null, nextScheduledRunAt: null, missedRuns: [] };
}

/** Applies the rule (see the top of this file) to `evidence` against `rpo` at `nowMs`. */
export function assessProtection(evidence: ProtectionEvidence, rpo: RpoTarget, nowMs: number): ProtectionAssessment {
  const lastSuccess = ms(evidence.lastSuccessAt);
  const searchedFrom = ms(evidence.successSearchedFrom);
  const newest = evidence.attempts[0];
  const lastAttempt: ProtectionAttempt | null = newest ? { at: isoOf(newest.atMs), status: newest.status } : null;
  const lastFinished = evidence.attempts.find((a) => FINISHED.has(a.status)) ?? null;
  const window = rpoWindowMs(rpo);
  const missedRuns = missedRunsOf(evidence, nowMs - window, nowMs);
  const nextAnnounced = ms(evidence.nextRunAt);
  const nextCron = evidence.schedules?.length ? nextSlot(evidence.schedules, nowMs) : null;
  const next = nextAnnounced !== null && nextAnnounced > nowMs ? nextAnnounced : nextCron;
  const target = rpo.seconds !== null ? rpo.seconds * 1000 : null;
  const rpoText = target !== null ? formatDuration(target) : '';

  let rpoMet: boolean | null = null;
  if (target !== null) {
    if (lastSuccess !== null) rpoMet = nowMs - lastSuccess <= target;
    else if (searchedFrom === null || nowMs - searchedFrom > target) rpoMet = false;
  }
  const base = {
    lastSuccessfulBackupAt: lastSuccess !== null ? isoOf(lastSuccess) : null,
    lastAttempt,
    rpo,
    rpoMet,
    nextScheduledRunAt: next !== null ? isoOf(next) : null,
    missedRuns,
  };

  if (lastSuccess === null && searchedFrom === null) {
    return { ...base, status: 'UNPROTECTED', reasons: [evidence.attempts.length > 0 ? 'no backup has ever succeeded' : 'no backup has ever succeeded (none ran recently)'] };
  }
  const reasons: string[] = [];
  if (lastFinished && UNCLEAN_STATUSES.has(lastFinished.status)) reasons.push(`the last finished attempt (${isoOf(lastFinished.atMs)}) ended ${lastFinished.status}`);
  if (missedRuns.length > 0) {
    reasons.push(`${missedRuns.length} run${missedRuns.length === 1 ? '' : 's'} missed in the last ${formatDuration(window)}`);
  }
  if (rpoMet === false) {
    reasons.push(lastSuccess !== null
      ? `the last successful backup is ${formatDuration(nowMs - lastSuccess)} old, older than the RPO target of ${rpoText}`
      : `no successful backup in the last ${formatDuration(nowMs - searchedFrom!)}, longer than the RPO target of ${rpoText}`);
  }
  if (reasons.length > 0) return { ...base, status: 'AT_RISK', reasons };
  if (target === null) return { ...base, status: 'UNKNOWN', reasons: ['no RPO target: no config rule or default matches and the resource has no schedule'] };
  if (rpoMet === null) {
    return { ...base, status: 'UNKNOWN', reasons: [`no successful backup found in the last ${formatDuration(nowMs - searchedFrom!)}, and the provider's older history was not read`] };
  }
  return { ...base, status: 'PROTECTED', reasons: [`the last successful backup is ${formatDuration(nowMs - lastSuccess!)} old, within the RPO target of ${rpoText}`] };
}
