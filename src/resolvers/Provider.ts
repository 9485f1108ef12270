/**
 * `Provider`: a configured instance, its health probe and its capabilities. `id`, `kind` and
 * `name` are the `ProviderRef`'s own (see `ProviderKind.ts` for the kind's enum values).
 */
import type { ProviderResolvers } from '../generated/graphql.ts';
import { capabilitiesOf } from '../providers/contract/index.ts';

/** Resolvers of `Provider` (parent: the instance's ProviderRef): a fresh health probe, and the capabilities its adapter implements. */
export const Provider: ProviderResolvers = {
  health: (ref, _a, ctx) => ctx.providers.get(ref.id)!.health(ctx.upstream),
  capabilities: (ref, _a, ctx) => capabilitiesOf(ctx.providers.get(ref.id)!),
};
