/**
 * `Schedule`: the unified fields every concrete schedule type inherits.
 */
import type { ScheduleResolvers } from '../generated/graphql.ts';
import { idOf, linkTo, organizationOf, resolveTypeOf } from './_shared/entity.ts';

/** Resolvers of `Schedule`: its concrete type, global id, organization and the resource it schedules. */
export const Schedule: ScheduleResolvers = {
  __resolveType: resolveTypeOf<ScheduleResolvers>(),
  id: idOf('schedule'),
  organization: organizationOf,
  resource: linkTo('resource'),
};
