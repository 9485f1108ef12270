/**
 * The outcome label of a client request: `OK`, or the code of its first error. Pure, so the
 * metrics plugin and its unit test agree on what a result's outcome is.
 */
import { Kind, getOperationAST, type DocumentNode } from 'graphql';

/** The outcome of a result without errors (a stream's, too: its outcome is that it started). */
export const OK_OUTCOME = 'OK';
/** The outcome of an error that carries no code (none should: every expected error is coded). */
export const UNCODED_OUTCOME = 'UNCODED';
/** The operation type of a request whose document did not parse (or was never sent). */
export const UNKNOWN_OPERATION = 'unknown';

const CODE = /^[A-Z][A-Z0-9_]{0,63}$/;

type ErrorLike = { extensions?: Record<string, unknown> | null };
type ResultLike = { errors?: readonly ErrorLike[] | null };

/** The code of `error`, or {@link UNCODED_OUTCOME} when it has none of the shape of a code. */
function codeOf(error: ErrorLike | undefined): string {
  const code = error?.extensions?.code;
  return typeof code === 'string' && CODE.test(code) ? code : UNCODED_OUTCOME;
}

/**
 * `OK` when `result` has no errors (or is a stream), else its first error's code. A batch
 * (an array of results) takes its first failed result's.
 */
export function outcomeOf(result: unknown): string {
  if (result === null || typeof result !== 'object' || Symbol.asyncIterator in result) return OK_OUTCOME;
  if (Array.isArray(result)) {
    const failed = result.find((r) => outcomeOf(r) !== OK_OUTCOME);
    return failed === undefined ? OK_OUTCOME : outcomeOf(failed);
  }
  const errors = (result as ResultLike).errors;
  return errors && errors.length > 0 ? codeOf(errors[0]) : OK_OUTCOME;
}

/**
 * `query`, `mutation` or `subscription`: the type of the operation `operationName` picks in
 * `document`; {@link UNKNOWN_OPERATION} when it picks none (a name that is not there, several
 * operations and no name).
 */
export function operationTypeOf(document: DocumentNode, operationName?: string | null): string {
  if (document.kind !== Kind.DOCUMENT) return UNKNOWN_OPERATION;
  return getOperationAST(document, operationName ?? undefined)?.operation ?? UNKNOWN_OPERATION;
}
