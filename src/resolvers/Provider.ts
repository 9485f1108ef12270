/**
 * `Provider`: a configured instance, its health probe and its capabilities.
 */
import type { ProviderCapabilitiesResolvers, ProviderResolvers } from '../generated/graphql.ts';

/** Resolvers of `Provider` (parent: the instance's ProviderRef). */
export const Provider: ProviderResolvers = {
  id: (ref) => ref.id,
  kind: (ref) => ref.kind.toUpperCase() as never,
  name: (ref) => ref.name,
  health: (ref, _a, ctx) => ctx.providers.get(ref.id)!.health(ctx.upstream),
  capabilities: (ref, _a, ctx) => ctx.providers.get(ref.id)!.capabilities,
};

/** Resolvers of `ProviderCapabilities` (enum values upper-cased). */
export const ProviderCapabilities: ProviderCapabilitiesResolvers = {
  lists: (c) => c.lists.map((k) => k.toUpperCase()) as never,
  progress: (c) => (c.progress ? (c.progress.toUpperCase() as never) : null),
};
