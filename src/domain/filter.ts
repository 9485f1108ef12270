/**
 * The in-memory side of list filters: whatever an adapter could not push down upstream, the
 * gateway checks here, so every provider answers a filter the same way.
 */
import type { EntityModel } from './models.ts';
import type { ListFilter } from './page.ts';

function instantOf(m: EntityModel): string | null {
  const v = (m.startedAt ?? m.createdAt) as string | null | undefined;
  return typeof v === 'string' ? v : null;
}

/** True when `model` satisfies every field of `filter` (native ids, normalized statuses, time range). */
export function matchesFilter(model: EntityModel, filter: ListFilter): boolean {
  if (filter.organizationId !== undefined && model.organizationNativeId != null && model.organizationNativeId !== filter.organizationId) {
    return false;
  }
  if (filter.resourceId !== undefined && 'resourceNativeId' in model && model.resourceNativeId !== filter.resourceId) return false;
  if (filter.status && filter.status.length > 0 && 'status' in model && !filter.status.includes(model.status as never)) return false;
  if (filter.since || filter.until) {
    const at = instantOf(model);
    if (at === null) return false;
    const t = Date.parse(at);
    if (filter.since && t < filter.since.getTime()) return false;
    if (filter.until && t >= filter.until.getTime()) return false;
  }
  if (!filter.includeDismissed && 'dismissed' in model && model.dismissed === true) return false;
  return true;
}
