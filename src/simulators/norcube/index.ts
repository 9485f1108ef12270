/**
 * A strict, faithful HTTP simulator of Norcube Backup (the service named snapdb), following the
 * provider's OpenAPI spec (`specs/norcube-snapdb.openapi.json`): its paths at the server root,
 * parameters, payload shapes, `response.APIError` errors and cursor pagination.
 *
 * - Auth: `Authorization: Bearer <token>`; missing or wrong -> 401 `{ type: "UNAUTHORIZED", msg }`.
 *   The token is scoped to one organization (`organizationId` on every record that has the field).
 * - Lists: `{ list, cursors: { next? }, meta: { timestamp } }`, newest first, `limit` 1..100
 *   (default 20; the spec names the parameter without bounds), opaque keyset `cursor`; a
 *   malformed cursor or an out-of-range limit -> 400 VALIDATION_FAILED naming the field.
 *   `/audit-log` pages on its own (`limit` 1..200, default 50; `cursorCreatedAt` + `cursorId`).
 * - Throttling: 429 with `Retry-After` (seconds); no rate-limit headers on other answers.
 * - Live state: run-now, scheduled jobs, restores and restore tests progress on timers (see
 *   `sim-live.ts`); `restoresUnsupported` makes the restore routes answer 501.
 */
import {
  asSeededSimulator, bearerToken, resolveSimTime, retryAfterHeader, startSimulator,
  type SeededSimulator, type SimDataOptions, type SimHttpError, type SimRequest, type SimulatorOptions,
} from '../kit/index.ts';
import { createNorcubeSeed, norcubeKnownDataSources, norcubeOrganizationId, type NorcubeKnownDataSources } from './seed.ts';
import type { NorcubeSimState } from './state.ts';
import type { NorcubeRouteContext } from './context.ts';
import { apiError, errorTypeFor } from './http.ts';
import { createNorcubeLive } from './live.ts';
import { registerAuditRoutes } from './routes/audit.ts';
import { registerBackupRoutes } from './routes/backups.ts';
import { registerDatasourceRoutes } from './routes/datasources.ts';
import { registerOrgRoutes } from './routes/org.ts';
import { registerPolicyRoutes } from './routes/policies.ts';
import { registerRestoreRoutes } from './routes/restores.ts';
import { iso } from './store.ts';

/** The demo token the simulator accepts by default. */
export const NORCUBE_DEMO_TOKEN = 'norcube-demo-token';

/** Options of {@link startNorcubeSimulator}. */
export interface NorcubeSimulatorOptions extends SimulatorOptions, SimDataOptions {
  /** Restore routes answer 501 in the spec's error shape (older deployments *(doc)*). @default false */
  restoresUnsupported?: boolean;
  /** The bearer token that authenticates. @default 'norcube-demo-token' */
  credential?: string;
  /**
   * Error body shape: the spec's `{ type, msg, fields?, traceId, timestamp }` (`spec`), or the
   * docs' `{ code, message }` with `INVALID_INPUT` for 400s (`legacy`). @default 'spec'
   */
  errorShape?: 'spec' | 'legacy';
}

/** Sizes of the simulator's collections right now (for tests and benchmarks). */
export interface NorcubeSimCounts {
  datasources: number;
  policies: number;
  attachments: number;
  jobs: number;
  restores: number;
  auditEntries: number;
  destinations: number;
}

/** A running Norcube simulator. */
export interface NorcubeSimulator extends SeededSimulator {
  /** The one organization the token is scoped to. */
  readonly organizationId: string;
  /** Switches the restore routes to 501 (true) or back to the spec's behaviour (false). */
  setRestoresUnsupported(on: boolean): void;
  /** Switches the error body shape (see {@link NorcubeSimulatorOptions.errorShape}). */
  setErrorShape(shape: 'spec' | 'legacy'): void;
  /** Runs one scheduler tick now; returns the id of the `schedule` job it queued, or null. */
  runScheduleTick(): string | null;
  /** Holds every run that reaches `running` there until the returned release is called (see `NorcubeLive.holdRunning`). */
  holdRunning(): () => void;
  /** Current collection sizes. */
  counts(): NorcubeSimCounts;
  /** The known data sources, one per protection status (README "Protection and RPO"). */
  known(): NorcubeKnownDataSources;
}

