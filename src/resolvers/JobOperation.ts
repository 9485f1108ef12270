/**
 * `JobOperation`: each GraphQL value stands for the domain's `JobModel['operation']`.
 */
import type { JobOperationResolvers } from '../generated/graphql.ts';

/** The internal value of every `JobOperation` value (codegen maps the enum onto `JobOperation` of the domain). */
export const JobOperation = { BACKUP: 'backup', RESTORE: 'restore' } satisfies Required<JobOperationResolvers>;
