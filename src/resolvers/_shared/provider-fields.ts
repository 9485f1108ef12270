/**
 * The provider-specific fields that need their own upstream call (`BocadaJob.timeline`...), wired
 * as resolvers that dispatch to the adapter of the model's own provider instance.
 */
import type { EntityModel } from '../../domain/models.ts';
import type { ProviderSet } from '../../providers/registry.ts';
import type { GatewayContext } from '../../server/context.ts';

/** A resolver of one provider-specific lazy field; GraphQL checks what the adapter answers against the field's type. */
export type ProviderFieldResolver = (m: EntityModel, args: Record<string, unknown>, ctx: GatewayContext) => Promise<unknown> | null;

/** One resolver per lazy field any configured adapter declares, by concrete type then field name. */
export function providerFieldResolvers(providers: ProviderSet): Record<string, Record<string, ProviderFieldResolver>> {
  const out: Record<string, Record<string, ProviderFieldResolver>> = {};
  for (const adapter of providers.list) {
    for (const [type, fields] of Object.entries(adapter.fieldResolvers ?? {})) {
      for (const field of Object.keys(fields)) {
        (out[type] ??= {})[field] = (m, args, ctx) => {
          const fn = ctx.providers.get(m.provider.id)?.fieldResolvers?.[type]?.[field];
          return fn ? fn(m, args, ctx.upstream) : null;
        };
      }
    }
  }
  return out;
}
