/**
 * When a resource's schedules say backups should run, on `cron-parser` (the one cron
 * implementation of the product): the slots of a 5-field cron read in an IANA time zone (UTC when
 * none; daylight-saving changes as cron-parser applies them), the next slot, and the longest gap
 * between consecutive slots of several schedules together. Expressions cron-parser cannot read are
 * left out (they drive nothing the gateway can check). Pure: every function takes the instants it
 * works between.
 */
import { CronExpressionParser, type CronExpression } from 'cron-parser';

/** A schedule in force: cron expressions read in a time zone (UTC when null). */
export interface ProtectionSchedule {
  crons: readonly string[];
  timezone: string | null;
}

/** Most slots one cron expression yields for one question (an every-minute cron over a week is 10 080). */
export const MAX_SLOTS_PER_CRON = 20_000;
/** How far ahead {@link longestInterval} looks: more than a year, so a yearly gap shows. */
const INTERVAL_HORIZON_MS = 400 * 86_400_000;
/** Slots per cron {@link longestInterval} reads at most: frequent crons repeat their pattern long before; a daily one reaches the next daylight-saving change. */
const INTERVAL_SLOTS = 250;
/** Answers of {@link longestInterval} kept (a pure function of the schedules and the day; cron-parser is slow enough to matter per resource). */
const INTERVAL_CACHE_LIMIT = 1_000;
const intervalCache = new Map<string, number | null>();
/** The last answer per schedules object (schedules are never changed once read). */
const intervalBySchedules = new WeakMap<readonly ProtectionSchedule[], { day: number; answer: number | null }>();
const DAY_MS = 86_400_000;

function expression(cron: string, timezone: string | null, fromMs: number, endMs?: number): CronExpression | null {
  const fields = cron.trim().split(/\s+/);
  if (fields.length !== 5) return null;
  try {
    return CronExpressionParser.parse(cron.trim(), {
      tz: timezone ?? 'UTC',
      currentDate: new Date(fromMs),
      ...(endMs !== undefined ? { endDate: new Date(endMs) } : {}),
    });
  } catch {
    return null;
  }
}

/**
 * Slots read per cron and UTC day, kept: resources sharing a schedule, and requests hours apart,
 * ask about the same days whatever instant their windows start at (each resource's window starts
 * where its own evidence does), and cron-parser, on luxon, is slow enough to matter per resource.
 * A window is answered from its days' slots, which hold every slot of it. Reading day by day also
 * bounds cron-parser's failures: where it throws mid-iteration (after a half-hour daylight-saving
 * change, Lord Howe's), one day's read ends early, not every slot after it.
 */
const slotsCache = new Map<string, number[]>();
/** Entries of the slot memo at most (emptied when full): days × crons × zones in use. */
const SLOTS_CACHE_LIMIT = 20_000;

/** The slots of `cron` in `timezone` at or after `fromMs` and at or before `toMs`, oldest first (at most `max`, {@link MAX_SLOTS_PER_CRON} by default). */
export function cronSlots(cron: string, timezone: string | null, fromMs: number, toMs: number, max = MAX_SLOTS_PER_CRON): number[] {
  if (toMs < fromMs) return [];
  if (max < MAX_SLOTS_PER_CRON) return cached(`${cron}\u0000${timezone}\u0000${fromMs}\u0000${toMs}\u0000${max}`, () => readSlots(cron, timezone, fromMs, toMs, max));
  const out: number[] = [];
  for (let day = Math.floor(fromMs / DAY_MS) * DAY_MS; day <= toMs && out.length < max; day += DAY_MS) {
    const slots = cached(`${cron}\u0000${timezone}\u0000${day}`, () => readSlots(cron, timezone, day, day + DAY_MS - 1, MAX_SLOTS_PER_CRON));
    for (const t of slots) {
      if (t < fromMs) continue;
      if (t > toMs || out.length >= max) break;
      out.push(t);
    }
  }
  return out;
}

/** The answer kept under `key`, else `read()`'s (kept): a bounded memo, emptied when full. A few-slot question (the next run) is kept by its exact instants. */
function cached(key: string, read: () => number[]): number[] {
  let slots = slotsCache.get(key);
  if (!slots) {
    if (slotsCache.size >= SLOTS_CACHE_LIMIT) slotsCache.clear();
    slotsCache.set(key, (slots = read()));
  }
  return slots;
}

function readSlots(cron: string, timezone: string | null, fromMs: number, toMs: number, max: number): number[] {
  if (toMs < fromMs) return [];
  const e = expression(cron, timezone, fromMs - 1, toMs);
  if (!e) return [];
  const out: number[] = [];
  try {
    while (out.length < max && e.hasNext()) {
      const t = e.next().getTime();
      if (t > toMs) break;
      if (t >= fromMs) out.push(t);
    }
  } catch {
    // cron-parser ends the iteration with an error past `endDate` on some expressions.
  }
  return out;
}

