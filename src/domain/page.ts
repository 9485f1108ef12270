/**
 * The page protocol between the gateway's paginator and every provider's list: what is asked
 * (a filter in native ids, a resume token, a limit) and what comes back.
 */
import type { ListOrder } from './merge-order.ts';
import type { JobOperation } from './models.ts';
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
  /** Only records whose name contains this text, case-insensitively (a record without a name never matches). */
  nameContains?: string;
  /** Jobs only: only jobs of these operations. */
  operation?: readonly JobOperation[];
}

/** One upstream-shaped page request. */
export interface PageRequest {
  /** The adapter's own resume token from a previous page's `next`, null for the first page. */
  after: string | null;
  /**
   * How many items the gateway wants; the adapter answers at most this many (it may answer fewer).
   * Asked a larger limit from the same `after`, it answers the same first items and at least as
   * many (positions inside a page are kept as "that page, skipping n items").
   */
  limit: number;
  filter: ListFilter;
  /**
   * The order to answer in, only ever one the adapter declares in its `orders` (see
   * `src/providers/contract/orders.ts`); absent = the list's default order (time-stamped lists:
   * newest first by `createdAt`; the others: the provider's own order).
   */
  order?: ListOrder;
}

/** One page as the adapter answers it. */
export interface Page<T> {
  /** Items in the requested order (see `PageRequest.order`), stable across calls. They may include items the filter does not match
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
