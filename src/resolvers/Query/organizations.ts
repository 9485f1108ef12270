/**
 * `Query.organizations`: the organizations of every selected provider as one connection.
 */
import type { QueryResolvers } from '../../generated/graphql.ts';
import { resolveConnection } from '../_shared/connection.ts';

/** Resolves `Query.organizations`: a page of organizations across providers; a failing provider becomes an error beside the data. */
export const organizations: NonNullable<QueryResolvers['organizations']> = (_p, args, ctx, info) => resolveConnection('organization', args, ctx, info);
