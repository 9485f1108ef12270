/**
 * `Backup`: the unified fields every concrete backup type inherits.
 */
import type { BackupResolvers } from '../generated/graphql.ts';
import { idOf, linkTo, organizationOf, resolveTypeOf } from './_shared/entity.ts';

/** Resolvers of `Backup`: its concrete type, global id, organization and the resource it protects. */
export const Backup: BackupResolvers = {
  __resolveType: resolveTypeOf<BackupResolvers>(),
  id: idOf('backup'),
  organization: organizationOf,
  resource: linkTo('resource'),
};
