/**
 * A resource's RPO target, from one rule (README "Protection and RPO"): the first matching
 * `insight.rpo.rules` entry; else its schedules in force (their longest interval between runs plus
 * 25%); else `insight.rpo.default`; else none.
 */
import type { ResourceModel } from '../domain/models.ts';
import { scheduleRpoSeconds, type ProtectionSchedule, type RpoTarget } from '../domain/protection.ts';
import type { InsightOptions, RpoRule } from './options.ts';

/** Whether `name` matches the case-insensitive glob `pattern` (`*` any run of characters, `?` one). */
export function matchesGlob(pattern: string, name: string): boolean {
  const re = new RegExp(`^${[...pattern].map((c) => (c === '*' ? '.*' : c === '?' ? '.' : c.replace(/[\\^$.|+(){}[\]]/g, '\\$&'))).join('')}$`, 'is');
  return re.test(name);
}

/** Whether `rule` matches `resource` (every field it gives). */
export function ruleMatches(rule: RpoRule, resource: Pick<ResourceModel, 'provider' | 'type' | 'name'>): boolean {
  if (rule.provider !== undefined && rule.provider !== resource.provider.id) return false;
  if (rule.kind !== undefined && rule.kind.toLowerCase() !== resource.provider.kind.toLowerCase()) return false;
  if (rule.resourceType !== undefined && rule.resourceType.toLowerCase() !== (resource.type ?? '').toLowerCase()) return false;
  if (rule.name !== undefined && !matchesGlob(rule.name, resource.name)) return false;
  return true;
}

/** The RPO target of `resource` whose schedules in force are `schedules` (null: it has none), at `nowMs`. */
export function rpoTargetOf(options: InsightOptions, resource: Pick<ResourceModel, 'provider' | 'type' | 'name'>, schedules: readonly ProtectionSchedule[] | null, nowMs: number): RpoTarget {
  const rule = options.rpo?.rules?.find((r) => ruleMatches(r, resource));
  if (rule) return { seconds: rule.rpoSeconds, source: 'RULE' };
  const fromSchedule = scheduleRpoSeconds(schedules, nowMs);
  if (fromSchedule !== null) return { seconds: fromSchedule, source: 'SCHEDULE' };
  const fallback = options.rpo?.defaultSeconds;
  if (fallback !== undefined) return { seconds: fallback, source: 'DEFAULT' };
  return { seconds: null, source: 'NONE' };
}
