/**
 * Abusive documents are rejected before they cost anything upstream (graphql-armor), each limit
 * with its own code in `extensions.code` and a message without armor's misleading "Syntax Error"
 * prefix. Limits checked while validating become validation errors (HTTP 400 under
 * `application/graphql-response+json`); the token limit, checked while parsing, fails the parse.
 *
 * armor's `costLimit` is not used: it multiplies by `first` only when it is a literal (a variable
 * or an absent `first` counted 1, so a 1.4 KB request could make 1,491 upstream calls). Cost, both
 * upstream calls and document complexity, is `useQueryCost`'s, computed with variables and defaults
 * applied; it answers `COST_LIMIT_EXCEEDED` (`QUERY_LIMIT_CODES.maxCost`).
 */
import { EnvelopArmorPlugin } from '@escape.tech/graphql-armor';
import type { GraphQLError } from 'graphql';
import { createGraphQLError, type Plugin } from 'graphql-yoga';

/** The code of each limit's rejection (`maxCost`: the code of `useQueryCost`'s refusals, upstream calls and complexity alike). */
export const QUERY_LIMIT_CODES = {
  maxDepth: 'QUERY_TOO_DEEP',
  maxAliases: 'TOO_MANY_ALIASES',
  maxTokens: 'TOO_MANY_TOKENS',
  maxDirectives: 'TOO_MANY_DIRECTIVES',
  maxCost: 'COST_LIMIT_EXCEEDED',
} as const;

/** A code of {@link QUERY_LIMIT_CODES}. */
export type QueryLimitCode = (typeof QUERY_LIMIT_CODES)[keyof typeof QUERY_LIMIT_CODES];

/** Options of {@link useQueryLimits}: the largest document the gateway runs. */
export interface QueryLimitsOptions {
  /** Deepest selection nesting. @default 12 */
  maxDepth?: number;
  /** Most aliases in one document. @default 30 */
  maxAliases?: number;
  /** Most lexical tokens in one document (counted while parsing). @default 8000 */
  maxTokens?: number;
  /** Most directives in one document. @default 50 */
  maxDirectives?: number;
}

/** The error a rejection becomes: armor's message without its "Syntax Error: " prefix, with `code`. */
function limitError(code: QueryLimitCode, rejected: GraphQLError): GraphQLError {
  return createGraphQLError(rejected.message.replace(/^Syntax Error: /, ''), { extensions: { code, http: { status: 400 } } });
}

/**
 * Reports a validation-time rejection as a validation error of `code` (armor then lets validation
 * go on instead of throwing its uncoded error).
 */
const reportAs = (code: QueryLimitCode) => ({
  propagateOnRejection: false,
  onReject: [(ctx: { reportError(e: GraphQLError): void } | null, e: GraphQLError) => ctx?.reportError(limitError(code, e))],
});

/** graphql-armor with the gateway's limits, each rejection coded. */
export function useQueryLimits(options: QueryLimitsOptions = {}): Plugin {
  const { maxDepth = 12, maxAliases = 30, maxTokens = 8000, maxDirectives = 50 } = options;
  return EnvelopArmorPlugin({
    maxDepth: { n: maxDepth, ...reportAs(QUERY_LIMIT_CODES.maxDepth) },
    maxAliases: { n: maxAliases, ...reportAs(QUERY_LIMIT_CODES.maxAliases) },
    maxDirectives: { n: maxDirectives, ...reportAs(QUERY_LIMIT_CODES.maxDirectives) },
    costLimit: { enabled: false }, // see useQueryCost
    // Counted by the lexer, with no validation context: the coded error fails the parse.
    maxTokens: {
      n: maxTokens,
      onReject: [(_ctx, e) => {
        throw limitError(QUERY_LIMIT_CODES.maxTokens, e);
      }],
    },
    blockFieldSuggestion: { enabled: false }, // GraphiQL is public by design; suggestions help
  }) as Plugin;
}
