/**
 * `Mutation.createPolicy`: creates a backup policy.
 */
import type { MutationResolvers } from '../../generated/graphql.ts';
import { actionOf, checkPolicyInput, once } from '../_shared/actions.ts';

/** Resolves `Mutation.createPolicy`: the new policy; BAD_USER_INPUT before any upstream call. */
export const createPolicy: NonNullable<MutationResolvers['createPolicy']> = async (_p, { input }, ctx) => {
  const checked = checkPolicyInput(input);
  const act = actionOf(ctx, input.provider, 'createPolicy', 'creating a policy');
  return { policy: await once(ctx, 'createPolicy', input, () => act(checked, ctx.upstream)) };
};
