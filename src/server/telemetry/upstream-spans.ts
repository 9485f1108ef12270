/**
 * The upstream clients' tracer: one client span per HTTP attempt (retries are spans of their own)
 * and per SSE stream opening, a child of whatever span is active (the resolver's, else the
 * request's), with its W3C `traceparent` added to the attempt's headers.
 *
 * Attributes name the provider and the route template only: never the real path (ids), the query
 * string, a header or a body.
 */
import { SpanKind, SpanStatusCode, context, defaultTextMapSetter, trace, type Attributes } from '@opentelemetry/api';
import type { UpstreamTracer } from '../../upstream/client.ts';
import type { Tracing } from './create-tracing.ts';
import { markFailed } from './error-code.ts';

/** Span attribute names of upstream calls (HTTP client semantic conventions, plus ours). */
export const UPSTREAM_ATTRIBUTES = {
  provider: 'backup_graph.provider',
  stream: 'backup_graph.upstream.stream',
  method: 'http.request.method',
  route: 'url.template',
  status: 'http.response.status_code',
  resendCount: 'http.request.resend_count',
  errorType: 'error.type',
} as const;

/** Builds the {@link UpstreamTracer} every provider client of a gateway receives. */
export function createUpstreamTracer(tracing: Pick<Tracing, 'tracer' | 'propagator'>): UpstreamTracer {
  const { tracer, propagator } = tracing;
  const A = UPSTREAM_ATTRIBUTES;
  return {
    async attempt(call, headers, run, statusOf) {
      const attributes: Attributes = { [A.provider]: call.provider, [A.method]: call.method, [A.route]: call.route };
      if (call.attempt > 0) attributes[A.resendCount] = call.attempt;
      if (call.stream) attributes[A.stream] = true;
      const parent = context.active();
      const span = tracer.startSpan(`${call.method} ${call.route}`, { kind: SpanKind.CLIENT, attributes }, parent);
      propagator.inject(trace.setSpan(parent, span), headers, defaultTextMapSetter);
      try {
        const value = await run();
        const status = statusOf(value);
        span.setAttribute(A.status, status);
        // HTTP client convention: 4xx and 5xx answers are errors of the call.
        if (status >= 400) {
          span.setAttribute(A.errorType, String(status));
          span.setStatus({ code: SpanStatusCode.ERROR, message: String(status) });
        }
        return value;
      } catch (e) {
        markFailed(span, e);
        throw e;
      } finally {
        span.end();
      }
    },
  };
}