/** The first slot of any schedule strictly after `afterMs`; null when none can be read (or none within a year). */
export function nextSlot(schedules: readonly ProtectionSchedule[], afterMs: number): number | null {
  let best: number | null = null;
  for (const s of schedules) {
    for (const cron of s.crons) {
      const t = nextSlotOf(cron, s.timezone, afterMs);
      if (t !== undefined && (best === null || t < best)) best = t;
    }
  }
  return best;
}

/** How many days of slots {@link nextSlotOf} reads, in turn, until one is after the instant asked. */
const NEXT_SLOT_WINDOWS_DAYS = [2, 35, 400];
/**
 * Slots one such read keeps at most: more than a whole day of an every-minute cron, so the first
 * slot after any instant of the read's first day is always among them.
 */
const NEXT_SLOT_READ = 3_000;

/**
 * The first slot of one cron after `afterMs`: looked up in the slots of windows starting at
 * `afterMs`'s UTC day (two days, then 35, then 400), each read once a day per cron and kept, so
 * requests and resources asking at different instants share one read.
 */
function nextSlotOf(cron: string, timezone: string | null, afterMs: number): number | undefined {
  const day = Math.floor(afterMs / DAY_MS) * DAY_MS;
  for (const days of NEXT_SLOT_WINDOWS_DAYS) {
    const slots = cached(`next\u0000${cron}\u0000${timezone}\u0000${day}\u0000${days}`, () => readSlots(cron, timezone, day, day + days * DAY_MS, NEXT_SLOT_READ));
    // The first slot strictly after `afterMs` (slots are oldest first).
    let lo = 0;
    let hi = slots.length;
    while (lo < hi) {
      const mid = (lo + hi) >>> 1;
      if (slots[mid] > afterMs) hi = mid;
      else lo = mid + 1;
    }
    if (lo < slots.length) return slots[lo];
    if (slots.length >= NEXT_SLOT_READ) return undefined; // cannot happen: a day holds at most 1,440 slots
  }
  return undefined;
}

/**
 * The longest time between two consecutive slots of all `schedules` together (any backup counts,
 * whichever schedule runs it), looking ahead from `fromMs`; null when fewer than two slots can be
 * read. Frequent crons are read up to {@link INTERVAL_SLOTS} slots; the gaps are measured only up to
 * where every cron was read, so a long gap is never invented at the end of a short read. Measured
 * from the start of `fromMs`'s UTC day and remembered for that day.
 */
export function longestInterval(schedules: readonly ProtectionSchedule[], fromMs: number): number | null {
  // The answer moves only with daylight-saving changes ahead: read it once a day per set of schedules.
  const day = Math.floor(fromMs / DAY_MS) * DAY_MS;
  // The same schedules object (kept evidence, asked again by every request) skips writing its key.
  const seen = intervalBySchedules.get(schedules);
  if (seen?.day === day) return seen.answer;
  const key = `${day}\u0000${JSON.stringify(schedules.map((s) => [s.timezone, [...s.crons].sort()]))}`;
  let answer = intervalCache.get(key);
  if (answer === undefined) {
    answer = measureLongestInterval(schedules, day);
    if (intervalCache.size >= INTERVAL_CACHE_LIMIT) intervalCache.clear();
    intervalCache.set(key, answer);
  }
  intervalBySchedules.set(schedules, { day, answer });
  return answer;
}

function measureLongestInterval(schedules: readonly ProtectionSchedule[], fromMs: number): number | null {
  const perCron: number[][] = [];
  for (const s of schedules) {
    for (const cron of s.crons) {
      const slots = cronSlots(cron, s.timezone, fromMs, fromMs + INTERVAL_HORIZON_MS, INTERVAL_SLOTS);
      if (slots.length > 0) perCron.push(slots);
    }
  }
  if (perCron.length === 0) return null;
  // Up to where every cron was read completely (a cron cut short by the slot cap ends early).
  const end = Math.min(...perCron.map((slots) => (slots.length >= INTERVAL_SLOTS ? slots[slots.length - 1] : fromMs + INTERVAL_HORIZON_MS)));
  const all = [...new Set(perCron.flat().filter((t) => t <= end))].sort((a, b) => a - b);
  if (all.length < 2) return null;
  let longest = 0;
  for (let i = 1; i < all.length; i++) longest = Math.max(longest, all[i] - all[i - 1]);
  return longest;
}
