/**
 * `Query.viewer`: the caller of this request, as the tenant scope sees it.
 */
import type { QueryResolvers } from '../../generated/graphql.ts';

/** Resolves `Query.viewer`: the request's caller (its fields come from the scope, see `Viewer.ts`). */
export const viewer: NonNullable<QueryResolvers['viewer']> = (_p, _a, ctx) => ctx.caller;
