/**
 * Durations as people write them in config (`24h`, `90m`, `1d12h`, `45s`) and as the protection
 * reasons show them (`1d 6h`, `30h`, `12m`). Pure functions.
 */

const UNITS: Record<string, number> = { d: 86_400, h: 3_600, m: 60, s: 1 };
const DURATION = /^(?:(\d+)d)?(?:(\d+)h)?(?:(\d+)m)?(?:(\d+)s)?$/;

/** Longest duration a config may give (a year and a day): longer targets are typos, not policies. */
export const MAX_DURATION_SECONDS = 366 * 86_400;

/**
 * The seconds of a duration written as days, hours, minutes and seconds in that order, each part
 * optional but at least one present (`24h`, `90m`, `1d12h`, `1h30m`, `45s`); null when `text` is
 * not one, is zero, or is longer than {@link MAX_DURATION_SECONDS}.
 */
export function parseDuration(text: string): number | null {
  const m = DURATION.exec(text.trim());
  if (!m || text.trim() === '') return null;
  const [, d, h, min, s] = m;
  const seconds = Number(d ?? 0) * UNITS.d + Number(h ?? 0) * UNITS.h + Number(min ?? 0) * UNITS.m + Number(s ?? 0) * UNITS.s;
  return seconds > 0 && seconds <= MAX_DURATION_SECONDS ? seconds : null;
}

/**
 * A short human reading of `ms`: the two largest non-zero units among days, hours and minutes
 * (`1d 6h`, `30h` is written `1d 6h`, `45m`); under a minute, seconds (`40s`).
 */
export function formatDuration(ms: number): string {
  const total = Math.max(0, Math.round(ms / 1000));
  if (total < 60) return `${total}s`;
  const parts: string[] = [];
  let rest = total;
  for (const [unit, size] of [['d', 86_400], ['h', 3_600], ['m', 60]] as const) {
    const n = Math.floor(rest / size);
    rest -= n * size;
    if (n > 0) parts.push(`${n}${unit}`);
  }
  return parts.slice(0, 2).join(' ');
}
