/**
 * Liveness and readiness for the orchestrator, answered before anything GraphQL runs:
 * - `GET /healthz`: the process is alive and serving HTTP. Always 200 `{"status":"ok"}`, also while
 *   draining (a draining replica is not a dead one: restarting it would cut what it is finishing).
 * - `GET /readyz`: this replica should get new traffic. 200 `{"status":"ready","checks":{...}}` when
 *   every check passes, else 503 `{"status":"unready" | "draining","checks":{...}}`, each check
 *   `"ok"` or `"fail"`. A check that throws fails; its error is never shown.
 *
 * Provider health is deliberately not a check: it stays a GraphQL field (`providers { health }`),
 * since one provider being down must not take every replica out of the load balancer.
 * Yoga's own `/health` (200, empty body) is left as it is.
 */
import type { Plugin } from 'graphql-yoga';

/** One readiness check: true (or a promise of true) when it passes. */
export type ReadinessCheck = () => boolean | Promise<boolean>;

/** Options of {@link useHealthEndpoints}. */
export interface HealthEndpointsOptions {
  /** The readiness checks by name, in the order they are reported. */
  checks: Record<string, ReadinessCheck>;
  /** True once the replica drains: readiness answers 503 `"draining"` whatever the checks say. */
  isDraining: () => boolean;
  /** Path of the liveness endpoint. @default '/healthz' */
  livenessEndpoint?: string;
  /** Path of the readiness endpoint. @default '/readyz' */
  readinessEndpoint?: string;
}

async function passes(check: ReadinessCheck): Promise<boolean> {
  try {
    return (await check()) === true;
  } catch {
    return false;
  }
}

/** Serves `/healthz` and `/readyz` with JSON bodies. */
export function useHealthEndpoints(options: HealthEndpointsOptions): Plugin {
  const { checks, isDraining, livenessEndpoint = '/healthz', readinessEndpoint = '/readyz' } = options;
  return {
    onRequest({ url, fetchAPI, endResponse }) {
      const path = url.pathname;
      if (path !== livenessEndpoint && path !== readinessEndpoint) return;
      const json = (status: number, body: unknown) =>
        endResponse(
          new fetchAPI.Response(JSON.stringify(body), {
            status,
            headers: { 'content-type': 'application/json; charset=utf-8', 'cache-control': 'no-store' },
          }),
        );
      if (path === livenessEndpoint) return json(200, { status: 'ok' });
      return (async () => {
        const names = Object.keys(checks);
        const results = await Promise.all(names.map((n) => passes(checks[n])));
        const draining = isDraining();
        const report = Object.fromEntries(names.map((n, i) => [n, results[i] ? 'ok' : 'fail']));
        report.draining = draining ? 'fail' : 'ok';
        const ready = !draining && results.every(Boolean);
        json(ready ? 200 : 503, { status: ready ? 'ready' : draining ? 'draining' : 'unready', checks: report });
      })();
    },
  };
}
