/**
 * Input rules checked before any upstream call. Each throws BAD_USER_INPUT naming the field.
 */
import { CronExpressionParser } from 'cron-parser';
import { badUserInput } from './errors.ts';

/** A standard 5-field cron expression (minute hour day-of-month month day-of-week). */
export function checkCron(value: string, field: string): string {
  const fields = value.trim().split(/\s+/);
  if (fields.length !== 5 || fields[0] === '') throw badUserInput(`${field} must be a 5-field cron expression (minute hour day month weekday), got "${value}"`, field);
  try {
    CronExpressionParser.parse(value.trim());
  } catch (e) {
    throw badUserInput(`${field} is not a valid cron expression: ${(e as Error).message}`, field);
  }
  return value.trim();
}

/** An IANA time zone name such as `Europe/Prague` or `UTC`. */
export function checkTimeZone(value: string, field: string): string {
  try {
    new Intl.DateTimeFormat('en-US', { timeZone: value });
  } catch {
    throw badUserInput(`${field} must be an IANA time zone such as "Europe/Prague", got "${value}"`, field);
  }
  if (!/^[A-Za-z_]+(\/[A-Za-z0-9_+-]+)*$/.test(value)) throw badUserInput(`${field} must be an IANA time zone name`, field);
  return value;
}

/** A whole number >= 0. */
export function checkNonNegative(value: number, field: string): number {
  if (!Number.isInteger(value) || value < 0) throw badUserInput(`${field} must be a whole number >= 0, got ${value}`, field);
  return value;
}

/** Every number of a retention input is >= 0. */
export function checkRetention<T extends Record<string, number | null | undefined>>(retention: T, prefix: string): T {
  for (const [k, v] of Object.entries(retention)) if (v != null) checkNonNegative(v, `${prefix}.${k}`);
  return retention;
}

/** A non-empty string of at most `max` characters. */
export function checkText(value: string, field: string, max = 200): string {
  if (value.trim().length === 0 || value.length > max) throw badUserInput(`${field} must be 1 to ${max} characters`, field);
  return value;
}
