/**
 * `Query.node`: any entity by its global id.
 */
import type { QueryResolvers } from '../../generated/graphql.ts';
import { loadNode } from '../_shared/node.ts';

/** Resolves `Query.node`: the entity, or null when nothing has this id; BAD_USER_INPUT when it is malformed. */
export const node: NonNullable<QueryResolvers['node']> = (_p, { id }, ctx) => loadNode(id, ctx, 'id');
