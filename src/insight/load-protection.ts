/**
 * The protection of resources as resolvers need it: evidence through the request's batched loader,
 * the rule applied at the request's "now". A provider that fails makes its resources UNKNOWN; the
 * caller decides where the error goes (beside the field, or once for a summary).
 */
import type { ResourceModel } from '../domain/models.ts';
import type { GatewayContext } from '../server/context.ts';
import type { ProtectionEvidence, ProtectionStatus } from '../domain/protection.ts';
import { protectionOf, protectionStatusOf, type ResourceProtectionModel } from './protection-model.ts';

/**
 * The protection of `resource` and, when its provider failed, the error. A provider without the
 * protection capability cannot tell: UNKNOWN, and no error (nothing failed).
 */
export async function loadProtection(resource: ResourceModel, ctx: GatewayContext): Promise<{ protection: ResourceProtectionModel; error: unknown }> {
  const { evidence, error } = await loadEvidence(resource, ctx);
  return { protection: protectionOf(ctx.insight.options, resource, evidence, ctx.insight.now), error };
}

/** The status alone {@link loadProtection} would give `resource` (what a summary counts), and the error. */
export async function loadProtectionStatus(resource: ResourceModel, ctx: GatewayContext): Promise<{ status: ProtectionStatus; error: unknown }> {
  const { evidence, error } = await loadEvidence(resource, ctx);
  return { status: protectionStatusOf(ctx.insight.options, resource, evidence, ctx.insight.now), error };
}

/** The evidence of `resource` through the request's loader: null without the capability, the Error when its provider failed. */
async function loadEvidence(resource: ResourceModel, ctx: GatewayContext): Promise<{ evidence: ProtectionEvidence | Error | null; error: unknown }> {
  if (!ctx.providers.get(resource.provider.id)?.protection) return { evidence: null, error: null };
  try {
    return { evidence: await ctx.loaders.protection(resource), error: null };
  } catch (e) {
    return { evidence: e instanceof Error ? e : new Error(String(e)), error: e };
  }
}
