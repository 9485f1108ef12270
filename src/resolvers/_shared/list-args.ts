/**
 * Turns a list field's arguments (`first`, `after`, `filter`) into pagination sources: which
 * providers to ask and each one's filter in native ids. Every bad argument is BAD_USER_INPUT
 * naming the argument.
 */
import { badUserInput } from '../../domain/errors.ts';
import { decodeGlobalIdOf } from '../../domain/ids.ts';
import { MAX_PAGE_SIZE } from '../../domain/pagination.ts';
import type { BackupStatus, JobStatus } from '../../domain/statuses.ts';
import type { ListFilter, ProviderAdapter } from '../../providers/contract/index.ts';
import type { ProviderSet } from '../../providers/registry.ts';

/** The filter fields lists share, as GraphQL hands them over. */
export interface FilterInput {
  providers?: readonly string[] | null;
  organizationId?: string | null;
  resourceId?: string | null;
  status?: readonly (JobStatus | BackupStatus)[] | null;
  since?: string | null;
  until?: string | null;
  includeDismissed?: boolean | null;
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
  return selected.map((adapter) => ({ adapter, filter: { ...native } }));
}
