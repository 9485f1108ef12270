/**
 * `Query.backups`: the backups of every selected provider as one connection.
 */
import type { QueryResolvers } from '../../generated/graphql.ts';
import { resolveConnection } from '../_shared/connection.ts';

/** Resolves `Query.backups`: a page of backups across providers; a failing provider becomes an error beside the data. */
export const backups: NonNullable<QueryResolvers['backups']> = (_p, args, ctx, info) => resolveConnection('backup', args, ctx, info);
