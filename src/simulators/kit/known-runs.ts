/**
 * The backup history of the seeds' "known" resources: the ones tests and demos rely on to show each
 * protection status (README "Protection and RPO"). Slots come from a cron read in an IANA zone on
 * `cron-parser` with daylight-saving changes applied (as the gateway reads schedules), relative to
 * the seed's anchor, so the same expectations hold on any day.
 */
import { CronExpressionParser } from 'cron-parser';

const MINUTE = 60_000;

/** The protection a known resource is seeded to show. */
export type KnownProtection = 'protected' | 'at-risk' | 'unprotected' | 'missed';

/** How long before the anchor a slot must be to have its run seeded (later slots are not due yet). */
export const KNOWN_SLOT_MARGIN_MS = 10 * MINUTE;
/** The `missed` resource skips the newest slot at least this long before the anchor (its window has closed)... */
export const KNOWN_MISSED_AGE_MS = 75 * MINUTE;
/** ...and gets a manual run this long after the skipped slot (too late to count for it). */
export const KNOWN_MISSED_MANUAL_AFTER_MS = 65 * MINUTE;
/** The `at-risk` resource's runs stop this long before the anchor. */
export const KNOWN_STALE_FOR_MS = 4 * 86_400_000;

/** The slots of a 5-field `cron` in `timeZone` from `fromMs` to `toMs` (both inclusive), oldest first. */
export function cronSlotsBetween(cron: string, timeZone: string, fromMs: number, toMs: number): number[] {
  const e = CronExpressionParser.parse(cron, { tz: timeZone, currentDate: new Date(fromMs - 1) });
  const out: number[] = [];
  for (let t = e.next().getTime(); t <= toMs; t = e.next().getTime()) out.push(t);
  return out;
}

/** One seeded run of a known resource. */
export interface KnownRun {
  /** When it was due (a slot) or, for a manual run, when it was started. */
  at: number;
  ok: boolean;
  manual: boolean;
}

/** What a known resource's history is: its runs (oldest first) and, for `missed`, the slot skipped. */
export interface KnownHistory {
  runs: KnownRun[];
  missedSlot: number | null;
}

/**
 * The runs of a known resource of kind `kind` on `cron` in `timeZone` from `fromMs` to the anchor:
 * - `protected`: a successful run at every slot up to {@link KNOWN_SLOT_MARGIN_MS} before the anchor;
 * - `unprotected`: a failed run at every such slot (no success ever);
 * - `at-risk`: successful runs until {@link KNOWN_STALE_FOR_MS} before the anchor, none since (its
 *   schedule is then switched off by the seed: it is stale, not missing runs);
 * - `missed`: as `protected`, but the newest slot at least {@link KNOWN_MISSED_AGE_MS} old has no
 *   run, and a manual successful run follows it {@link KNOWN_MISSED_MANUAL_AFTER_MS} later.
 * Meant for crons whose runs are at least two hours apart.
 */
export function knownHistory(kind: KnownProtection, cron: string, timeZone: string, fromMs: number, anchorMs: number): KnownHistory {
  const until = kind === 'at-risk' ? anchorMs - KNOWN_STALE_FOR_MS : anchorMs - KNOWN_SLOT_MARGIN_MS;
  const slots = cronSlotsBetween(cron, timeZone, fromMs, until);
  const missedSlot = kind === 'missed' ? [...slots].reverse().find((t) => t <= anchorMs - KNOWN_MISSED_AGE_MS) ?? null : null;
  const runs: KnownRun[] = slots.filter((t) => t !== missedSlot).map((at) => ({ at, ok: kind !== 'unprotected', manual: false }));
  if (missedSlot !== null) runs.push({ at: missedSlot + KNOWN_MISSED_MANUAL_AFTER_MS, ok: true, manual: true });
  return { runs: runs.sort((a, b) => a.at - b.at), missedSlot };
}
