/**
 * `Viewer`: who is calling and what it may see, read off the request's tenant scope (never the
 * credential, which the caller does not hold).
 */
import type { ViewerResolvers } from '../generated/graphql.ts';

/** Resolvers of `Viewer` (parent: the request's Caller): its visible providers and the global ids of the organizations it is limited to. */
export const Viewer: ViewerResolvers = {
  providers: (_c, _a, ctx) => ctx.providers.list.map((a) => a.ref),
  organizations: (_c, _a, ctx) => (ctx.scope.organizationIds === null ? null : [...ctx.scope.organizationIds]),
};
