/**
 * `Mutation.detachPolicy`: detaches a backup policy from a resource.
 */
import { actionOf, decodePolicyAttachment, once } from '../_shared/actions.ts';
import { mutationPayload } from '../_shared/user-errors.ts';

/** Resolves `Mutation.detachPolicy`: the resource after the detach. */
export const detachPolicy = mutationPayload<'detachPolicy'>(async (_p, { input }, ctx) => {
  const r = decodePolicyAttachment(input);
  const act = actionOf(ctx, r.providerId, 'detachPolicy', 'detaching a policy');
  await once(ctx, 'detachPolicy', input, () => act(r.nativeId, input.policyId, ctx.upstream));
  return { resource: await ctx.loaders.load('resource', r.providerId, r.nativeId) };
});
