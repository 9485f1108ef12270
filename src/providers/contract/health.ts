/**
 * One health probe for every adapter: a cheap upstream call, timed. Never throws for a provider's failure (the gateway's own request budget running out is that request's error) and never says
 * more about a failure than its HTTP status or error class (no provider text, no URL). While the
 * provider's circuit breaker is open it answers DOWN without calling upstream.
 */
import { GatewayError } from '../../domain/errors.ts';
import { ProviderHttpError, ProviderUnavailableError } from '../../upstream/errors.ts';
import type { UpstreamGuard } from '../../upstream/guard.ts';
import type { RequestContext } from '../../upstream/request-context.ts';
import type { ProviderHealthModel } from './adapter.ts';

/**
 * An adapter's `health()` from its cheapest call: UP when it answers, DEGRADED when it is rate
 * limited (429), DOWN otherwise; latency in whole milliseconds. With the provider's `guard`: DOWN
 * (`circuit open`, no latency) while its breaker is open, without calling upstream; once the open
 * window has passed the probe's call may be the one that closes it.
 */
export function createHealthProbe(
  probe: (ctx: RequestContext) => Promise<unknown>,
  guard?: Pick<UpstreamGuard, 'state'>,
): (ctx: RequestContext) => Promise<ProviderHealthModel> {
  return async (ctx) => {
    if (guard?.state().circuit === 'open') return { status: 'DOWN', latencyMs: null, message: 'circuit open' };
    const started = performance.now();
    const latency = () => Math.round(performance.now() - started);
    try {
      await probe(ctx);
      return { status: 'UP', latencyMs: latency(), message: null };
    } catch (e) {
      // The gateway's own limits are not the provider's health: the request's call budget is spent
      // (the field fails with COST_LIMIT_EXCEEDED); the shared outbound budget says wait (DEGRADED).
      if (e instanceof GatewayError) {
        if (e.code === 'RATE_LIMITED') return { status: 'DEGRADED', latencyMs: null, message: 'rate limited' };
        throw e;
      }
      if (e instanceof ProviderUnavailableError) {
        return { status: 'DOWN', latencyMs: null, message: e.reason === 'circuit-open' ? 'circuit open' : 'overloaded' };
      }
      const http = e instanceof ProviderHttpError ? e : null;
      return {
        status: http?.status === 429 ? 'DEGRADED' : 'DOWN',
        latencyMs: latency(),
        message: http ? `HTTP ${http.status}` : e instanceof Error ? e.name : 'unreachable',
      };
    }
  };
}
