/**
 * `Mutation.createDownloadLink`: a short-lived download link for a backup.
 */
import { actionOf, decodeBackupId, once } from '../_shared/actions.ts';
import { mutationPayload } from '../_shared/user-errors.ts';

/** Resolves `Mutation.createDownloadLink`: the link and when it expires. */
export const createDownloadLink = mutationPayload<'createDownloadLink'>(async (_p, { input }, ctx) => {
  const b = decodeBackupId(input.backupId, 'input.backupId');
  const act = actionOf(ctx, b.providerId, 'createDownloadLink', 'downloading a backup');
  return once(ctx, 'createDownloadLink', input, () => act(b.nativeId, ctx.upstream));
});
