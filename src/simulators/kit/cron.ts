/**
 * Cron schedules as the simulators validate and evaluate them, on `cron-parser`: 5 fields
 * (`minute hour day-of-month month day-of-week`) made of `*`, numbers, ranges `a-b`, steps `/n`
 * and lists `a,b`, with month and weekday names (`JAN`, `mon`; 7 is Sunday too). Nothing else:
 * no seconds field, no macros such as `@daily`, no `?`, `L`, `W`, `#` or `H`, which cron-parser
 * would accept but the providers' services do not. When day-of-month and day-of-week are both
 * restricted (neither is exactly `*`), a day matching either one runs.
 *
 * Next runs are computed on the zone's wall clock with the zone's UTC offset taken at the moment
 * asked from, so a daylight-saving change between then and the run shifts that run by the change
 * (an hour): the simulators' documented simplification.
 */
import { CronExpression, CronExpressionParser, type CronFieldCollection } from 'cron-parser';

/** How far ahead {@link nextCronRun} looks before it answers that nothing runs. */
const HORIZON_MS = 5 * 366 * 86_400_000;
const MINUTE_MS = 60_000;
/** Entries each cache keeps before it starts over (expressions and zones come from requests). */
const CACHE_LIMIT = 1000;

/** One list item of a field: `*`, a value or a range of values, optionally stepped. */
const ITEM = /^(?:\*|([^/-]+)(?:-([^/-]+))?)(?:\/\d+)?$/;
const NUMBER = /^\d+$/;
/** A number, or a three-letter name (cron-parser resolves the name or rejects it). */
const NUMBER_OR_NAME = /^(?:\d+|[A-Za-z]{3})$/;

/** Whether `field` uses only the syntax the simulators accept; the value ranges are cron-parser's to check. */
function isPlainField(field: string, names: boolean): boolean {
  const value = names ? NUMBER_OR_NAME : NUMBER;
  return field.split(',').every((item) => {
    const m = ITEM.exec(item);
    return m !== null && (m[1] === undefined || (value.test(m[1]) && (m[2] === undefined || value.test(m[2]))));
  });
}

/** The field names of a 5-field expression, in order. */
const FIELDS = ['minute', 'hour', 'dayOfMonth', 'month', 'dayOfWeek'] as const;
const DAY_OF_WEEK = 4;

function parses(expression: string): CronFieldCollection | null {
  try {
    return CronExpressionParser.parse(expression, { tz: 'UTC' }).fields;
  } catch {
    return null;
  }
}

/**
 * Field `position` rewritten for cron-parser: `*` stays `*`, anything else becomes the sorted list
 * of the values its items stand for (7 folded into 0 for the weekday), because cron-parser refuses
 * a list whose items overlap (`0 6-18/6,12 * * *` names 12 twice), which the services accept.
 * Null when an item is not valid.
 */
function normalizedField(position: number, field: string): string | null {
  if (field === '*') return '*';
  const values = new Set<number>();
  for (const item of field.split(',')) {
    const probe = parses(FIELDS.map((_, i) => (i === position ? item : '*')).join(' '));
    if (!probe) return null;
    for (const v of probe[FIELDS[position]].values) values.add(position === DAY_OF_WEEK ? Number(v) % 7 : Number(v));
  }
  return [...values].sort((a, b) => a - b).join(',');
}

/** A valid expression: its fields, or `never` when no day it names exists in any month it names. */
type Parsed = { fields: CronFieldCollection } | 'never';

/** The five fields of `expr` when it is a valid expression; null when it is not one. */
function parseFresh(expr: string): Parsed | null {
  const parts = expr.trim().split(/\s+/);
  if (parts.length !== FIELDS.length || !parts.every((f, i) => isPlainField(f, i >= 3))) return null;
  const normalized: string[] = [];
  for (const [i, f] of parts.entries()) {
    const n = normalizedField(i, f);
    if (n === null) return null;
    normalized.push(n);
  }
  // Every field is valid on its own, so cron-parser refuses the whole only for an explicit day of
  // month that none of the months has (`0 0 31 2 *`): a valid schedule that never runs.
  const fields = parses(normalized.join(' '));
  return fields ? { fields } : 'never';
}

