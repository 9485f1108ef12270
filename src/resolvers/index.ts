/**
 * All resolvers of the gateway, assembled for a given set of providers (their provider-specific
 * lazy fields are wired here).
 */
import type { Resolvers } from '../generated/graphql.ts';
import type { ConnectionModel } from '../domain/connection.ts';
import type { EntityModel } from '../domain/models.ts';
import type { ProviderSet } from '../providers/registry.ts';
import type { GatewayContext } from '../server/context.ts';
import { decodeGlobalId } from '../domain/ids.ts';
import { ByteCountScalar, DateTimeScalar, JsonScalar } from '../server/scalars.ts';
import { Alert, Backup, Job, Organization, Resource, Schedule } from './entities.ts';
import { Provider, ProviderCapabilities } from './Provider.ts';
import { Query } from './Query.ts';
import { Subscription } from './Subscription.ts';
import { ActionQueries, Mutation } from './Mutation.ts';

const CONNECTIONS = ['Organization', 'Resource', 'Backup', 'Job', 'Alert', 'Schedule'].map((t) => `${t}Connection`);

/** Resolvers for provider-specific fields that need their own upstream call, dispatched per instance. */
function providerFieldResolvers(providers: ProviderSet) {
  const out: Record<string, Record<string, unknown>> = {};
  for (const adapter of providers.list) {
    for (const [type, fields] of Object.entries(adapter.fieldResolvers ?? {})) {
      for (const field of Object.keys(fields)) {
        (out[type] ??= {})[field] = (m: EntityModel, args: Record<string, unknown>, ctx: GatewayContext) => {
          const fn = ctx.providers.get(m.provider.id)?.fieldResolvers?.[type]?.[field];
          return fn ? fn(m, args, ctx.upstream) : null;
        };
      }
    }
  }
  return out;
}

/** Builds the resolver map. */
export function createResolvers(providers: ProviderSet): Resolvers {
  const connections = Object.fromEntries(
    CONNECTIONS.map((name) => [name, { totalCount: (c: ConnectionModel) => c.totalCount() }]),
  );
  return {
    DateTime: DateTimeScalar,
    ByteCount: ByteCountScalar,
    JSON: JsonScalar,
    Node: { __resolveType: (m: EntityModel) => m.typename as never },
    Query: { ...Query, ...ActionQueries },
    Mutation,
    Subscription,
    RetentionPreviewItem: {
      backup: (i: { backupNativeId: string; backupId?: string }, _a: unknown, ctx: GatewayContext) =>
        ctx.loaders.load('backup', decodeGlobalId(i.backupId!).providerId, i.backupNativeId),
    },
    Provider,
    ProviderCapabilities,
    Organization,
    Resource,
    Backup,
    Job,
    Alert,
    Schedule,
    ...connections,
    ...providerFieldResolvers(providers),
  } as Resolvers;
}
