/**
 * `Alert`: the unified fields every concrete alert type inherits.
 */
import type { AlertResolvers } from '../generated/graphql.ts';
import { idOf, linkTo, organizationOf, resolveTypeOf } from './_shared/entity.ts';

/** Resolvers of `Alert`: its concrete type, global id, organization, and the resource and backup it is about. */
export const Alert: AlertResolvers = {
  __resolveType: resolveTypeOf<AlertResolvers>(),
  id: idOf('alert'),
  organization: organizationOf,
  resource: linkTo('resource'),
  backup: linkTo('backup'),
};
