/**
 * `Mutation.attachPolicy`: attaches a backup policy to a resource.
 */
import type { MutationResolvers } from '../../generated/graphql.ts';
import { actionOf, decodePolicyAttachment, once } from '../_shared/actions.ts';

/** Resolves `Mutation.attachPolicy`: the attachment as a schedule, enabled unless `input.enabled` is false. */
export const attachPolicy: NonNullable<MutationResolvers['attachPolicy']> = async (_p, { input }, ctx) => {
  const r = decodePolicyAttachment(input);
  const act = actionOf(ctx, r.providerId, 'attachPolicy', 'attaching a policy');
  return { schedule: await once(ctx, 'attachPolicy', input, () => act(r.nativeId, input.policyId, input.enabled ?? true, ctx.upstream)) };
};
