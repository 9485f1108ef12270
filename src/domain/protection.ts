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
  const out: number[] = [];
  // A summary asks this of every resource: nothing is allocated per attempt, and a schedule of one cron reads its slots as kept.
  const ran = (from: number, to: number) => attempts.some((a) => a.status !== 'MISSED' && a.atMs >= from && a.atMs < to);
  // One more slot on each side: the neighbours bound the windows of the first and last slot.
  const from = sinceMs - 2 * LATE_RUN_MS;
  const to = nowMs + 2 * LATE_RUN_MS;
  for (const s of schedules) {
    const slots = s.crons.length === 1
      ? cronSlots(s.crons[0], s.timezone, from, to)
      : [...new Set(s.crons.flatMap((c) => cronSlots(c, s.timezone, from, to)))].sort((a, b) => a - b);
    for (let i = 0; i < slots.length; i++) {
      const slot = slots[i];
      if (slot < sinceMs || slot > nowMs) continue;
      const next = slots[i + 1];
      const prev = slots[i - 1];
      const late = Math.min(LATE_RUN_MS, next !== undefined ? (next - slot) / 2 : LATE_RUN_MS);
      const early = Math.min(EARLY_RUN_MS, prev !== undefined ? (slot - prev) / 2 : EARLY_RUN_MS);
      if (slot + late > nowMs) continue;
      if (!ran(slot - early, slot + late) && !out.includes(slot)) out.push(slot);
    }
  }
  return out;
}

/** A missed run as an instant: a slot with no attempt near it, or the provider's own MISSED report. */
interface MissedSlot {
  atMs: number;
  reportedByProvider: boolean;
}

/** A missed slot as the schema shows it. */
const toMissedRun = (m: MissedSlot): MissedRun => ({ scheduledAt: isoOf(m.atMs), reportedByProvider: m.reportedByProvider });

/** {@link missedRunsOf} as instants, newest first. */
function missedSlotsOf(evidence: ProtectionEvidence, sinceMs: number, nowMs: number): MissedSlot[] {
  const from = Math.max(sinceMs, ms(evidence.attemptsFrom) ?? sinceMs);
  const reported: number[] = [];
  for (const a of evidence.attempts) if (a.status === 'MISSED' && a.atMs >= from && a.atMs <= nowMs) reported.push(a.atMs);
  const out: MissedSlot[] = reported.map((atMs) => ({ atMs, reportedByProvider: true }));
  if (evidence.schedules) {
    for (const slot of emptySlots(evidence.schedules, evidence.attempts, from, nowMs)) {
      if (!reported.some((t) => Math.abs(t - slot) <= LATE_RUN_MS)) out.push({ atMs: slot, reportedByProvider: false });
    }
  }
  return out.sort((a, b) => b.atMs - a.atMs);
}

/**
 * Missed runs of a resource from `sinceMs` (clamped to what its evidence covers) to `nowMs`, newest
 * first: the provider's own MISSED attempts, and the slots of its schedules with no attempt near
 * them (see {@link emptySlots}); a slot the provider already reported is listed once, as reported.
 */
export function missedRunsOf(evidence: ProtectionEvidence, sinceMs: number, nowMs: number): MissedRun[] {
  return missedSlotsOf(evidence, sinceMs, nowMs).map(toMissedRun);
}

/** The RPO window of a target: the target itself, or {@link DEFAULT_MISSED_RUN_WINDOW_MS} without one. */
export function rpoWindowMs(rpo: RpoTarget): number {
  return rpo.seconds !== null ? rpo.seconds * 1000 : DEFAULT_MISSED_RUN_WINDOW_MS;
}

/** The status of a resource whose provider did not answer: UNKNOWN, with nothing else known. */
export function unknownProtection(rpo: RpoTarget, reason: string): ProtectionAssessment {
  return { status: 'UNKNOWN', reasons: [reason], lastSuccessfulBackupAt: null, lastAttempt: null, rpo, rpoMet: null, nextScheduledRunAt: null, missedRuns: [] };
}

/** What the rule decides on, as instants (epoch ms): read once from the evidence, whatever is asked of it. */
interface RuleFacts {
  lastSuccess: number | null;
  searchedFrom: number | null;
  lastFinished: EvidenceAttempt | null;
  /** The RPO window missed runs are counted in. */
  windowMs: number;
  missed: MissedSlot[];
  /** The target, ms; null without one. */
  target: number | null;
  rpoMet: boolean | null;
}

