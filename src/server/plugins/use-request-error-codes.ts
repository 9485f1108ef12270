/**
 * Request errors carry a code like every other error:
 * - a validation error (unknown field, wrong argument type, bad literal...) is BAD_USER_INPUT
 *   unless it came with its own code (a query limit's, a scalar's); yoga still answers it 400
 *   under `application/graphql-response+json`;
 * - yoga's body-less 415 (no request parser for the content type) and 406 (no result processor
 *   for the `Accept` header) answers get a GraphQL error body: UNSUPPORTED_MEDIA_TYPE and
 *   NOT_ACCEPTABLE, status and headers kept.
 * Variable coercion errors are coded where errors are masked (`use-error-masking.ts`).
 */
import type { GraphQLError } from 'graphql';
import { createGraphQLError, type Plugin } from 'graphql-yoga';
import { codedErrorBody } from '../errors.ts';

/** The code a validation error without one gets. */
export const VALIDATION_ERROR_CODE = 'BAD_USER_INPUT';

/** The codes yoga's body-less answers get, by status (metrics count those answers by them too). */
export const EMPTY_ANSWER_CODES: Readonly<Record<number, string>> = { 415: 'UNSUPPORTED_MEDIA_TYPE', 406: 'NOT_ACCEPTABLE' };

/** The error body of a body-less answer of `status`, by status; others are left as they are. */
const EMPTY_ANSWERS: Record<number, { code: string; message: (response: Response) => string }> = {
  415: {
    code: EMPTY_ANSWER_CODES[415],
    message: () => 'Unsupported Media Type: send the GraphQL request as application/json (or use GET)',
  },
  406: {
    code: EMPTY_ANSWER_CODES[406],
    message: (r) => `Not Acceptable: accept one of ${r.headers.get('accept') || 'application/graphql-response+json, application/json'}`,
  },
};

/** `e` with `code`, a new error with everything else kept. */
function withCode(e: GraphQLError, code: string): GraphQLError {
  return createGraphQLError(e.message, {
    nodes: e.nodes, source: e.source, positions: e.positions, path: e.path, originalError: e.originalError,
    extensions: { ...e.extensions, code },
  });
}

/** Codes validation errors and gives yoga's empty 415/406 answers a GraphQL error body. */
export function useRequestErrorCodes(): Plugin {
  // One after-validation hook for every request (it captures nothing of one).
  const afterValidate: AfterValidateHook = ({ valid, result, setResult }) => {
    if (valid) return;
    setResult(result.map((e) => (typeof e.extensions?.code === 'string' ? e : withCode(e, VALIDATION_ERROR_CODE))));
  };
  return {
    onValidate: () => afterValidate,
    onResponse({ response, setResponse, fetchAPI }) {
      const answer = EMPTY_ANSWERS[response.status];
      if (!answer || response.body !== null) return;
      const headers = new fetchAPI.Headers(response.headers);
      headers.set('content-type', 'application/json; charset=utf-8');
      const body = codedErrorBody(answer.code, answer.message(response));
      setResponse(new fetchAPI.Response(body, { status: response.status, statusText: response.statusText, headers }));
    },
  };
}

/** What an `onValidate` hook may return: the hook run once validation is done. */
type AfterValidateHook = Extract<ReturnType<NonNullable<Plugin['onValidate']>>, (...args: never[]) => unknown>;
