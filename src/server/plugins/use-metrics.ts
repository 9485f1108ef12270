/**
 * Prometheus metrics over HTTP, and the per-request part of them:
 * - `GET /metrics` answers the gateway's registry in Prometheus text format (also while draining:
 *   put this plugin before the graceful-shutdown one); other methods get 405.
 * - Every request to the GraphQL endpoint is counted exactly once when its response is ready
 *   (`requests_total`, `request_duration_seconds`), by operation type (`query`, `mutation`,
 *   `subscription`; `unknown` when the document did not parse or was never read) and outcome (`OK`
 *   or the code of its first error: parse and validation failures included, and requests refused
 *   before GraphQL ran: by the code of their JSON error body (draining, access control, CSRF), or
 *   for yoga's body-less 415/406 the code `useRequestErrorCodes` gives them; else `HTTP_<status>`).
 *   A subscription is counted when its stream starts. GraphiQL page loads and
 *   graphql-sse single-connection plumbing (the `PUT` reservation, the event stream's `GET`) are not
 *   operations and are not counted; an operation sent in single-connection mode counts by the HTTP
 *   answer it gets (its result travels on the stream).
 */
import { EMPTY_ANSWER_CODES } from './use-request-error-codes.ts';
import type { DocumentNode } from 'graphql';
import type { Plugin } from 'graphql-yoga';
import type { GatewayMetrics } from '../metrics/create-gateway-metrics.ts';
import { OK_OUTCOME, UNKNOWN_OPERATION, operationTypeOf, outcomeOf } from '../metrics/request-outcome.ts';
import { isSingleConnectionRequest } from './use-graphql-sse-single-connection.ts';

/** Options of {@link useMetrics}. */
export interface MetricsPluginOptions {
  /** The gateway's metrics: served, and fed with every request. */
  metrics: GatewayMetrics;
  /** Path of the scrape endpoint. @default '/metrics' */
  endpoint?: string;
  /** The GraphQL endpoint whose requests are counted (yoga's `graphqlEndpoint`). @default '/graphql' */
  graphqlEndpoint?: string;
}

/**
 * The codes of yoga's body-less 415 and 406 answers: the ones `useRequestErrorCodes` gives their
 * bodies (after this plugin's `onResponse` has run).
 */
const BODYLESS_OUTCOMES = EMPTY_ANSWER_CODES;

/**
 * The outcome of an answer no GraphQL result went into (a refusal before parsing, a body-less
 * 415/406): the first error code of its JSON body when it is an error with one, else the body-less
 * code of its status, else `OK` for a 2xx, else `HTTP_<status>`.
 */
async function answerOutcome(response: Response): Promise<string> {
  const status = response.status;
  if (response.body !== null && status >= 400 && /json/.test(response.headers.get('content-type') ?? '')) {
    try {
      const outcome = outcomeOf(await response.clone().json());
      if (outcome !== OK_OUTCOME) return outcome;
    } catch {
      // not JSON after all: the status speaks
    }
  }
  return BODYLESS_OUTCOMES[status] ?? (status >= 200 && status < 300 ? OK_OUTCOME : `HTTP_${status}`);
}

/** One request being answered. */
interface Pending {
  started: number;
  operationType: string;
  /** The result yoga processed into the response, when it got that far. */
  result?: { value: unknown };
}

const isDocument = (v: unknown): v is DocumentNode => typeof v === 'object' && v !== null && (v as DocumentNode).kind === 'Document';

/** Serves `/metrics` and counts every GraphQL request once, with its duration. */
export function useMetrics(options: MetricsPluginOptions): Plugin {
  const { metrics, endpoint = '/metrics', graphqlEndpoint = '/graphql' } = options;
  const pending = new WeakMap<Request, Pending>();

  return {
    onRequest({ request, url, fetchAPI, endResponse }) {
      const path = url.pathname;
      if (path === endpoint) {
        if (request.method !== 'GET' && request.method !== 'HEAD') {
          return endResponse(new fetchAPI.Response(null, { status: 405, headers: { allow: 'GET, HEAD' } }));
        }
        return metrics.text().then((text) =>
          endResponse(new fetchAPI.Response(request.method === 'HEAD' ? null : text, { status: 200, headers: { 'content-type': metrics.contentType, 'cache-control': 'no-store' } })),
        );
      }
      if (path !== graphqlEndpoint) return;
      // graphql-sse's reservation and event stream are plumbing; an operation posted with a token is counted.
      if (request.method === 'PUT' || (request.method === 'GET' && isSingleConnectionRequest(request))) return;
      pending.set(request, { started: performance.now(), operationType: UNKNOWN_OPERATION });
    },
    // Every document that parsed is validated next (cached or not): its type is read there, with
    // no hook left behind per request. A document that did not parse stays `unknown`.
    onValidate({ context, params: { documentAST } }) {
      const { request, params } = context as { request?: Request; params?: { operationName?: string | null } };
      const entry = request && pending.get(request);
      if (entry && isDocument(documentAST)) entry.operationType = operationTypeOf(documentAST, params?.operationName);
    },
    onResultProcess({ request, result }) {
      const entry = pending.get(request);
      if (entry) entry.result = { value: result };
    },
    onResponse({ request, response }) {
      const entry = pending.get(request);
      if (!entry) return;
      pending.delete(request);
      const durationMs = performance.now() - entry.started;
      // A 406 is answered after the result was processed: the client got no result. (The status
      // first: reading `response.body` of a ready answer makes a stream of it.)
      if (entry.result && !(BODYLESS_OUTCOMES[response.status] && response.body === null)) {
        metrics.observeRequest({ operationType: entry.operationType, outcome: outcomeOf(entry.result.value), durationMs });
        return;
      }
      return answerOutcome(response).then((outcome) => metrics.observeRequest({ operationType: entry.operationType, outcome, durationMs }));
    },
  };
}
