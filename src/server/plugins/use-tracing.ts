/**
 * Traces of GraphQL requests (OpenTelemetry):
 * - one SERVER span per request to the GraphQL endpoint, named `graphql.<type> <operationName>`
 *   once the operation is known (`graphql.query Dashboard`; `graphql.query` when anonymous;
 *   `POST /graphql` when nothing was executed), continuing the incoming W3C `traceparent` when it
 *   is valid (a malformed one is ignored: a new trace starts);
 * - one span per root field resolver (`graphql.resolve Query.backups`), active while it runs, so
 *   the provider list/lookup spans and upstream client spans it causes are its children (the root
 *   fields' resolvers are wrapped in place, once, when yoga sets the schema: the gateway's own);
 * - the request span is active (AsyncLocalStorage) for the whole execution, so nested lookups and
 *   upstream calls are children of it when no narrower span is active.
 *
 * Attributes: operation type and name, HTTP method, path and status, the request id, the error
 * codes of the response. Never the document, variables, arguments or a header value; a failure
 * sets status ERROR with codes only.
 */
import { ROOT_CONTEXT, SpanKind, SpanStatusCode, context, trace, type Span, type TextMapGetter } from '@opentelemetry/api';
// Only AST helpers at run time: the schema may come from another copy of graphql (a test runner may load two).
import { getOperationAST, type DocumentNode, type GraphQLFieldResolver, type GraphQLSchema } from 'graphql';
import type { Plugin } from 'graphql-yoga';
import type { Tracing } from '../telemetry/create-tracing.ts';
import { errorCodeOf, markFailed } from '../telemetry/error-code.ts';

/** Options of {@link useTracing}. */
export interface TracingPluginOptions {
  /** The gateway's tracer and propagator (from `createTracing`). */
  tracing: Pick<Tracing, 'tracer' | 'propagator'>;
  /** Only requests to this path get a span. @default '/graphql' */
  graphqlEndpoint?: string;
  /** The request's id, recorded as `backup_graph.request_id` (to find the request's log lines). @default not recorded */
  requestIdOf?: (request: Request) => string;
}

/** Span attribute names of GraphQL requests and resolvers. */
export const REQUEST_ATTRIBUTES = {
  operationType: 'graphql.operation.type',
  operationName: 'graphql.operation.name',
  method: 'http.request.method',
  path: 'url.path',
  status: 'http.response.status_code',
  requestId: 'backup_graph.request_id',
  errorCount: 'graphql.error.count',
  errorCodes: 'backup_graph.error.codes',
  fieldName: 'graphql.resolver.fieldName',
  typeName: 'graphql.resolver.typeName',
} as const;

const headerGetter: TextMapGetter<Headers> = {
  get: (headers, key) => headers.get(key) ?? undefined,
  keys: (headers) => [...headers.keys()],
};

const isPromiseLike = (v: unknown): v is PromiseLike<unknown> => typeof (v as PromiseLike<unknown> | null)?.then === 'function';

/** Starts the request span of every GraphQL request, names it after its operation, spans root fields. */
export function useTracing(options: TracingPluginOptions): Plugin {
  const { tracing, graphqlEndpoint = '/graphql', requestIdOf } = options;
  const { tracer, propagator } = tracing;
  const A = REQUEST_ATTRIBUTES;
  const spans = new WeakMap<Request, Span>();
  /** Root fields already wrapped (the schema is set once, but a replaced schema must not be wrapped twice). */
  const wrapped = new WeakSet<object>();

  function wrapRootFields(schema: GraphQLSchema): void {
    for (const root of [schema.getQueryType(), schema.getMutationType(), schema.getSubscriptionType()]) {
      if (!root) continue;
      for (const field of Object.values(root.getFields())) {
        const key = root.name === schema.getSubscriptionType()?.name ? 'subscribe' : 'resolve';
        const original = field[key] as GraphQLFieldResolver<unknown, unknown> | undefined;
        if (!original || wrapped.has(field)) continue;
        wrapped.add(field);
        const name = `graphql.resolve ${root.name}.${field.name}`;
        const attributes = { [A.fieldName]: field.name, [A.typeName]: root.name };
        field[key] = (source, args, ctx, info) =>
          tracer.startActiveSpan(name, { attributes }, (span) => {
            const fail = (e: unknown) => markFailed(span, e);
            try {
              const result = original(source, args, ctx, info);
              if (!isPromiseLike(result)) {
                span.end();
                return result;
              }
              return Promise.resolve(result).then(
                (value) => {
                  span.end();
                  return value;
                },
                (e: unknown) => {
                  fail(e);
                  span.end();
                  throw e;
                },
              );
            } catch (e) {
              fail(e);
              span.end();
              throw e;
            }
          });
      }
    }
  }

  /** Names the request's span after the operation about to run. */
  function nameSpan(request: Request | undefined, document: DocumentNode, operationName: string | null | undefined): void {
    const span = request && spans.get(request);
    if (!span) return;
    const op = getOperationAST(document, operationName ?? undefined);
    if (!op) return;
    span.setAttribute(A.operationType, op.operation);
    if (op.name) span.setAttribute(A.operationName, op.name.value);
    span.updateName(op.name ? `graphql.${op.operation} ${op.name.value}` : `graphql.${op.operation}`);
  }

  const requestOf = (contextValue: unknown) => (contextValue as { request?: Request } | undefined)?.request;

  return {
    instrumentation: {
      request({ request }, run) {
        const url = new URL(request.url);
        if (url.pathname !== graphqlEndpoint) return run();
        const parent = propagator.extract(ROOT_CONTEXT, request.headers, headerGetter);
        const span = tracer.startSpan(
          `${request.method} ${graphqlEndpoint}`,
          {
            kind: SpanKind.SERVER,
            attributes: { [A.method]: request.method, [A.path]: graphqlEndpoint, ...(requestIdOf ? { [A.requestId]: requestIdOf(request) } : {}) },
          },
          parent,
        );
        spans.set(request, span);
        return context.with(trace.setSpan(parent, span), run);
      },
    },
    onSchemaChange({ schema }) {
      wrapRootFields(schema as GraphQLSchema);
    },
    onExecute({ args }) {
      nameSpan(requestOf(args.contextValue), args.document, args.operationName);
    },
    onSubscribe({ args }) {
      nameSpan(requestOf(args.contextValue), args.document, args.operationName);
    },
    onExecutionResult({ request, result }) {
      const span = spans.get(request);
      if (!span || !result || Symbol.asyncIterator in result) return;
      const errors = result.errors ?? [];
      if (errors.length === 0) return;
      const codes = [...new Set(errors.map((e) => errorCodeOf(e)))].sort();
      span.setAttribute(A.errorCount, errors.length);
      span.setAttribute(A.errorCodes, codes);
      span.setStatus({ code: SpanStatusCode.ERROR, message: codes.join(',') });
    },
    onResponse({ request, response }) {
      const span = spans.get(request);
      if (!span) return;
      spans.delete(request);
      span.setAttribute(A.status, response.status);
      if (response.status >= 500) span.setStatus({ code: SpanStatusCode.ERROR, message: String(response.status) });
      span.end();
    },
  };
}
