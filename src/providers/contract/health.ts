/**
 * One health probe for every adapter: a cheap upstream call, timed. Never throws and never says
 * more about a failure than its HTTP status or error class (no provider text, no URL).
 */
import { ProviderHttpError } from '../../upstream/errors.ts';
import type { RequestContext } from '../../upstream/request-context.ts';
import type { ProviderHealthModel } from './adapter.ts';

/**
 * An adapter's `health()` from its cheapest call: UP when it answers, DEGRADED when it is rate
 * limited (429), DOWN otherwise; latency in whole milliseconds.
 */
export function createHealthProbe(probe: (ctx: RequestContext) => Promise<unknown>): (ctx: RequestContext) => Promise<ProviderHealthModel> {
  return async (ctx) => {
    const started = performance.now();
    const latency = () => Math.round(performance.now() - started);
    try {
      await probe(ctx);
      return { status: 'UP', latencyMs: latency(), message: null };
    } catch (e) {
      const http = e instanceof ProviderHttpError ? e : null;
      return {
        status: http?.status === 429 ? 'DEGRADED' : 'DOWN',
        latencyMs: latency(),
        message: http ? `HTTP ${http.status}` : e instanceof Error ? e.name : 'unreachable',
      };
    }
  };
}
