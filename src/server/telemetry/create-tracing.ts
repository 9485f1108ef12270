/**
 * `createTracing`: this gateway's own OpenTelemetry tracer provider, exporting over OTLP/HTTP
 * (JSON) when an endpoint is configured, and nothing at all when it is not.
 *
 * Nothing is registered globally except the AsyncLocalStorage context manager (the API has one
 * context manager per process; it only carries the active span across `await`s and is harmless to
 * share): the tracer and the W3C propagator are handed explicitly to the plugin and the upstream
 * clients, so several gateways in one process (tests) each export to their own endpoint.
 */
import { context, type Tracer } from '@opentelemetry/api';
import { AsyncLocalStorageContextManager } from '@opentelemetry/context-async-hooks';
import { W3CTraceContextPropagator } from '@opentelemetry/core';
import { OTLPTraceExporter } from '@opentelemetry/exporter-trace-otlp-http';
import { resourceFromAttributes } from '@opentelemetry/resources';
import { BasicTracerProvider, BatchSpanProcessor } from '@opentelemetry/sdk-trace-base';

/** Where traces go (config `telemetry:`). */
export interface TelemetryOptions {
  /**
   * The OTLP/HTTP endpoint: a base URL (`http://collector:4318`, `/v1/traces` is appended, as for
   * `OTEL_EXPORTER_OTLP_ENDPOINT`) or the full traces URL (ending in `/v1/traces`). Absent: no
   * tracing at all (no provider, no spans, no `traceparent` sent upstream). @default undefined
   */
  otlpEndpoint?: string;
  /** The resource's `service.name`. @default 'backup-graph' */
  serviceName?: string;
  /** Headers sent with every export (a collector's API key); never logged, never on a span. @default {} */
  headers?: Record<string, string>;
}

/** A running tracer provider. */
export interface Tracing {
  /** Starts this gateway's spans. */
  readonly tracer: Tracer;
  /** Reads and writes W3C `traceparent` / `tracestate` headers. */
  readonly propagator: W3CTraceContextPropagator;
  /** Resolves once every span ended so far has been exported (or the export failed). */
  forceFlush(): Promise<void>;
  /** Flushes, then stops exporting; later spans are dropped. Later calls return the first call's promise. */
  shutdown(): Promise<void>;
}

/** The traces URL of an OTLP endpoint: a base URL gets `/v1/traces`, a traces URL stays as it is. */
export function tracesUrlOf(endpoint: string): string {
  const trimmed = endpoint.replace(/\/+$/, '');
  return trimmed.endsWith('/v1/traces') ? trimmed : `${trimmed}/v1/traces`;
}

let contextManagerSet = false;

/** Makes the active span follow `await`s (once per process; a manager set by the host stays). */
function ensureContextManager(): void {
  if (contextManagerSet) return;
  contextManagerSet = true;
  context.setGlobalContextManager(new AsyncLocalStorageContextManager().enable());
}

/**
 * Builds the tracer provider when `options.otlpEndpoint` is set: a `BasicTracerProvider` with one
 * `BatchSpanProcessor` over the OTLP/HTTP JSON exporter, resource `service.name`. Answers
 * undefined when tracing is off; then nothing is allocated per request or per upstream call.
 */
export function createTracing(options: TelemetryOptions = {}): Tracing | undefined {
  const { otlpEndpoint, serviceName = 'backup-graph', headers = {} } = options;
  if (!otlpEndpoint) return undefined;
  ensureContextManager();
  const exporter = new OTLPTraceExporter({ url: tracesUrlOf(otlpEndpoint), headers });
  const provider = new BasicTracerProvider({
    resource: resourceFromAttributes({ 'service.name': serviceName }),
    spanProcessors: [new BatchSpanProcessor(exporter)],
  });
  let stopped: Promise<void> | undefined;
  return {
    tracer: provider.getTracer('backup-graph'),
    propagator: new W3CTraceContextPropagator(),
    forceFlush: () => provider.forceFlush(),
    shutdown() {
      stopped ??= provider.shutdown();
      return stopped;
    },
  };
}
