/**
 * What a client may see of an error. Request errors (nothing ran yet) pass as the same object, so
 * yoga logs nothing for them: a variable that does not coerce to its type becomes BAD_USER_INPUT
 * (HTTP 400, the executor's status), parse errors, query limits and yoga's request checks keep the
 * code they came with. Known failures (gateway errors, typed upstream failures, GraphQL errors raised
 * with a code) become their client error via `toClientError`; other located errors pass as they
 * are; anything else is logged and masked as INTERNAL_SERVER_ERROR with yoga's message. Plugged into
 * yoga's `maskedErrors` option.
 */
import type { GraphQLError } from 'graphql';
import { createGraphQLError, type YogaMaskedErrorOpts } from 'graphql-yoga';
import type { Logger } from 'pino';
import { toClientError } from '../errors.ts';

/** Options of {@link useErrorMasking}. */
export interface ErrorMaskingOptions {
  /** Receives every masked (unexpected) error: its name, message and stack. Never sent to clients. */
  logger: Pick<Logger, 'error'>;
}

interface LocatedError {
  message: string;
  path?: readonly (string | number)[];
  nodes?: readonly { kind: string }[];
  originalError?: unknown;
  extensions?: Record<string, unknown>;
}
const isLocated = (e: unknown): e is LocatedError => typeof e === 'object' && e !== null && (e as Error).name === 'GraphQLError';
const isWrapped = (e: unknown): e is LocatedError & { originalError: unknown } => isLocated(e) && e.originalError != null;
/** A variable's value did not coerce to its type: graphql locates the error at the variable's definition, outside any field. */
const isVariableError = (e: unknown): e is LocatedError => isLocated(e) && e.path == null && e.nodes?.[0]?.kind === 'VariableDefinition';
/** A request error that already has a code (parse errors, query limits, yoga's request checks): located outside any field, wrapping nothing. */
const isCodedRequestError = (e: unknown): e is LocatedError =>
  isLocated(e) && !isWrapped(e) && e.path == null && typeof e.extensions?.code === 'string';

/**
 * graphql's message for a variable that does not coerce, without the value it printed: `Variable
 * "$v" got invalid value <the value> at "v.path"; <reason>` prints the whole failing input object,
 * which may hold a secret the schema promises never to echo (Norcube `targetUri`). The variable,
 * the path and the reason stay, the reason without the value it prints again.
 */
function withoutValue(e: LocatedError): string {
  const reason = (e.originalError as Error | undefined)?.message;
  const name = /^Variable "\$([^"]+)" got invalid value /.exec(e.message);
  if (!name || typeof reason !== 'string' || !e.message.endsWith(`; ${reason}`)) return e.message;
  const prefix = e.message.slice(0, e.message.length - reason.length - 2);
  const at = prefix.lastIndexOf(` at "${name[1]}`);
  // A scalar's reason ends with the value again (`String cannot represent a non string value: <it>`): drop it there too.
  const printed = prefix.slice(name[0].length, at >= name[0].length ? at : undefined);
  const safeReason = printed ? reason.split(`: ${printed}`).join('') : reason;
  return `Variable "$${name[1]}" got an invalid value${at >= name[0].length ? prefix.slice(at) : ''}; ${safeReason}`;
}

/**
 * `e` itself, coded: yoga logs every error the mask replaces, so an expected one is changed in
 * place (as graphql-tools' executor sets its HTTP status): `code`, HTTP 400 unless it has a status,
 * and a message that does not echo the value.
 */
function codedInPlace(e: LocatedError, code: string): GraphQLError {
  const http = (e.extensions?.http ?? {}) as Record<string, unknown>;
  Object.defineProperty(e, 'extensions', { value: { ...e.extensions, code, http: { ...http, status: http.status ?? 400 } } });
  e.message = withoutValue(e);
  return e as unknown as GraphQLError;
}

/** yoga's `maskedErrors` option: the gateway's `maskError`. */
export function useErrorMasking({ logger }: ErrorMaskingOptions): Pick<YogaMaskedErrorOpts, 'maskError'> {
  return {
    maskError(error, message) {
      if (isVariableError(error)) return codedInPlace(error, 'BAD_USER_INPUT');
      if (isCodedRequestError(error)) return error as GraphQLError;
      // Unwrap located errors by shape, not by class: graphql may be loaded twice (ESM + CJS).
      let original: unknown = error;
      while (isWrapped(original)) original = original.originalError;
      const path = isLocated(error) ? error.path : undefined;
      const known = toClientError(original, path);
      if (known) return known;
      if (isLocated(error) && !isWrapped(error)) {
        // Parse, validation and coercion errors carry no original error and are safe to show.
        return error as GraphQLError;
      }
      const o = original as Error | undefined;
      logger.error({ err: { name: o?.name, message: o?.message, stack: o?.stack } }, 'unexpected error');
      return createGraphQLError(message, { path, extensions: { code: 'INTERNAL_SERVER_ERROR' } });
    },
  };
}
