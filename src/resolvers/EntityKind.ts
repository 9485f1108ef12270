/**
 * `EntityKind`: each GraphQL value stands for the domain's `EntityKind`.
 */
import type { EntityKindResolvers } from '../generated/graphql.ts';

/** The internal value of every `EntityKind` value (codegen maps the enum onto `EntityKind` of the domain). */
export const EntityKind = {
  ORGANIZATION: 'organization', RESOURCE: 'resource', BACKUP: 'backup', JOB: 'job', ALERT: 'alert', SCHEDULE: 'schedule',
} satisfies Required<EntityKindResolvers>;
