/**
 * Which orders a provider's lists deliver, derived from what its adapter declares: the default
 * order of a list it has (time-stamped lists: newest first, which every adapter MUST deliver), plus
 * the other orders it names in `orders`, each of which its list MUST then honour when a request
 * carries it (`PageRequest.order`). An adapter derives `orders` from the same table its list reads
 * (e.g. Bocada's sort parameter per order), so nothing is declared twice; the conformance audits
 * walk every declared order and check it.
 */
import { badUserInput } from '../../domain/errors.ts';
import { DEFAULT_ORDERS, isDefaultOrder, orderKey, parseOrderKey, type ListOrder, type OrderKey } from '../../domain/merge-order.ts';
import type { EntityKind } from '../../domain/models.ts';
import type { ProviderAdapter } from './adapter.ts';

/** Orders an adapter's lists deliver besides each list's default order, by entity kind. */
export type ProviderOrders = { readonly [K in EntityKind]?: readonly OrderKey[] };

/** The keys of a table keyed by order (e.g. `{ CREATED_AT_DESC: '-startedAt', CREATED_AT_ASC: 'startedAt' }`), for `orders`. */
export function orderKeysOf(table: Partial<Record<OrderKey, unknown>>): OrderKey[] {
  return Object.keys(table).filter((k) => parseOrderKey(k) !== null) as OrderKey[];
}

/** Every order `adapter` delivers its `kind` list in (the default first); none when it has no such list. */
export function ordersOf(adapter: Pick<ProviderAdapter, 'lists' | 'orders'>, kind: EntityKind): ListOrder[] {
  if (!adapter.lists[kind]) return [];
  const out: ListOrder[] = [];
  const add = (o: ListOrder) => {
    if (!out.some((x) => orderKey(x) === orderKey(o))) out.push(o);
  };
  const byDefault = DEFAULT_ORDERS[kind];
  if (byDefault) add(byDefault);
  for (const key of adapter.orders?.[kind] ?? []) {
    const o = parseOrderKey(key);
    if (o) add(o);
  }
  return out;
}

/** Whether `adapter` delivers its `kind` list in `order` exactly (null: a list without order, always). */
export function servesOrder(adapter: Pick<ProviderAdapter, 'lists' | 'orders'>, kind: EntityKind, order: ListOrder | null): boolean {
  if (order === null || isDefaultOrder(kind, order)) return adapter.lists[kind] !== undefined;
  return ordersOf(adapter, kind).some((o) => orderKey(o) === orderKey(order));
}

/**
 * What an adapter's table keyed by order (`orders` is derived from its keys) holds for the order a
 * request asks: undefined for the list's default order (absent, or named explicitly); an order the
 * table lacks is BAD_USER_INPUT on `orderBy` (the gateway never asks for one).
 */
export function orderedBy<V>(table: Partial<Record<OrderKey, V>>, kind: EntityKind, order: ListOrder | undefined): V | undefined {
  if (!order || isDefaultOrder(kind, order)) return undefined;
  const v = table[orderKey(order)];
  if (v === undefined) throw badUserInput(`orderBy ${order.field} ${order.direction} is not supported by this provider`, 'orderBy');
  return v;
}
