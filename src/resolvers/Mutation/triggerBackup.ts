/**
 * `Mutation.triggerBackup`: starts a backup of a resource now.
 */
import { badUserInput } from '../../domain/errors.ts';
import { checkNativeId, decodeGlobalIdOf } from '../../domain/ids.ts';
import { checkText } from '../../domain/validation.ts';
import { actionOf, once, started, withoutNulls } from '../_shared/actions.ts';
import { mutationPayload } from '../_shared/user-errors.ts';

/** Resolves `Mutation.triggerBackup`: what the backup started and the id to follow its progress by; bad input is a BAD_USER_INPUT user error, found before any upstream call. */
export const triggerBackup = mutationPayload<'triggerBackup'>(async (_p, { input }, ctx) => {
  const r = decodeGlobalIdOf(input.resourceId, 'resource', 'input.resourceId');
  if (input.name != null) checkText(input.name, 'input.name', 255);
  if (input.policyId) checkNativeId(input.policyId, 'policy', 'input.policyId', 2048);
  const act = actionOf(ctx, r.providerId, 'triggerBackup', 'triggering a backup');
  const op = await once(ctx, 'triggerBackup', input, () =>
    act({ resourceNativeId: r.nativeId, ...withoutNulls({ backupType: input.backupType?.toLowerCase(), policyId: input.policyId, name: input.name, description: input.description, incremental: input.incremental, force: input.force }) }, ctx.upstream),
  );
  return started(ctx, r.providerId, op);
});
