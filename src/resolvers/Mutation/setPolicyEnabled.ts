/**
 * `Mutation.setPolicyEnabled`: enables or disables an attached policy.
 */
import type { MutationResolvers } from '../../generated/graphql.ts';
import { actionOf, decodePolicyAttachment, once } from '../_shared/actions.ts';

/** Resolves `Mutation.setPolicyEnabled`: the attachment as a schedule, as the provider has it now. */
export const setPolicyEnabled: NonNullable<MutationResolvers['setPolicyEnabled']> = async (_p, { input }, ctx) => {
  const r = decodePolicyAttachment(input);
  const act = actionOf(ctx, r.providerId, 'setPolicyEnabled', 'enabling or disabling a policy');
  return { schedule: await once(ctx, 'setPolicyEnabled', input, () => act(r.nativeId, input.policyId, input.enabled, ctx.upstream)) };
};
