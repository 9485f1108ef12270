/**
 * `Query.jobs`: the jobs of every selected provider as one connection.
 */
import type { QueryResolvers } from '../../generated/graphql.ts';
import { resolveConnection } from '../_shared/connection.ts';

/** Resolves `Query.jobs`: a page of jobs across providers; a failing provider becomes an error beside the data. */
export const jobs: NonNullable<QueryResolvers['jobs']> = (_p, args, ctx, info) => resolveConnection('job', args, ctx, info);
