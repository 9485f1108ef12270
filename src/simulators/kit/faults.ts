/**
 * Fault injection: what can go wrong on a route (latency, error statuses, garbage bodies, cut
 * SSE streams) and the table of faults in force on one simulator.
 */
import type { Random } from './random.ts';

/** Faults that can be injected on one route (keyed `METHOD /pattern`) or on every route (`*`). */
export interface RouteFault {
  /** Added latency in milliseconds before the handler runs. */
  latencyMs?: number;
  /** Probability 0..1 that a request answers `errorStatus` (default 503) instead of the handler. */
  errorRate?: number;
  /** Status used by `errorRate`. @default 503 */
  errorStatus?: number;
  /** Every request answers this status (the provider's error shape). */
  forceStatus?: number;
  /** Forced statuses for the next N requests only, then the route behaves again. */
  forceStatusTimes?: number;
  /** SSE streams on this route are cut (socket destroyed, no terminal event) after N events. */
  dropSseAfterEvents?: number;
  /** Raw body to answer with status 200 (upstream garbage), e.g. `'<html>oops'`. */
  garbageBody?: string;
}

/** The faults in force on one simulator, by route key or `*`. */
export interface FaultTable {
  /** Replaces the faults of one route key (or `*`) with a copy of `fault`; `undefined` clears them. */
  set(routeKey: string, fault: RouteFault | undefined): void;
  clear(): void;
  /** The fault of a request: the `*` fault overridden field by field by the route's own (none when unmatched). */
  resolve(routeKey: string | undefined): RouteFault;
  /**
   * The error status `fault` injects on this request, or undefined when the handler runs: the
   * forced status (counting one of `forceStatusTimes` down), else `errorStatus` (503) with
   * probability `errorRate`, drawn from the table's random source only when nothing is forced.
   */
  injectedStatus(fault: RouteFault, routeKey: string): number | undefined;
}

/** A fault table starting with `initial` (kept as given: `forceStatusTimes` counts down on those objects). */
export function createFaultTable(initial: Record<string, RouteFault> | undefined, rnd: Random): FaultTable {
  const faults = new Map<string, RouteFault>(Object.entries(initial ?? {}));
  return {
    set(routeKey, fault) {
      if (fault) faults.set(routeKey, { ...fault });
      else faults.delete(routeKey);
    },
    clear: () => faults.clear(),
    resolve: (routeKey) => ({ ...(faults.get('*') ?? {}), ...(routeKey !== undefined ? faults.get(routeKey) ?? {} : {}) }),
    injectedStatus(fault, routeKey) {
      const counted = fault.forceStatusTimes !== undefined && fault.forceStatusTimes > 0;
      const forced = fault.forceStatus ?? (counted ? fault.errorStatus ?? 503 : undefined);
      if (counted) {
        const f = faults.get(routeKey) ?? faults.get('*');
        if (f) f.forceStatusTimes = (f.forceStatusTimes ?? 1) - 1;
      }
      if (forced !== undefined) return forced;
      return fault.errorRate && rnd.chance(fault.errorRate) ? fault.errorStatus ?? 503 : undefined;
    },
  };
}
