/**
 * What a span may say of a failure: a code from a closed vocabulary, never a message (messages can
 * carry input, ids or upstream text).
 */
import { SpanStatusCode, type Span } from '@opentelemetry/api';
import { GatewayError } from '../../domain/errors.ts';
import { isUpstreamError, toGatewayError } from '../../upstream/errors.ts';

/** An error code made of capitals, digits and `_` (ours, graphql's, undici's and Node's are). */
const CODE = /^[A-Z][A-Z0-9_]{0,63}$/;

/**
 * The code of `e` for a span's status and `error.type`: the gateway code of gateway and typed
 * upstream errors, a coded `GraphQLError`'s `extensions.code`, a Node or undici `code`
 * (`ECONNRESET`, `UND_ERR_HEADERS_TIMEOUT`), `AbortError` for an abort, else `INTERNAL`.
 */
export function errorCodeOf(e: unknown): string {
  if (e instanceof GatewayError) return e.code;
  if (isUpstreamError(e)) return toGatewayError(e).code;
  if (typeof e !== 'object' || e === null) return 'INTERNAL';
  const ext = (e as { extensions?: { code?: unknown } }).extensions?.code;
  if (typeof ext === 'string' && CODE.test(ext)) return ext;
  const code = (e as { code?: unknown }).code;
  if (typeof code === 'string' && CODE.test(code)) return code;
  if ((e as Error).name === 'AbortError') return 'AbortError';
  return 'INTERNAL';
}

/** Marks `span` failed by `e`: `error.type` and an ERROR status, both {@link errorCodeOf} (never a message). */
export function markFailed(span: Span, e: unknown): void {
  const code = errorCodeOf(e);
  span.setAttribute('error.type', code);
  span.setStatus({ code: SpanStatusCode.ERROR, message: code });
}
