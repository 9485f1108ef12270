/**
 * What a client may see of an error. Known failures (gateway errors, typed upstream failures,
 * GraphQL errors raised with a code) become their client error via `toClientError`; parse,
 * validation and coercion errors pass as they are; anything else is logged and masked as
 * INTERNAL_SERVER_ERROR with yoga's message. Plugged into yoga's `maskedErrors` option.
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
  originalError?: unknown;
  extensions?: Record<string, unknown>;
}
const isLocated = (e: unknown): e is LocatedError => typeof e === 'object' && e !== null && (e as Error).name === 'GraphQLError';
const isWrapped = (e: unknown): e is LocatedError & { originalError: unknown } => isLocated(e) && e.originalError != null;

/** yoga's `maskedErrors` option: the gateway's `maskError`. */
export function useErrorMasking({ logger }: ErrorMaskingOptions): Pick<YogaMaskedErrorOpts, 'maskError'> {
  return {
    maskError(error, message) {
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
