/**
 * 5-field cron expressions as the oCore simulator validates and evaluates schedules
 * (`minute hour day-of-month month day-of-week`; `*`, numbers, ranges `a-b`, steps `/n`, lists
 * `a,b`, month and weekday names; no `@daily` macros, no seconds field), and IANA time zones.
 */

/** A parsed cron expression: the allowed values of each field. */
export interface OcCronSpec {
  minutes: boolean[];
  hours: boolean[];
  daysOfMonth: boolean[];
  months: boolean[];
  daysOfWeek: boolean[];
  /** Cron ORs day-of-month and day-of-week when both are restricted. */
  domRestricted: boolean;
  dowRestricted: boolean;
}

const MONTHS = ['JAN', 'FEB', 'MAR', 'APR', 'MAY', 'JUN', 'JUL', 'AUG', 'SEP', 'OCT', 'NOV', 'DEC'];
const DAYS = ['SUN', 'MON', 'TUE', 'WED', 'THU', 'FRI', 'SAT'];

function value(raw: string, names: string[] | undefined, nameBase: number): number | null {
  if (/^\d+$/.test(raw)) return Number(raw);
  const i = names?.indexOf(raw.toUpperCase()) ?? -1;
  return i >= 0 ? i + nameBase : null;
}

function field(text: string, min: number, max: number, names?: string[], nameBase = 0): boolean[] | null {
  const allowed = new Array<boolean>(max + 1).fill(false);
  for (const part of text.split(',')) {
    const m = /^([^/]+)(?:\/(\d+))?$/.exec(part);
    if (!m) return null;
    const step = m[2] === undefined ? 1 : Number(m[2]);
    if (step < 1) return null;
    let lo = min;
    let hi = max;
    if (m[1] !== '*') {
      const range = m[1].split('-');
      if (range.length > 2) return null;
      const a = value(range[0], names, nameBase);
      const b = range.length === 2 ? value(range[1], names, nameBase) : m[2] !== undefined ? max : a;
      if (a === null || b === null || a < min || b > max || a > b) return null;
      lo = a;
      hi = b;
    }
    for (let v = lo; v <= hi; v += step) allowed[v] = true;
  }
  return allowed;
}

/** Parses a 5-field cron expression; null when it is not one. */
export function parseCron(expr: string): OcCronSpec | null {
  const parts = expr.trim().split(/\s+/);
  if (parts.length !== 5 || parts.some((p) => p.length === 0)) return null;
  const minutes = field(parts[0], 0, 59);
  const hours = field(parts[1], 0, 23);
  const daysOfMonth = field(parts[2], 1, 31);
  const months = field(parts[3], 1, 12, MONTHS, 1);
  const dow = field(parts[4], 0, 7, DAYS, 0);
  if (!minutes || !hours || !daysOfMonth || !months || !dow) return null;
  if (dow[7]) dow[0] = true;
  return { minutes, hours, daysOfMonth, months, daysOfWeek: dow.slice(0, 7), domRestricted: parts[2] !== '*', dowRestricted: parts[4] !== '*' };
}

/** True when `tz` is an IANA time zone this runtime knows. */
export function isTimeZone(tz: unknown): tz is string {
  if (typeof tz !== 'string' || tz.length === 0) return false;
  try {
    new Intl.DateTimeFormat('en-US', { timeZone: tz });
    return true;
  } catch {
    return false;
  }
}

const formatters = new Map<string, Intl.DateTimeFormat>();

/** Offset of `tz` from UTC at `atMs` (local = utc + offset), in milliseconds. */
function zoneOffsetMs(tz: string, atMs: number): number {
  let f = formatters.get(tz);
  if (!f) {
    f = new Intl.DateTimeFormat('en-US', {
      timeZone: tz, hourCycle: 'h23', year: 'numeric', month: 'numeric', day: 'numeric', hour: 'numeric', minute: 'numeric', second: 'numeric',
    });
    formatters.set(tz, f);
  }
  const p = Object.fromEntries(f.formatToParts(new Date(atMs)).map((x) => [x.type, x.value]));
  return Date.UTC(+p.year, +p.month - 1, +p.day, +p.hour, +p.minute, +p.second) - Math.floor(atMs / 1000) * 1000;
}

/**
 * The first instant strictly after `fromMs` matching `spec` in time zone `tz` (the zone's offset
 * taken at `fromMs`: close enough for a simulator). Null when nothing matches within ~5 years.
 */
export function nextCronRun(spec: OcCronSpec, fromMs: number, tz = 'UTC'): number | null {
  const offset = isTimeZone(tz) ? zoneOffsetMs(tz, fromMs) : 0;
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
    if (!(spec.domRestricted && spec.dowRestricted ? domOk || dowOk : domOk && dowOk)) {
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
