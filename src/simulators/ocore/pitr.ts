/**
 * PITR coverage of an environment (`GET /api/environments/{env_id}/pitr-coverage`): with WAL
 * archiving on, the completed full backups within `walRetentionDays` are the base backups, WAL
 * covers from the oldest of them to ~30 s before now, minus the seeded archiving gaps.
 */
import { iso } from './hash.ts';
import type { OcoreSimState, OcSpan } from './state.ts';

const DAY = 86_400_000;
/** How far WAL archiving lags behind "now". */
const WAL_LAG_MS = 30_000;

/** The coverage in epoch ms. */
export interface OcPitrCoverage {
  baseBackups: { backupId: string; timestamp: number }[];
  walRanges: OcSpan[];
  gaps: OcSpan[];
  earliestRecoverable: number | null;
  latestRecoverable: number | null;
}

/** Computes the coverage of `envId` at `now`. */
export function pitrCoverage(state: OcoreSimState, envId: string, now: number): OcPitrCoverage {
  const schedule = state.schedules.get(envId);
  const empty: OcPitrCoverage = { baseBackups: [], walRanges: [], gaps: [], earliestRecoverable: null, latestRecoverable: null };
  if (!schedule?.walEnabled) return empty;
  const from = now - schedule.walRetentionDays * DAY;
  const bases = state.backupsByEnv.get(envId)!
    .filter((b) => b.backupType === 'full' && b.status === 'completed' && b.completedAt! >= from)
    .map((b) => ({ backupId: b.id, timestamp: b.completedAt! }))
    .sort((a, b) => a.timestamp - b.timestamp);
  if (bases.length === 0) return empty;
  const start = bases[0].timestamp;
  const end = now - WAL_LAG_MS;
  const gaps = (state.walGaps.get(envId) ?? []).filter((g) => g.end > start && g.start < end).sort((a, b) => a.start - b.start);
  const walRanges: OcSpan[] = [];
  let cursor = start;
  for (const g of gaps) {
    if (g.start > cursor) walRanges.push({ start: cursor, end: g.start });
    cursor = Math.max(cursor, g.end);
  }
  if (cursor < end) walRanges.push({ start: cursor, end });
  return { baseBackups: bases, walRanges, gaps, earliestRecoverable: start, latestRecoverable: end };
}

/** True when WAL replay from a backup completed at `backupCompletedAt` can reach `at` (no gap in between). */
export function isRecoverable(c: OcPitrCoverage, at: number, backupCompletedAt: number): boolean {
  if (c.earliestRecoverable === null || c.latestRecoverable === null) return false;
  return backupCompletedAt >= c.earliestRecoverable && at >= backupCompletedAt && at <= c.latestRecoverable
    && !c.gaps.some((g) => g.start < at && g.end > backupCompletedAt);
}

/** Renders the coverage *(doc)*. */
export function pitrCoverageDto(c: OcPitrCoverage) {
  const span = (s: OcSpan) => ({ start: iso(s.start), end: iso(s.end) });
  return {
    baseBackups: c.baseBackups.map((b) => ({ backupId: b.backupId, timestamp: iso(b.timestamp) })),
    earliestRecoverable: c.earliestRecoverable === null ? null : iso(c.earliestRecoverable),
    gaps: c.gaps.map(span),
    latestRecoverable: c.latestRecoverable === null ? null : iso(c.latestRecoverable),
    walRanges: c.walRanges.map(span),
  };
}
