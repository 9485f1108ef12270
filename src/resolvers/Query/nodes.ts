/**
 * `Query.nodes`: entities by their global ids, in order.
 */
import { badUserInput } from '../../domain/errors.ts';
import { decodeGlobalId } from '../../domain/ids.ts';
import type { QueryResolvers } from '../../generated/graphql.ts';
import { loadNode } from '../_shared/node.ts';

/** Most ids `nodes(ids:)` takes at once. */
export const MAX_NODES = 100;

/** Resolves `Query.nodes`: one entity or null per id, in order; BAD_USER_INPUT naming the first malformed id before any lookup. */
export const nodes: NonNullable<QueryResolvers['nodes']> = (_p, { ids }, ctx) => {
  if (ids.length > MAX_NODES) throw badUserInput(`ids: at most ${MAX_NODES} ids at once`, 'ids');
  ids.forEach((id, i) => decodeGlobalId(id, `ids[${i}]`));
  return Promise.all(ids.map((id, i) => loadNode(id, ctx, `ids[${i}]`)));
};