function factsOf(evidence: ProtectionEvidence, rpo: RpoTarget, nowMs: number): RuleFacts {
  const lastSuccess = ms(evidence.lastSuccessAt);
  const searchedFrom = ms(evidence.successSearchedFrom);
  const target = rpo.seconds !== null ? rpo.seconds * 1000 : null;
  let rpoMet: boolean | null = null;
  if (target !== null) {
    if (lastSuccess !== null) rpoMet = nowMs - lastSuccess <= target;
    else if (searchedFrom === null || nowMs - searchedFrom > target) rpoMet = false;
  }
  const windowMs = rpoWindowMs(rpo);
  return {
    lastSuccess, searchedFrom, target, rpoMet, windowMs,
    lastFinished: evidence.attempts.find((a) => FINISHED.has(a.status)) ?? null,
    missed: missedSlotsOf(evidence, nowMs - windowMs, nowMs),
  };
}

/** Why a resource is at risk: each cause of rule 3 that holds, in the order its reasons are listed. */
type RiskCause = 'unclean' | 'missed' | 'stale';

/** The rule (see the top of this file), first match wins: the status and, for AT_RISK, every cause that holds. */
function ruleOf(f: RuleFacts): { status: ProtectionStatus; causes: RiskCause[] } {
  if (f.lastSuccess === null && f.searchedFrom === null) return { status: 'UNPROTECTED', causes: [] };
  const causes: RiskCause[] = [];
  if (f.lastFinished && UNCLEAN_STATUSES.has(f.lastFinished.status)) causes.push('unclean');
  if (f.missed.length > 0) causes.push('missed');
  if (f.rpoMet === false) causes.push('stale');
  if (causes.length > 0) return { status: 'AT_RISK', causes };
  if (f.target === null || f.rpoMet === null) return { status: 'UNKNOWN', causes };
  return { status: 'PROTECTED', causes };
}

/**
 * The status alone that {@link assessProtection} would give: the same rule on the same facts,
 * without writing an instant or a reason (what a summary counting thousands of resources needs).
 */
export function protectionStatus(evidence: ProtectionEvidence, rpo: RpoTarget, nowMs: number): ProtectionStatus {
  return ruleOf(factsOf(evidence, rpo, nowMs)).status;
}

/** Applies the rule (see the top of this file) to `evidence` against `rpo` at `nowMs`. */
export function assessProtection(evidence: ProtectionEvidence, rpo: RpoTarget, nowMs: number): ProtectionAssessment {
  const f = factsOf(evidence, rpo, nowMs);
  const { status, causes } = ruleOf(f);
  const newest = evidence.attempts[0];
  const nextAnnounced = ms(evidence.nextRunAt);
  const next = nextAnnounced !== null && nextAnnounced > nowMs ? nextAnnounced : evidence.schedules?.length ? nextSlot(evidence.schedules, nowMs) : null;
  const rpoText = f.target !== null ? formatDuration(f.target) : '';
  const base = {
    status,
    lastSuccessfulBackupAt: f.lastSuccess !== null ? isoOf(f.lastSuccess) : null,
    lastAttempt: newest ? { at: isoOf(newest.atMs), status: newest.status } : null,
    rpo,
    rpoMet: f.rpoMet,
    nextScheduledRunAt: next !== null ? isoOf(next) : null,
    missedRuns: f.missed.map(toMissedRun),
  };
  switch (status) {
    case 'UNPROTECTED':
      return { ...base, reasons: [evidence.attempts.length > 0 ? 'no backup has ever succeeded' : 'no backup has ever succeeded (none ran recently)'] };
    case 'AT_RISK':
      return {
        ...base,
        reasons: causes.map((c) => {
          if (c === 'unclean') return `the last finished attempt (${isoOf(f.lastFinished!.atMs)}) ended ${f.lastFinished!.status}`;
          if (c === 'missed') return `${f.missed.length} run${f.missed.length === 1 ? '' : 's'} missed in the last ${formatDuration(f.windowMs)}`;
          return f.lastSuccess !== null
            ? `the last successful backup is ${formatDuration(nowMs - f.lastSuccess)} old, older than the RPO target of ${rpoText}`
            : `no successful backup in the last ${formatDuration(nowMs - f.searchedFrom!)}, longer than the RPO target of ${rpoText}`;
        }),
      };
    case 'UNKNOWN':
      return {
        ...base,
        reasons: [f.target === null
          ? 'no RPO target: no config rule or default matches and the resource has no schedule'
          : `no successful backup found in the last ${formatDuration(nowMs - f.searchedFrom!)}, and the provider's older history was not read`],
      };
    default:
      return { ...base, reasons: [`the last successful backup is ${formatDuration(nowMs - f.lastSuccess!)} old, within the RPO target of ${rpoText}`] };
  }
}
