/**
 * `Mutation.updatePolicy`: updates a backup policy.
 */
import { checkNativeId } from '../../domain/ids.ts';
import { checkText } from '../../domain/validation.ts';
import { actionOf, checkPolicyInput, once } from '../_shared/actions.ts';
import { mutationPayload } from '../_shared/user-errors.ts';

/** Resolves `Mutation.updatePolicy`: the policy after the update; fields left out keep their value. */
export const updatePolicy = mutationPayload<'updatePolicy'>(async (_p, { input }, ctx) => {
  const checked = checkPolicyInput(input);
  checkText(input.policyId, 'input.policyId');
  checkNativeId(input.policyId, 'policy', 'input.policyId');
  const act = actionOf(ctx, input.provider, 'updatePolicy', 'updating a policy');
  return { policy: await once(ctx, 'updatePolicy', input, () => act(input.policyId, checked, ctx.upstream)) };
});
