/**
 * Turns a list field's arguments (`first`, `after`, `filter`, `orderBy`) into pagination sources:
 * which providers to ask, each one's filter in native ids, and the order, which every selected
 * provider must serve exactly. Every bad argument is BAD_USER_INPUT naming the argument.
 */
import { badUserInput } from '../../domain/errors.ts';
import { decodeGlobalIdOf } from '../../domain/ids.ts';
import { DEFAULT_ORDERS, ORDER_FIELDS, orderKey, type ListOrder, type OrderDirection, type OrderField } from '../../domain/merge-order.ts';
import type { EntityKind, JobOperation } from '../../domain/models.ts';
import { MAX_PAGE_SIZE } from '../../domain/pagination.ts';
import type { BackupStatus, JobStatus } from '../../domain/statuses.ts';
import { ordersOf, servesOrder, type ListFilter, type ProviderAdapter } from '../../providers/contract/index.ts';
import type { ProviderSet } from '../../providers/registry.ts';

/** Longest `filter.nameContains` accepted. */
export const MAX_NAME_CONTAINS = 200;

/** The filter fields lists share, as GraphQL hands them over. */
export interface FilterInput {
  providers?: readonly string[] | null;
  /** Provider kinds (registry keys, as the `ProviderKind` enum hands them over). */
  kinds?: readonly string[] | null;
  organizationId?: string | null;
  resourceId?: string | null;
  status?: readonly (JobStatus | BackupStatus)[] | null;
  since?: string | null;
  until?: string | null;
  includeDismissed?: boolean | null;
  nameContains?: string | null;
  operation?: readonly JobOperation[] | null;
}

/** An `orderBy` argument as GraphQL hands it over. */
export interface OrderInput {
  field: string;
  direction: string;
}

/** Checks `first`: 0..MAX_PAGE_SIZE. */
export function checkFirst(first: number | null | undefined): number {
  const n = first ?? 20;
  if (!Number.isInteger(n) || n < 0 || n > MAX_PAGE_SIZE) throw badUserInput(`first must be between 0 and ${MAX_PAGE_SIZE}`, 'first');
  return n;
}

/** A provider a list asks, with its filter in native ids. */
export interface SelectedProvider {
  adapter: ProviderAdapter;
  filter: ListFilter;
}

/**
 * The operations a job list reads when its filter names none: backups only. Restores live in one
 * upstream list per resource at oCore and Norcube, so a newest-first list of every restore costs one
 * call per resource (hundreds at scale); a list limited to one resource, or one that names RESTORE,
 * reads them (README "Pagination").
 */
export const DEFAULT_JOB_OPERATIONS: readonly JobOperation[] = ['backup'];

/**
 * `filter.operation` of a job list, or {@link DEFAULT_JOB_OPERATIONS} when it names none and the
 * list is not limited to one resource (`resourceId`, from the filter or a nested list).
 */
export function jobOperationsOf(filter: FilterInput | null | undefined, limitedToResource = false): readonly JobOperation[] | undefined {
  if (filter?.operation?.length) return filter.operation;
  return limitedToResource || filter?.resourceId != null ? undefined : DEFAULT_JOB_OPERATIONS;
}

/** Resolves the filter into the providers to ask and their native filters, in config order. */
export function toSources(providers: ProviderSet, filter: FilterInput | null | undefined): SelectedProvider[] {
  const f = filter ?? {};
  let selected = [...providers.list];
  if (f.providers) {
    const unknown = f.providers.filter((id) => !providers.get(id));
    if (unknown.length) {
      throw badUserInput(`filter.providers: unknown provider ${unknown.map((u) => JSON.stringify(u)).join(', ')}; known: ${providers.list.map((p) => p.ref.id).join(', ')}`, 'filter.providers');
    }
    selected = selected.filter((a) => f.providers!.includes(a.ref.id));
  }
  if (f.kinds?.length) selected = selected.filter((a) => f.kinds!.includes(a.ref.kind));
  const native: ListFilter = {};
  if (f.organizationId != null) {
    const d = decodeGlobalIdOf(f.organizationId, 'organization', 'filter.organizationId');
    selected = selected.filter((a) => a.ref.id === d.providerId);
    native.organizationId = d.nativeId;
  }
  if (f.resourceId != null) {
    const d = decodeGlobalIdOf(f.resourceId, 'resource', 'filter.resourceId');
    selected = selected.filter((a) => a.ref.id === d.providerId);
    native.resourceId = d.nativeId;
  }
  if (f.status?.length) native.status = f.status;
  if (f.since) native.since = new Date(f.since);
  if (f.until) native.until = new Date(f.until);
  if (native.since && native.until && native.since >= native.until) throw badUserInput('filter.since must be before filter.until', 'filter.since');
  if (f.includeDismissed) native.includeDismissed = true;
  if (f.nameContains != null && f.nameContains !== '') {
    if (f.nameContains.length > MAX_NAME_CONTAINS) throw badUserInput(`filter.nameContains is longer than ${MAX_NAME_CONTAINS} characters`, 'filter.nameContains');
    native.nameContains = f.nameContains;
  }
  if (f.operation?.length) native.operation = [...new Set(f.operation)];
  return selected.map((adapter) => ({ adapter, filter: { ...native } }));
}

/** The order a list is read in: `orderBy`, else the kind's default (null: no order, provider by provider). */
export function toOrder(kind: EntityKind, orderBy: OrderInput | null | undefined): ListOrder | null {
  if (!orderBy) return DEFAULT_ORDERS[kind];
  const field = orderBy.field as OrderField;
  const direction = orderBy.direction as OrderDirection;
  if (!ORDER_FIELDS[kind].includes(field) || (direction !== 'ASC' && direction !== 'DESC')) {
    throw badUserInput(`orderBy: ${kind} lists order by ${ORDER_FIELDS[kind].join(', ') || 'nothing'} (ASC or DESC)`, 'orderBy');
  }
  return { field, direction };
}

const show = (o: ListOrder) => `${o.field} ${o.direction}`;

/**
 * Refuses an order that a selected provider with a `kind` list cannot serve exactly (never a
 * silently wrong order): BAD_USER_INPUT on `orderBy` naming the providers that cannot, what every
 * selected provider serves, and which serve the order asked.
 */
export function checkOrderServed(kind: EntityKind, order: ListOrder | null, selected: readonly SelectedProvider[]): void {
  const listing = selected.filter((s) => s.adapter.lists[kind]);
  const refusing = listing.filter((s) => !servesOrder(s.adapter, kind, order));
  if (refusing.length === 0 || order === null) return;
  const orders = listing.map((s) => ordersOf(s.adapter, kind));
  const common = orders[0].filter((o) => orders.every((os) => os.some((x) => orderKey(x) === orderKey(o))));
  const serving = listing.filter((s) => servesOrder(s.adapter, kind, order)).map((s) => s.adapter.ref.id);
  throw badUserInput(
    `orderBy ${show(order)} is not supported by provider ${refusing.map((s) => s.adapter.ref.id).join(', ')}; ` +
      `supported by every selected provider: ${common.length ? common.map(show).join(', ') : 'none'}` +
      (serving.length ? `; ${show(order)} is supported by ${serving.join(', ')} (narrow filter.providers to them)` : ''),
    'orderBy',
  );
}
