/**
 * `Role`: each GraphQL value stands for the access layer's `Role`.
 */
import type { RoleResolvers } from '../generated/graphql.ts';

/** The internal value of every `Role` value (codegen maps the enum onto `Role` of `src/access/caller.ts`). */
export const Role = { READER: 'reader', OPERATOR: 'operator', ADMIN: 'admin' } satisfies Required<RoleResolvers>;
