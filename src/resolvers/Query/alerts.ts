/**
 * `Query.alerts`: the alerts of every selected provider as one connection.
 */
import type { QueryResolvers } from '../../generated/graphql.ts';
import { resolveConnection } from '../_shared/connection.ts';

/** Resolves `Query.alerts`: a page of alerts across providers; a failing provider becomes an error beside the data. */
export const alerts: NonNullable<QueryResolvers['alerts']> = (_p, args, ctx, info) => resolveConnection('alert', args, ctx, info);
