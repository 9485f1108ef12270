/**
 * `Query.resources`: the resources of every selected provider as one connection.
 */
import type { QueryResolvers } from '../../generated/graphql.ts';
import { resolveConnection } from '../_shared/connection.ts';

/** Resolves `Query.resources`: a page of resources across providers; a failing provider becomes an error beside the data. */
export const resources: NonNullable<QueryResolvers['resources']> = (_p, args, ctx, info) => resolveConnection('resource', args, ctx, info);
