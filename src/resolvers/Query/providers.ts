/**
 * `Query.providers`: the configured provider instances.
 */
import type { QueryResolvers } from '../../generated/graphql.ts';

/** Resolves `Query.providers`: every configured instance, in config order. */
export const providers: NonNullable<QueryResolvers['providers']> = (_p, _a, ctx) => ctx.providers.list.map((a) => a.ref);
