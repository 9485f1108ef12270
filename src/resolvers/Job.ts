/**
 * `Job`: the unified fields every concrete job type inherits.
 */
import type { JobResolvers } from '../generated/graphql.ts';
import { idOf, linkTo, organizationOf, resolveTypeOf } from './_shared/entity.ts';

/** Resolvers of `Job`: its concrete type, global id, organization, resource and the backup it made or restored. */
export const Job: JobResolvers = {
  __resolveType: resolveTypeOf<JobResolvers>(),
  id: idOf('job'),
  organization: organizationOf,
  resource: linkTo('resource'),
  backup: linkTo('backup'),
};
