/**
 * `Resource`: the unified fields every concrete resource type inherits.
 */
import type { ResourceResolvers } from '../generated/graphql.ts';
import { nestedConnection } from './_shared/connection.ts';
import { idOf, organizationOf, resolveTypeOf } from './_shared/entity.ts';

const schedulesOf = nestedConnection('schedule', 'resourceId');

/** Resolvers of `Resource`: its concrete type, global id, organization, and its backups, jobs and schedules at its provider. */
export const Resource: ResourceResolvers = {
  __resolveType: resolveTypeOf<ResourceResolvers>(),
  id: idOf('resource'),
  organization: organizationOf,
  backups: nestedConnection('backup', 'resourceId'),
  jobs: nestedConnection('job', 'resourceId'),
  schedules: async (m, _a, ctx, info) => (await schedulesOf(m, { first: 100 }, ctx, info)).nodes,
};
