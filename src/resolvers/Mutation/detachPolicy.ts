/**
 * `Mutation.detachPolicy`: detaches a backup policy from a resource.
 */
import type { MutationResolvers } from '../../generated/graphql.ts';
import { actionOf, decodePolicyAttachment, once } from '../_shared/actions.ts';

/** Resolves `Mutation.detachPolicy`: the resource after the detach. */
export const detachPolicy: NonNullable<MutationResolvers['detachPolicy']> = async (_p, { input }, ctx) => {
  const r = decodePolicyAttachment(input);
  const act = actionOf(ctx, r.providerId, 'detachPolicy', 'detaching a policy');
  await once(ctx, 'detachPolicy', input, () => act(r.nativeId, input.policyId, ctx.upstream));
  return { resource: await ctx.loaders.load('resource', r.providerId, r.nativeId) };
};
