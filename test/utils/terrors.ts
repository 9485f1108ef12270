/**
 * Error helpers for unit tests.
 */
import { GatewayError } from '../../src/domain/errors.ts';

/** What `fn` throws as `CODE:field` for a GatewayError, `other:<name>` for anything else, `no error` when it returns. */
export function codeOf(fn: () => unknown): string {
  try {
    fn();
  } catch (e) {
    return e instanceof GatewayError ? `${e.code}:${e.extensions.field}` : `other:${(e as Error).name}`;
  }
  return 'no error';
}