/** The answer `cache` keeps under `key`, else `read()`'s, kept: at most `limit` answers (emptied when full). */
function remember<V>(cache: Map<string, V>, limit: number, key: string, read: () => V): V {
  let value = cache.get(key);
  if (value === undefined) {
    value = read();
    if (cache.size >= limit) cache.clear();
    cache.set(key, value);
  }
  return value;
}

/** Parsed expressions (null: invalid), by their text. */
const parsedCache = new Map<string, Parsed | null>();

function parseCached(expr: string): Parsed | null {
  return remember(parsedCache, CACHE_LIMIT, expr, () => parseFresh(expr));
}

/** True when `expr` is a 5-field cron expression the simulators accept (see the module comment). */
export function isCronExpression(expr: unknown): expr is string {
  return typeof expr === 'string' && parseCached(expr) !== null;
}

/** Wall-clock formatters of the zones seen so far; null for a name that is no zone. */
const zoneFormatters = new Map<string, Intl.DateTimeFormat | null>();

function zoneFormatter(tz: string): Intl.DateTimeFormat | null {
  return remember(zoneFormatters, CACHE_LIMIT, tz, () => {
    try {
      return new Intl.DateTimeFormat('en-US', {
        timeZone: tz, hourCycle: 'h23', year: 'numeric', month: 'numeric', day: 'numeric', hour: 'numeric', minute: 'numeric', second: 'numeric',
      });
    } catch {
      return null;
    }
  });
}

/** True when `tz` is an IANA time zone this runtime knows. */
export function isTimeZone(tz: unknown): tz is string {
  return typeof tz === 'string' && tz.length > 0 && zoneFormatter(tz) !== null;
}

/** Offset of the zone of `f` from UTC at `atMs`, in milliseconds (local = utc + offset). */
function zoneOffsetMs(f: Intl.DateTimeFormat, atMs: number): number {
  const p = Object.fromEntries(f.formatToParts(new Date(atMs)).map((x) => [x.type, x.value]));
  return Date.UTC(+p.year, +p.month - 1, +p.day, +p.hour, +p.minute, +p.second) - Math.floor(atMs / 1000) * 1000;
}

/**
 * The first whole minute strictly after `fromMs` that `expr` matches in time zone `timeZone`
 * (an unknown zone counts as UTC), epoch ms. Null when `expr` is not a valid expression or
 * nothing matches within about five years (`0 0 31 2 *`).
 */
export function nextCronRun(expr: string, fromMs: number, timeZone = 'UTC'): number | null {
  // Every instant of one minute has the same answer: a list page renders hundreds of schedules a call.
  return remember(nextRuns, NEXT_RUNS_LIMIT, `${expr}\u0000${timeZone}\u0000${Math.floor(fromMs / MINUTE_MS)}`, () => readNextCronRun(expr, fromMs, timeZone));
}

/** Answers of {@link nextCronRun} by expression, zone and minute; emptied when full. */
const nextRuns = new Map<string, number | null>();
const NEXT_RUNS_LIMIT = 50_000;

function readNextCronRun(expr: string, fromMs: number, timeZone: string): number | null {
  const parsed = parseCached(expr);
  if (parsed === null || parsed === 'never') return null;
  const zone = isTimeZone(timeZone) ? zoneFormatter(timeZone) : null;
  const offset = zone ? zoneOffsetMs(zone, fromMs) : 0;
  // cron-parser walks the zone's wall clock as if it were UTC; the offset at the run maps it back
  // (across a daylight-saving change it is not the offset at `fromMs`).
  const local = fromMs + offset;
  const horizon = Math.floor(local / MINUTE_MS) * MINUTE_MS + MINUTE_MS + HORIZON_MS;
  const runs = CronExpression.fieldsToExpression(parsed.fields, { currentDate: local, endDate: horizon - 1, tz: 'UTC' });
  let wall: number;
  try {
    wall = runs.next().getTime();
  } catch {
    return null;
  }
  const guess = wall - offset;
  const atRun = zone ? zoneOffsetMs(zone, guess) : 0;
  const run = wall - atRun;
  // A wall time the change skips or repeats can map back to or before `fromMs`: keep the first guess then.
  return atRun === offset || run <= fromMs ? guess : run;
}
