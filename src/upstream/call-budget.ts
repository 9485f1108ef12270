/**
 * The per-request upstream call budget: every attempt a client request causes (retries and streams
 * included) takes one call from it before it leaves the gateway. Over the limit the attempt is not
 * made and the call fails with `COST_LIMIT_EXCEEDED`, naming the figures. It also counts what was
 * spent, by provider, for `extensions.cost` and the access log.
 */
import { GatewayError } from '../domain/errors.ts';

/**
 * The default budget: the dashboard query (GraphiQL's `DASHBOARD_QUERY`, four providers) makes
 * about 90 upstream calls over the simulators at scale 1; its protection summary reads every
 * resource's evidence, 375 calls at scale 10 and 2,372 at scale 100 (bench/dashboard-plan.ts), which
 * need a larger `limits.maxUpstreamCallsPerRequest`; one request cannot spend a third of Bocada's
 * 600 calls a minute.
 */
export const DEFAULT_MAX_UPSTREAM_CALLS_PER_REQUEST = 200;

/** What a request spent and may spend. */
export interface UpstreamCallBudget {
  /** Most upstream calls the request may make (Infinity = no limit). */
  readonly limit: number;
  /** Calls made so far. */
  readonly used: number;
  /** Calls made so far, by provider id. */
  readonly byProvider: ReadonlyMap<string, number>;
  /** Calls refused because the budget was spent. */
  readonly refused: number;
  /** Takes one call for `provider`; throws {@link upstreamBudgetExceeded} when none is left. */
  take(provider: string): void;
}

/**
 * The error a refused call becomes: `COST_LIMIT_EXCEEDED` with `cost: { upstreamCalls,
 * upstreamCallLimit }` (the calls made, which is the budget, and the budget), named like the
 * response's `extensions.cost`.
 */
export function upstreamBudgetExceeded(provider: string, limit: number, requestId?: string): GatewayError {
  return new GatewayError('COST_LIMIT_EXCEEDED', `this request reached its budget of ${limit} upstream calls; ask for fewer items or split the query`, {
    provider,
    ...(requestId ? { requestId } : {}),
    cost: { upstreamCalls: limit, upstreamCallLimit: limit },
  });
}

/** A fresh budget of `limit` calls for one request. */
export function createUpstreamCallBudget(limit = Infinity, requestId?: string): UpstreamCallBudget {
  let used = 0;
  let refused = 0;
  const byProvider = new Map<string, number>();
  return {
    limit,
    get used() {
      return used;
    },
    get refused() {
      return refused;
    },
    byProvider,
    take(provider) {
      if (used >= limit) {
        refused++;
        throw upstreamBudgetExceeded(provider, limit, requestId);
      }
      used++;
      byProvider.set(provider, (byProvider.get(provider) ?? 0) + 1);
    },
  };
}
