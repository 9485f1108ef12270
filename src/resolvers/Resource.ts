/**
 * `Resource`: the unified fields every concrete resource type inherits.
 */
import { responsePathAsArray } from 'graphql';
import type { ResourceResolvers } from '../generated/graphql.ts';
import { loadProtection } from '../insight/load-protection.ts';
import { providerFailureError } from '../server/errors.ts';
import { nestedConnection } from './_shared/connection.ts';
import { idOf, organizationOf, resolveTypeOf } from './_shared/entity.ts';

const schedulesOf = nestedConnection('schedule', 'resourceId');

/**
 * Resolvers of `Resource`: its concrete type, global id, organization, its backups, jobs and
 * schedules at its provider, and its protection (batched per provider; a provider failure makes it
 * UNKNOWN with the error beside the data).
 */
export const Resource: ResourceResolvers = {
  __resolveType: resolveTypeOf<ResourceResolvers>(),
  id: idOf('resource'),
  organization: organizationOf,
  backups: nestedConnection('backup', 'resourceId'),
  jobs: nestedConnection('job', 'resourceId'),
  schedules: async (m, _a, ctx, info) => (await schedulesOf(m, { first: 100 }, ctx, info)).nodes,
  protection: async (m, _a, ctx, info) => {
    const { protection, error } = await loadProtection(m, ctx);
    if (error !== null) ctx.partialErrors.push(providerFailureError(m.provider.id, error, responsePathAsArray(info.path)));
    return protection;
  },
};
