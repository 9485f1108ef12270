/**
 * `Mutation.createDownloadLink`: a short-lived download link for a backup.
 */
import type { MutationResolvers } from '../../generated/graphql.ts';
import { actionOf, decodeBackupId, once } from '../_shared/actions.ts';

/** Resolves `Mutation.createDownloadLink`: the link and when it expires. */
export const createDownloadLink: NonNullable<MutationResolvers['createDownloadLink']> = async (_p, { input }, ctx) => {
  const b = decodeBackupId(input.backupId, 'input.backupId');
  const act = actionOf(ctx, b.providerId, 'createDownloadLink', 'downloading a backup');
  return once(ctx, 'createDownloadLink', input, () => act(b.nativeId, ctx.upstream));
};
