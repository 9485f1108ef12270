/**
 * Resolves any list field into a Relay connection across providers: validates arguments, builds
 * the page, primes the loaders with what it read, and turns each failing provider into an error
 * beside the data (partial results).
 */
import type { GraphQLResolveInfo } from 'graphql';
import { responsePathAsArray } from 'graphql';
import type { ConnectionModel } from '../../domain/connection.ts';
import { decodeCursor } from '../../domain/cursor.ts';
import { isDefaultOrder, orderKey } from '../../domain/merge-order.ts';
import type { EntityKind, ModelBase, ModelOf } from '../../domain/models.ts';
import { paginate, type PaginationSource } from '../../domain/pagination.ts';
import { providerFailureError } from '../../server/errors.ts';
import type { GatewayContext } from '../../server/context.ts';
import { checkFirst, checkOrderServed, jobOperationsOf, toOrder, toSources, type FilterInput, type OrderInput, type SelectedProvider } from './list-args.ts';

/** Arguments every list field takes (`orderBy` where the list has orders). */
export interface ListArgs {
  first?: number | null;
  after?: string | null;
  filter?: FilterInput | null;
  orderBy?: OrderInput | null;
}

/** Restricts a nested list to one provider and native organization/resource. */
export interface ListScope {
  providerId: string;
  organizationId?: string;
  resourceId?: string;
}

/** Resolves a list field of `kind`. */
export async function resolveConnection<K extends EntityKind>(
  kind: K,
  args: ListArgs,
  ctx: GatewayContext,
  info: GraphQLResolveInfo,
  scope?: ListScope,
): Promise<ConnectionModel<ModelOf[K]>> {
  const first = checkFirst(args.first);
  const order = toOrder(kind, args.orderBy);
  const byDefault = isDefaultOrder(kind, order);
  const cursor = args.after != null ? decodeCursor(args.after, kind, byDefault ? null : orderKey(order!)) : null;
  const filter = kind === 'job' ? { ...args.filter, operation: jobOperationsOf(args.filter, scope?.resourceId !== undefined) } : args.filter;
  let selected: SelectedProvider[] = toSources(ctx.providers, filter);
  if (scope) {
    selected = selected
      .filter((s) => s.adapter.ref.id === scope.providerId)
      .map((s) => ({
        adapter: s.adapter,
        filter: {
          ...s.filter,
          ...(scope.organizationId !== undefined ? { organizationId: scope.organizationId } : {}),
          ...(scope.resourceId !== undefined ? { resourceId: scope.resourceId } : {}),
        },
      }));
  }
  checkOrderServed(kind, order, selected);
  const sources: PaginationSource<ModelOf[K]>[] = selected.map((s) => {
    const list = s.adapter.lists[kind];
    // The default order is the list's own: only another order is asked for explicitly.
    return { providerId: s.adapter.ref.id, filter: s.filter, list: list && (byDefault ? (req) => list(req, ctx.upstream) : (req) => list({ ...req, order: order! }, ctx.upstream)) };
  });
  const page = await paginate<ModelOf[K]>({ kind, sources, first, cursor, order });
  const path = responsePathAsArray(info.path);
  for (const f of page.failures) ctx.partialErrors.push(providerFailureError(f.providerId, f.error, path));
  for (const item of page.items) ctx.loaders.prime(kind, item.node);

  const listed = sources.filter((s) => s.list);
  let total: Promise<number | null> | undefined;
  return {
    // Each edge's cursor is encoded only when `edges.cursor` is read.
    edges: page.items,
    nodes: page.items.map((i) => i.node),
    pageInfo: { hasNextPage: page.hasNextPage, endCursor: page.endCursor },
    totalCount: () =>
      (total ??= (async () => {
        const counts = await Promise.all(
          listed.map(async (s) => {
            if (page.totals.has(s.providerId)) return page.totals.get(s.providerId)!;
            try {
              return (await s.list!({ after: null, limit: 1, filter: s.filter })).total;
            } catch {
              return null; // the failure is already reported by the page, or will be on the next one
            }
          }),
        );
        return counts.every((c): c is number => typeof c === 'number') ? counts.reduce((a, b) => a + b, 0) : null;
      })()),
  };
}

/** A nested list field: the `kind` list of the parent's provider, limited to the parent as organization or resource (`by`). */
export function nestedConnection<K extends EntityKind>(kind: K, by: 'organizationId' | 'resourceId') {
  return (parent: ModelBase, args: ListArgs, ctx: GatewayContext, info: GraphQLResolveInfo) =>
    resolveConnection(kind, args, ctx, info, { providerId: parent.provider.id, [by]: parent.nativeId });
}
