/**
 * `Mutation.createPolicy`: creates a backup policy.
 */
import { actionOf, checkPolicyInput, once } from '../_shared/actions.ts';
import { mutationPayload } from '../_shared/user-errors.ts';

/** Resolves `Mutation.createPolicy`: the new policy; bad input is a BAD_USER_INPUT user error, found before any upstream call. */
export const createPolicy = mutationPayload<'createPolicy'>(async (_p, { input }, ctx) => {
  const checked = checkPolicyInput(input);
  const act = actionOf(ctx, input.provider, 'createPolicy', 'creating a policy');
  return { policy: await once(ctx, 'createPolicy', input, () => act(checked, ctx.upstream)) };
});
