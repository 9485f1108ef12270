/**
 * The page protocol between the gateway's paginator and every provider's list: what is asked
 * (a filter in native ids, a resume token, a limit) and what comes back.
 */
import type { BackupStatus, JobStatus } from './statuses.ts';

/** Filters every list accepts; ids here are native ids of this provider. */
export interface ListFilter {
  organizationId?: string;
  resourceId?: string;
  /** Normalized statuses (JobStatus for jobs, BackupStatus for backups). */
  status?: readonly (JobStatus | BackupStatus)[];
  /** Only records created/started at or after this instant. */
  since?: Date;
  /** Only records created/started before this instant. */
  until?: Date;
  /** Alerts only: include dismissed ones. @default false */
  includeDismissed?: boolean;
}

/** One upstream-shaped page request. */
export interface PageRequest {
  /** The adapter's own resume token from a previous page's `next`, null for the first page. */
  after: string | null;
  /** How many items the gateway wants; the adapter answers at most this many (it may answer fewer). */
  limit: number;
  filter: ListFilter;
}

/** One page as the adapter answers it. */
export interface Page<T> {
  /** Items in the provider's own stable order. They may include items the filter does not match
   * (the gateway filters again in memory); `next` must resume right after the last item returned. */
  items: T[];
  /** Resume token for the item after the last one, null when there is nothing more. */
  next: string | null;
  /** Exact number of items matching the filter across all pages, when the provider reports it and
   * every filter was pushed down; otherwise null. */
  total: number | null;
}

/** Reads one page of a list (the request context is already bound). */
export type ListPage<T> = (req: PageRequest) => Promise<Page<T>>;
