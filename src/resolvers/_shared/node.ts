/**
 * Looks up any entity by its global id, for `node` and `nodes`.
 */
import { decodeGlobalId } from '../../domain/ids.ts';
import type { EntityModel } from '../../domain/models.ts';
import type { GatewayContext } from '../../server/context.ts';

/** The entity a global id names, or null when its provider is not configured, it names a provider, or the provider does not have it; BAD_USER_INPUT naming `field` when it is malformed. */
export async function loadNode(id: string, ctx: GatewayContext, field: string): Promise<EntityModel | null> {
  const d = decodeGlobalId(id, field);
  if (d.kind === 'provider' || !ctx.providers.get(d.providerId)) return null;
  return ctx.loaders.load(d.kind, d.providerId, d.nativeId);
}
