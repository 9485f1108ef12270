/**
 * `ProgressSource`: each GraphQL value stands for the domain's `ProgressSource`.
 */
import type { ProgressSourceResolvers } from '../generated/graphql.ts';

/** The internal value of every `ProgressSource` value (codegen maps the enum onto `ProgressSource` of the domain). */
export const ProgressSource = { SSE: 'sse', POLL: 'poll' } satisfies Required<ProgressSourceResolvers>;
