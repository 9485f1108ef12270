/**
 * `Mutation.setPolicyEnabled`: enables or disables an attached policy.
 */
import { actionOf, decodePolicyAttachment, once } from '../_shared/actions.ts';
import { mutationPayload } from '../_shared/user-errors.ts';

/** Resolves `Mutation.setPolicyEnabled`: the attachment as a schedule, as the provider has it now. */
export const setPolicyEnabled = mutationPayload<'setPolicyEnabled'>(async (_p, { input }, ctx) => {
  const r = decodePolicyAttachment(input);
  const act = actionOf(ctx, r.providerId, 'setPolicyEnabled', 'enabling or disabling a policy');
  return { schedule: await once(ctx, 'setPolicyEnabled', input, () => act(r.nativeId, input.policyId, input.enabled, ctx.upstream)) };
});
