/**
 * `Mutation.restoreBackup`: restores a backup into the same or another resource.
 */
import { badUserInput } from '../../domain/errors.ts';
import { decodeGlobalIdOf } from '../../domain/ids.ts';
import { actionOf, decodeBackupId, once, started, withoutNulls } from '../_shared/actions.ts';
import { mutationPayload } from '../_shared/user-errors.ts';

/** Resolves `Mutation.restoreBackup`: what the restore started and the id to follow its progress by; bad input is a BAD_USER_INPUT user error, found before any upstream call. */
export const restoreBackup = mutationPayload<'restoreBackup'>(async (_p, { input }, ctx) => {
  const b = decodeBackupId(input.backupId, 'input.backupId');
  let targetResourceNativeId: string | undefined;
  if (input.target === 'OTHER') {
    if (!input.targetResourceId) throw badUserInput('input.targetResourceId is required when input.target is OTHER', 'input.targetResourceId');
    const t = decodeGlobalIdOf(input.targetResourceId, 'resource', 'input.targetResourceId');
    if (t.providerId !== b.providerId) throw badUserInput('input.targetResourceId must be a resource of the backup\'s provider', 'input.targetResourceId');
    targetResourceNativeId = t.nativeId;
  } else if (input.targetResourceId) {
    throw badUserInput('input.targetResourceId is only for input.target OTHER', 'input.targetResourceId');
  }
  if (input.mode != null && !['new_database', 'overwrite', 'new_server'].includes(input.mode)) throw badUserInput('input.mode must be new_database, overwrite or new_server', 'input.mode');
  if (input.mode === 'overwrite' && input.confirmOverwrite !== true) throw badUserInput('input.confirmOverwrite must be true for overwrite mode', 'input.confirmOverwrite');
  const act = actionOf(ctx, b.providerId, 'restoreBackup', 'restoring a backup');
  const op = await once(ctx, 'restoreBackup', input, () =>
    act({
      backupNativeId: b.nativeId,
      targetType: input.target === 'OTHER' ? 'other' : 'same',
      ...withoutNulls({ targetResourceNativeId, pointInTime: input.pointInTime, targetDatabase: input.targetDatabase, targetUri: input.targetUri, mode: input.mode, confirmOverwrite: input.confirmOverwrite }),
    }, ctx.upstream),
  );
  return started(ctx, b.providerId, op);
});
