/**
 * `Mutation.verifyBackup`: asks the provider to verify a backup.
 */
import { actionOf, decodeBackupId, once } from '../_shared/actions.ts';
import { mutationPayload } from '../_shared/user-errors.ts';

/** Resolves `Mutation.verifyBackup`: whether the provider accepted the request, and the backup as it is now. */
export const verifyBackup = mutationPayload<'verifyBackup'>(async (_p, { input }, ctx) => {
  const b = decodeBackupId(input.backupId, 'input.backupId');
  const act = actionOf(ctx, b.providerId, 'verifyBackup', 'verifying a backup');
  const r = await once(ctx, 'verifyBackup', input, () => act(b.nativeId, ctx.upstream));
  return { ...r, backup: await ctx.loaders.load('backup', b.providerId, b.nativeId) };
});
