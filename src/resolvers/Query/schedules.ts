/**
 * `Query.schedules`: the schedules of every selected provider as one connection.
 */
import type { QueryResolvers } from '../../generated/graphql.ts';
import { resolveConnection } from '../_shared/connection.ts';

/** Resolves `Query.schedules`: a page of schedules across providers; a failing provider becomes an error beside the data. */
export const schedules: NonNullable<QueryResolvers['schedules']> = (_p, args, ctx, info) => resolveConnection('schedule', args, ctx, info);
