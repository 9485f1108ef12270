/**
 * The protection of resources as resolvers need it: evidence through the request's batched loader,
 * the rule applied at the request's "now". A provider that fails makes its resources UNKNOWN; the
 * caller decides where the error goes (beside the field, or once for a summary).
 */
import type { ResourceModel } from '../domain/models.ts';
import type { GatewayContext } from '../server/context.ts';
import { protectionOf, type ResourceProtectionModel } from './protection-model.ts';

/**
 * The protection of `resource` and, when its provider failed, the error. A provider without the
 * protection capability cannot tell: UNKNOWN, and no error (nothing failed).
 */
export async function loadProtection(resource: ResourceModel, ctx: GatewayContext): Promise<{ protection: ResourceProtectionModel; error: unknown }> {
  if (!ctx.providers.get(resource.provider.id)?.protection) {
    return { protection: protectionOf(ctx.insight.options, resource, null, ctx.insight.now), error: null };
  }
  let evidence;
  let error: unknown = null;
  try {
    evidence = await ctx.loaders.protection(resource);
  } catch (e) {
    error = e;
    evidence = e instanceof Error ? e : new Error(String(e));
  }
  return { protection: protectionOf(ctx.insight.options, resource, evidence, ctx.insight.now), error };
}
