/**
 * 5-field cron expressions as the Norcube simulator validates and evaluates them
 * (`minute hour day-of-month month day-of-week`; `*`, numbers, `a-b`, steps `/n`, lists `a,b`,
 * month and weekday names; no macros like `@daily`, no seconds field).
 */

/** A parsed cron expression: the allowed values of each field. */
export interface NorcubeCronSpec {
  minutes: boolean[];
  hours: boolean[];
  daysOfMonth: boolean[];
  months: boolean[];
  daysOfWeek: boolean[];
  /** Whether day-of-month / day-of-week were restricted (cron ORs them when both are). */
  domRestricted: boolean;
  dowRestricted: boolean;
}

const MONTHS = ['JAN', 'FEB', 'MAR', 'APR', 'MAY', 'JUN', 'JUL', 'AUG', 'SEP', 'OCT', 'NOV', 'DEC'];
const DAYS = ['SUN', 'MON', 'TUE', 'WED', 'THU', 'FRI', 'SAT'];

function parseValue(raw: string, names?: string[], nameBase = 0): number | null {
  if (/^\d+$/.test(raw)) return Number(raw);
  const i = names?.indexOf(raw.toUpperCase()) ?? -1;
  return i >= 0 ? i + nameBase : null;
}

function parseField(field: string, min: number, max: number, names?: string[], nameBase = 0): boolean[] | null {
  const allowed = new Array<boolean>(max + 1).fill(false);
  for (const part of field.split(',')) {
    const m = /^([^/]+)(?:\/(\d+))?$/.exec(part);
    if (!m) return null;
    const step = m[2] === undefined ? 1 : Number(m[2]);
    if (step < 1) return null;
    let lo: number;
    let hi: number;
    if (m[1] === '*') {
      lo = min;
      hi = max;
    } else {
      const range = m[1].split('-');
      if (range.length > 2) return null;
      const a = parseValue(range[0], names, nameBase);
      const b = range.length === 2 ? parseValue(range[1], names, nameBase) : m[2] !== undefined ? max : a;
      if (a === null || b === null || a < min || b > max || a > b) return null;
      lo = a;
      hi = b;
    }
    for (let v = lo; v <= hi; v += step) allowed[v] = true;
  }
  return allowed;
}

/** Parses a 5-field cron expression; null when it is not one. */
export function parseCron(expr: string): NorcubeCronSpec | null {
  if (typeof expr !== 'string') return null;
  const fields = expr.trim().split(/\s+/);
  if (fields.length !== 5 || fields.some((f) => f.length === 0)) return null;
  const minutes = parseField(fields[0], 0, 59);
  const hours = parseField(fields[1], 0, 23);
  const daysOfMonth = parseField(fields[2], 1, 31);
  const months = parseField(fields[3], 1, 12, MONTHS, 1);
  const dow = parseField(fields[4], 0, 7, DAYS, 0);
  if (!minutes || !hours || !daysOfMonth || !months || !dow) return null;
  if (dow[7]) dow[0] = true;
  return {
    minutes, hours, daysOfMonth, months, daysOfWeek: dow.slice(0, 7),
    domRestricted: fields[2] !== '*', dowRestricted: fields[4] !== '*',
  };
}

/** True when `expr` is a valid 5-field cron expression. */
export function isValidCron(expr: unknown): expr is string {
  return typeof expr === 'string' && parseCron(expr) !== null;
}

/** True when `tz` is an IANA time zone this runtime knows. */
export function isValidTimeZone(tz: unknown): tz is string {
  if (typeof tz !== 'string' || tz.length === 0) return false;
  try {
    new Intl.DateTimeFormat('en-US', { timeZone: tz });
    return true;
  } catch {
    return false;
  }
}

const offsetFormatters = new Map<string, Intl.DateTimeFormat>();

/** Offset of `tz` from UTC at `atMs`, in milliseconds (local = utc + offset). */
function zoneOffsetMs(tz: string, atMs: number): number {
  let f = offsetFormatters.get(tz);
  if (!f) {
    f = new Intl.DateTimeFormat('en-US', {
      timeZone: tz, hourCycle: 'h23', year: 'numeric', month: 'numeric', day: 'numeric',
      hour: 'numeric', minute: 'numeric', second: 'numeric',
    });
    offsetFormatters.set(tz, f);
  }
  const p = Object.fromEntries(f.formatToParts(new Date(atMs)).map((x) => [x.type, x.value]));
  const local = Date.UTC(+p.year, +p.month - 1, +p.day, +p.hour, +p.minute, +p.second);
  return local - Math.floor(atMs / 1000) * 1000;
}

/**
 * The first instant strictly after `fromMs` that matches `spec` in time zone `tz`. The zone's
 * offset is taken at `fromMs` (a DST change before the next run shifts it by an hour: fine for a
 * simulator). Null when nothing matches within ~5 years (e.g. `0 0 31 2 *`).
 */
export function nextCronRun(spec: NorcubeCronSpec, fromMs: number, tz = 'UTC'): number | null {
  const offset = isValidTimeZone(tz) ? zoneOffsetMs(tz, fromMs) : 0;
  const d = new Date(Math.floor((fromMs + offset) / 60_000) * 60_000 + 60_000);
  const limit = d.getTime() + 5 * 366 * 86_400_000;
  while (d.getTime() < limit) {
    if (!spec.months[d.getUTCMonth() + 1]) {
      d.setUTCMonth(d.getUTCMonth() + 1, 1);
      d.setUTCHours(0, 0, 0, 0);
      continue;
    }
    const domOk = spec.daysOfMonth[d.getUTCDate()];
    const dowOk = spec.daysOfWeek[d.getUTCDay()];
    const dayOk = spec.domRestricted && spec.dowRestricted ? domOk || dowOk : domOk && dowOk;
    if (!dayOk) {
      d.setUTCDate(d.getUTCDate() + 1);
      d.setUTCHours(0, 0, 0, 0);
      continue;
    }
    if (!spec.hours[d.getUTCHours()]) {
      d.setUTCHours(d.getUTCHours() + 1, 0, 0, 0);
      continue;
    }
    if (!spec.minutes[d.getUTCMinutes()]) {
      d.setUTCMinutes(d.getUTCMinutes() + 1, 0, 0);
      continue;
    }
    return d.getTime() - offset;
  }
  return null;
}
