/**
 * `Node`: anything with a global id.
 */
import type { NodeResolvers } from '../generated/graphql.ts';
import { resolveTypeOf } from './_shared/entity.ts';

/** Resolvers of `Node`: the concrete type of an entity model. */
export const Node: NodeResolvers = {
  __resolveType: resolveTypeOf<NodeResolvers>(),
};
