/**
 * `Mutation.deleteBackup`: deletes a backup.
 */
import { actionOf, decodeBackupId, once } from '../_shared/actions.ts';
import { mutationPayload } from '../_shared/user-errors.ts';

/** Resolves `Mutation.deleteBackup`: the backup as it is now (often DELETING, null when gone) and the id deleted. */
export const deleteBackup = mutationPayload<'deleteBackup'>(async (_p, { input }, ctx) => {
  const b = decodeBackupId(input.backupId, 'input.backupId');
  const act = actionOf(ctx, b.providerId, 'deleteBackup', 'deleting a backup');
  const backup = await once(ctx, 'deleteBackup', input, () => act(b.nativeId, ctx.upstream));
  return { backup, deletedBackupId: input.backupId };
});
