/**
 * `Organization`: the unified fields every concrete organization type inherits.
 */
import type { OrganizationResolvers } from '../generated/graphql.ts';
import { nestedConnection } from './_shared/connection.ts';
import { idOf, resolveTypeOf } from './_shared/entity.ts';

/** Resolvers of `Organization`: its concrete type, global id, and its resources and jobs at its provider. */
export const Organization: OrganizationResolvers = {
  __resolveType: resolveTypeOf<OrganizationResolvers>(),
  id: idOf('organization'),
  resources: nestedConnection('resource', 'organizationId'),
  jobs: nestedConnection('job', 'organizationId'),
};
