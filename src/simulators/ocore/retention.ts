/**
 * GFS retention as the oCore simulator applies it: which completed backups each tier keeps, the
 * `gfsTiers` a backup carries, and the retention preview (`.../backup-schedule/retention-preview`).
 *
 * Per backup type and tier (hourly, daily, weekly, monthly), walking newest first, the first
 * completed backup of each hour/day/ISO week/month is kept, for the newest `count` buckets and for
 * every bucket within the last `days` days. `count` is the type's own field (`retainDbDaily`) when
 * positive, else the generic one (`retainDaily`); `days` is `retain<Tier>Days`. The newest completed
 * backup of each type is always kept.
 */
import type { OcBackup, OcBackupType, OcGfsTier, OcRetention } from './state.ts';

/** Retention of a new schedule (and of environments without one). */
export const OC_DEFAULT_RETENTION: OcRetention = {
  retainHourly: 0, retainHourlyDays: 0, retainDaily: 7, retainDailyDays: 0, retainWeekly: 4, retainWeeklyDays: 0,
  retainMonthly: 3, retainMonthlyDays: 0, retainDbHourly: 24, retainDbDaily: 7, retainDbWeekly: 4, retainDbMonthly: 3,
  retainFullHourly: 0, retainFullDaily: 7, retainFullWeekly: 4, retainFullMonthly: 6,
};

const DAY = 86_400_000;
const TIERS: { tier: OcGfsTier; key: (ms: number) => number; label: 'Hourly' | 'Daily' | 'Weekly' | 'Monthly' }[] = [
  { tier: 'hourly', key: (ms) => Math.floor(ms / 3_600_000), label: 'Hourly' },
  { tier: 'daily', key: (ms) => Math.floor(ms / DAY), label: 'Daily' },
  // ISO weeks start on Monday; 1970-01-01 was a Thursday.
  { tier: 'weekly', key: (ms) => Math.floor((Math.floor(ms / DAY) + 3) / 7), label: 'Weekly' },
  { tier: 'monthly', key: (ms) => { const d = new Date(ms); return d.getUTCFullYear() * 12 + d.getUTCMonth(); }, label: 'Monthly' },
];

/** How many buckets of each tier a type keeps. */
export function tierCounts(r: OcRetention, type: OcBackupType): Record<OcGfsTier, { count: number; days: number }> {
  const t = type === 'db' ? 'Db' : 'Full';
  const out = {} as Record<OcGfsTier, { count: number; days: number }>;
  for (const { tier, label } of TIERS) {
    const own = r[`retain${t}${label}` as keyof OcRetention];
    out[tier] = { count: own > 0 ? own : r[`retain${label}` as keyof OcRetention], days: r[`retain${label}Days` as keyof OcRetention] };
  }
  return out;
}

/**
 * The tiers each completed backup of `backups` (one environment, newest first, any type) is kept
 * for under `retention` at `now`. Backups absent from the map are not kept by any tier.
 */
export function selectGfs(backups: readonly OcBackup[], retention: OcRetention, now: number): Map<OcBackup, OcGfsTier[]> {
  const kept = new Map<OcBackup, OcGfsTier[]>();
  for (const type of ['db', 'full'] as const) {
    const counts = tierCounts(retention, type);
    const ofType = backups.filter((b) => b.backupType === type && b.status === 'completed');
    for (const { tier, key } of TIERS) {
      const { count, days } = counts[tier];
      let buckets = 0;
      let lastKey = NaN;
      for (const b of ofType) {
        const k = key(b.createdAt);
        if (k === lastKey) continue;
        lastKey = k;
        const inCount = buckets < count;
        const inDays = days > 0 && b.createdAt >= now - days * DAY;
        if (!inCount && !inDays) break; // newest first: every older bucket is out too
        buckets++;
        const tiers = kept.get(b) ?? [];
        tiers.push(tier);
        kept.set(b, tiers);
      }
    }
    if (ofType.length > 0 && !kept.has(ofType[0])) kept.set(ofType[0], []);
  }
  return kept;
}

/** Recomputes `gfsTiers` of an environment's backups (newest first) under `retention`. */
export function assignGfsTiers(backups: readonly OcBackup[], retention: OcRetention, now: number): void {
  const kept = selectGfs(backups, retention, now);
  for (const b of backups) b.gfsTiers = kept.get(b) ?? [];
}

/** One backup the preview would delete. */
export interface OcRetentionPreviewItem {
  backupId: string;
  backupType: OcBackupType;
  createdAt: string;
  gfsTiers: OcGfsTier[];
  reason: string;
  sizeBytes: number;
}

/** The completed backups that `retention` would delete, with the reason, and their total size. */
export function retentionPreview(backups: readonly OcBackup[], retention: OcRetention, now: number): { items: OcRetentionPreviewItem[]; totalSizeBytes: number } {
  const kept = selectGfs(backups, retention, now);
  const items: OcRetentionPreviewItem[] = [];
  let totalSizeBytes = 0;
  for (const b of backups) {
    if (b.status !== 'completed' || kept.has(b)) continue;
    const c = tierCounts(retention, b.backupType);
    items.push({
      backupId: b.id, backupType: b.backupType, createdAt: new Date(b.createdAt).toISOString(), gfsTiers: [...b.gfsTiers],
      reason: `not kept by any GFS tier (keeps ${c.hourly.count} hourly, ${c.daily.count} daily, ${c.weekly.count} weekly, ${c.monthly.count} monthly ${b.backupType} backups)`,
      sizeBytes: b.sizeBytes,
    });
    totalSizeBytes += b.sizeBytes;
  }
  return { items, totalSizeBytes };
}
