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

/** Whether `name` contains `text`, case-insensitively; a missing name never does. */
export function nameContains(name: unknown, text: string): boolean {
  return typeof name === 'string' && name.toLowerCase().includes(text.toLowerCase());
}

/** True when `model` satisfies every field of `filter` (native ids, normalized statuses, time range, name, operation). */
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
  if (filter.nameContains !== undefined && filter.nameContains !== '' && !nameContains(model.name, filter.nameContains)) return false;
  if (filter.operation && filter.operation.length > 0 && 'operation' in model && !filter.operation.includes(model.operation as never)) return false;
  return true;
}
