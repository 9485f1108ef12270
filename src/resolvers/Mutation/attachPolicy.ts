/**
 * `Mutation.attachPolicy`: attaches a backup policy to a resource.
 */
import { actionOf, decodePolicyAttachment, once } from '../_shared/actions.ts';
import { mutationPayload } from '../_shared/user-errors.ts';

/** Resolves `Mutation.attachPolicy`: the attachment as a schedule, enabled unless `input.enabled` is false. */
export const attachPolicy = mutationPayload<'attachPolicy'>(async (_p, { input }, ctx) => {
  const r = decodePolicyAttachment(input);
  const act = actionOf(ctx, r.providerId, 'attachPolicy', 'attaching a policy');
  return { schedule: await once(ctx, 'attachPolicy', input, () => act(r.nativeId, input.policyId, input.enabled ?? true, ctx.upstream)) };
});
