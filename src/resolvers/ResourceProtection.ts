/**
 * `ResourceProtection`: the assessment's fields resolve by name; `missedRuns(since:)` looks at the
 * window it is asked for.
 */
import { badUserInput } from '../domain/errors.ts';
import { missedRunsOf } from '../domain/protection.ts';
import type { ResourceProtectionResolvers } from '../generated/graphql.ts';

/** Resolvers of `ResourceProtection`: `missedRuns` of the RPO window, or from `since` (BAD_USER_INPUT when it is in the future). */
export const ResourceProtection: ResourceProtectionResolvers = {
  missedRuns: (m, { since }) => {
    if (since == null) return m.missedRunsInWindow;
    const from = Date.parse(since);
    if (from > m.nowMs) throw badUserInput('since must not be in the future', 'since');
    return m.evidence ? missedRunsOf(m.evidence, from, m.nowMs) : [];
  },
};
