/**
 * Root query fields: providers, node/nodes and the six cross-provider lists.
 */
import { badUserInput } from '../domain/errors.ts';
import { decodeGlobalId } from '../domain/ids.ts';
import type { EntityModel } from '../domain/models.ts';
import type { QueryResolvers } from '../generated/graphql.ts';
import type { GatewayContext } from '../server/context.ts';
import { resolveConnection } from './connection.ts';

/** Most ids `nodes(ids:)` takes at once. */
export const MAX_NODES = 100;

async function loadNode(id: string, ctx: GatewayContext, field: string): Promise<EntityModel | null> {
  const d = decodeGlobalId(id, field);
  if (d.kind === 'provider' || !ctx.providers.get(d.providerId)) return null;
  return ctx.loaders.load(d.kind, d.providerId, d.nativeId);
}

/** Resolvers of `Query`. */
export const Query: QueryResolvers = {
  providers: (_p, _a, ctx) => [...ctx.providers.list.map((a) => a.ref)],
  node: (_p, { id }, ctx) => loadNode(id, ctx, 'id') as never,
  nodes: (_p, { ids }, ctx) => {
    if (ids.length > MAX_NODES) throw badUserInput(`ids: at most ${MAX_NODES} ids at once`, 'ids');
    ids.forEach((id, i) => decodeGlobalId(id, `ids[${i}]`));
    return Promise.all(ids.map((id, i) => loadNode(id, ctx, `ids[${i}]`))) as never;
  },
  organizations: (_p, args, ctx, info) => resolveConnection('organization', args, ctx, info),
  resources: (_p, args, ctx, info) => resolveConnection('resource', args, ctx, info),
  backups: (_p, args, ctx, info) => resolveConnection('backup', args, ctx, info),
  jobs: (_p, args, ctx, info) => resolveConnection('job', args, ctx, info),
  alerts: (_p, args, ctx, info) => resolveConnection('alert', args, ctx, info),
  schedules: (_p, args, ctx, info) => resolveConnection('schedule', args, ctx, info),
};