/** Starts the Norcube simulator on loopback. Resolves once it listens; `close()` stops its timers too. */
export async function startNorcubeSimulator(options: NorcubeSimulatorOptions = {}): Promise<NorcubeSimulator> {
  const {
    dataSeed = 42, scale = 1, stepMs = 1500, scheduleEveryMs = 20_000, anchor: _anchor, clock: _clock,
    credential = NORCUBE_DEMO_TOKEN, ...simOptions
  } = options;
  let restoresUnsupported = options.restoresUnsupported ?? false;
  let errorShape = options.errorShape ?? 'spec';
  const time = resolveSimTime(options);
  const seedNow = time.anchor;
  const clock = () => time.clock.now();
  // The dataset is built on first use: start is instant, the first request pays (~1 s at scale 100).
  let built: NorcubeSimState | null = null;
  const getState = () => (built ??= createNorcubeSeed({ dataSeed, scale, now: seedNow }));
  const live = createNorcubeLive({ getState, stepMs, scheduleEveryMs, clock });
  const ctx: NorcubeRouteContext = {
    get state() { return getState(); }, live, clock, restoresUnsupported: () => restoresUnsupported,
  };

  const sim = await startSimulator(
    {
      name: 'norcube',
      routes: (r) => {
        registerDatasourceRoutes(r, ctx);
        registerBackupRoutes(r, ctx);
        registerPolicyRoutes(r, ctx);
        registerRestoreRoutes(r, ctx);
        registerAuditRoutes(r, ctx);
        registerOrgRoutes(r, ctx);
      },
      authenticate: (req: SimRequest) => {
        const token = bearerToken(req);
        if (token === null) return apiError(401, 'UNAUTHORIZED', 'missing bearer token');
        if (token !== credential) return apiError(401, 'UNAUTHORIZED', 'invalid or expired token');
        return null;
      },
      errorBody: (err: SimHttpError, req: SimRequest) => {
        const type = errorTypeFor(err);
        const fields = err.extra.details as Record<string, string> | undefined;
        if (errorShape === 'legacy') {
          return { code: type === 'VALIDATION_FAILED' || type === 'INVALID_PAYLOAD' ? 'INVALID_INPUT' : type, message: err.message };
        }
        return { type, msg: err.message, ...(fields ? { fields } : {}), traceId: req.requestId, timestamp: iso(clock()) };
      },
      // No rate-limit headers are documented on successful answers: an empty set keeps the kit's
      // limiter on while sending nothing; a 429 carries Retry-After (seconds until the window resets).
      rateLimitHeaders: () => ({}),
      retryAfterHeaders: retryAfterHeader,
    },
    simOptions,
  );

  return asSeededSimulator(sim, { credential, time, onClose: () => live.close() }, {
    organizationId: norcubeOrganizationId(dataSeed),
    setRestoresUnsupported(on: boolean) {
      restoresUnsupported = on;
    },
    setErrorShape(shape: 'spec' | 'legacy') {
      errorShape = shape;
    },
    runScheduleTick: () => live.scheduleTick()?.id ?? null,
    holdRunning: () => live.holdRunning(),
    known: () => norcubeKnownDataSources(getState()),
    counts: (): NorcubeSimCounts => {
      const state = getState();
      return {
        datasources: state.datasources.size, policies: state.policies.size, attachments: state.attachments.size, jobs: state.jobs.size,
        restores: state.restores.size, auditEntries: state.audit.items.length, destinations: state.destinations.size,
      };
    },
  });
}
