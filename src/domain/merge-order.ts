/**
 * The orders lists come in: which fields each entity kind can be ordered by, each kind's default
 * order, and the one comparison every merge (gateway and adapters) and every in-memory sort of an
 * adapter uses, so that "ordered by X" means the same thing everywhere.
 *
 * Time orders compare `createdAt`. For jobs that is when the provider queued the job: every
 * provider's job list is ordered by it (Bocada reports only a start time, which its models carry as
 * `createdAt` too); a start-time order could not be served exactly by Norcube or oCore, whose jobs
 * start seconds after they are queued. A missing or unreadable time counts as the oldest.
 */
import type { EntityKind, EntityModel } from './models.ts';

/** Fields a list can be ordered by (the schema's `<Kind>OrderField` values). */
export type OrderField = 'CREATED_AT' | 'NAME';
/** Direction of an order. */
export type OrderDirection = 'ASC' | 'DESC';

/** An order of a list: `{ field, direction }` (GitHub's convention). */
export interface ListOrder {
  readonly field: OrderField;
  readonly direction: OrderDirection;
}

/** The string form of an order, e.g. `CREATED_AT_DESC` (used in cursors and messages). */
export type OrderKey = `${OrderField}_${OrderDirection}`;

const NEWEST_FIRST: ListOrder = Object.freeze({ field: 'CREATED_AT', direction: 'DESC' });

/**
 * Each kind's default order: time-stamped lists (jobs, backups, alerts) newest first; lists with no
 * time order (organizations, resources, schedules) null, i.e. each provider in its own order.
 */
export const DEFAULT_ORDERS: Readonly<Record<EntityKind, ListOrder | null>> = {
  organization: null, resource: null, schedule: null, job: NEWEST_FIRST, backup: NEWEST_FIRST, alert: NEWEST_FIRST,
};

/** The fields each kind can be ordered by. */
export const ORDER_FIELDS: Readonly<Record<EntityKind, readonly OrderField[]>> = {
  organization: [], schedule: [], resource: ['NAME'], job: ['CREATED_AT'], backup: ['CREATED_AT'], alert: ['CREATED_AT'],
};

/** `order` as a key, e.g. `CREATED_AT_DESC`. */
export function orderKey(order: ListOrder): OrderKey {
  return `${order.field}_${order.direction}`;
}

/** The order an `OrderKey` names; null when it names none. */
export function parseOrderKey(key: string): ListOrder | null {
  const m = /^(CREATED_AT|NAME)_(ASC|DESC)$/.exec(key);
  return m ? { field: m[1] as OrderField, direction: m[2] as OrderDirection } : null;
}

/** Whether two orders (null: provider order) are the same. */
export function sameOrder(a: ListOrder | null | undefined, b: ListOrder | null | undefined): boolean {
  return (a ?? null) === (b ?? null) || (!!a && !!b && a.field === b.field && a.direction === b.direction);
}

/** Whether `order` is the default order of `kind` (absent = the default). */
export function isDefaultOrder(kind: EntityKind, order: ListOrder | null | undefined): boolean {
  return order == null || sameOrder(order, DEFAULT_ORDERS[kind]);
}

/** Compares two names case-insensitively (code points of the lower-cased names, then as written). */
export function compareNames(a: string | null | undefined, b: string | null | undefined): number {
  if (a == null || b == null) return a == null ? (b == null ? 0 : 1) : -1;
  const la = a.toLowerCase();
  const lb = b.toLowerCase();
  if (la !== lb) return la < lb ? -1 : 1;
  return a === b ? 0 : a < b ? -1 : 1;
}

/** A model's sort value in an order, computed once per item by the merge. */
export type SortValue = number | string | null;

/** How an order reads and compares models: `value` once per item, `compare` on values (negative: `a` first). */
export interface Ordering {
  readonly order: ListOrder;
  value(m: EntityModel): SortValue;
  compare(a: SortValue, b: SortValue): number;
}

function timeOf(m: EntityModel): SortValue {
  const v = m.createdAt;
  if (typeof v !== 'string') return null;
  const t = Date.parse(v);
  return Number.isNaN(t) ? null : t;
}

function nameOf(m: EntityModel): SortValue {
  const v = (m as { name?: unknown }).name;
  return typeof v === 'string' ? v : null;
}

/** The ordering of `order`. Missing times are the oldest (last newest first, first oldest first); missing names come last. */
export function orderingOf(order: ListOrder): Ordering {
  const sign = order.direction === 'ASC' ? 1 : -1;
  if (order.field === 'NAME') {
    return {
      order,
      value: nameOf,
      compare: (a, b) => (a === null || b === null ? compareNames(a as string | null, b as string | null) : sign * compareNames(a as string, b as string)),
    };
  }
  return {
    order,
    value: timeOf,
    compare: (a, b) => {
      const x = a === null ? -Infinity : (a as number);
      const y = b === null ? -Infinity : (b as number);
      return x === y ? 0 : sign * (x < y ? -1 : 1);
    },
  };
}

/** Compares two models in `order` (negative: `a` comes first); for adapters that sort in memory. */
export function compareIn(order: ListOrder): (a: EntityModel, b: EntityModel) => number {
  const o = orderingOf(order);
  return (a, b) => o.compare(o.value(a), o.value(b));
}
