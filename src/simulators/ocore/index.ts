/**
 * A strict, faithful HTTP simulator of oCore's backup API (`seeds/ocore-backups-api.txt`, with the
 * assumptions of PROVIDERS.md): every documented route under `/api`, plus the assumed projects and
 * environments routes and the operation steps route.
 *
 * - Auth: `Authorization: Bearer <token>`; missing or wrong -> 401 `{ "error": "unauthorized" }`.
 * - Errors: `{ "error": "<message>" }` with the status. Lists page with `limit` + `offset` and
 *   report `total`; a bad `limit`/`offset` (or unknown `status`/`type` filter value) -> 400.
 * - Throttling: 429 with `Retry-After` (seconds); no rate-limit headers on other answers.
 * - Live state (`sim-live.ts`): triggered and scheduled backups, restores and deletions move one
 *   step per `stepMs`; their progress streams over SSE (`sim-routes-progress.ts`).
 *
 * Route keys for `setFault` are `METHOD /pattern` with the docs' parameter names, e.g.
 * `GET /api/backups/:id/progress`, `GET /api/environments/:env_id/backups`,
 * `GET /api/environments/:environmentId/restore-logs` (see {@link OCORE_ROUTE_KEYS}).
 */
import {
  SimHttpError, asSeededSimulator, bearerToken, resolveSimTime, retryAfterHeader, startSimulator,
  type SeededSimulator, type SimDataOptions, type SimulatorOptions,
} from '../kit/index.ts';
import { createOcoreSeed, type OcoreSeed, type OcoreSimFixtures } from './seed.ts';
import type { OcoreRouteContext } from './http.ts';
import { createOcoreLive } from './live.ts';
import { registerAlertRoutes } from './routes/alerts.ts';
import { registerBackupRoutes } from './routes/backups.ts';
import { registerProgressRoutes } from './routes/progress.ts';
import { registerProjectRoutes } from './routes/projects.ts';
import { registerRestoreRoutes } from './routes/restores.ts';
import { registerScheduleRoutes } from './routes/schedules.ts';

/** The demo token the simulator accepts by default. */
export const OCORE_DEMO_TOKEN = 'ocore-demo-token';

/** Every route key of the simulator (for `setFault`). */
export const OCORE_ROUTE_KEYS = [
  'GET /api/projects',
  'GET /api/projects/:projectId/environments',
  'GET /api/projects/:projectId/backups',
  'GET /api/environments/:env_id/backups',
  'POST /api/environments/:env_id/backups',
  'GET /api/backups/:id',
  'DELETE /api/backups/:id',
  'POST /api/backups/:id/restore',
  'GET /api/backups/:id/progress',
  'GET /api/backups/:id/restore/progress',
  'GET /api/environments/:env_id/backup-schedule',
  'PUT /api/environments/:env_id/backup-schedule',
  'POST /api/environments/:env_id/backup-schedule/retention-preview',
  'GET /api/backup-schedule/presets',
  'GET /api/environments/:env_id/pitr-coverage',
  'GET /api/environments/:environmentId/restore-logs',
  'GET /api/backup-alerts',
  'GET /api/backup-alerts/count',
  'POST /api/backup-alerts/:id/dismiss',
  'POST /api/backup-alerts/:id/read',
  'GET /api/operations/:type/:id/steps',
] as const;

/** Options of {@link startOcoreSimulator}. */
export interface OcoreSimulatorOptions extends SimulatorOptions, SimDataOptions {
  /** Interval of `: keep-alive` comments on progress streams. @default 15000 */
  keepAliveMs?: number;
  /** The bearer token that authenticates. @default 'ocore-demo-token' */
  credential?: string;
  /** Every n-th live backup (0-based n with n % k === k - 1) fails; 0 never. @default 5 */
  backupFailEvery?: number;
  /** Every n-th live restore fails likewise; 0 never. @default 4 */
  restoreFailEvery?: number;
}

/** Sizes of the simulator's collections right now. */
export interface OcoreSimCounts {
  projects: number;
  environments: number;
  backups: number;
  schedules: number;
  restoreLogs: number;
  alerts: number;
}

/** A running oCore simulator. */
export interface OcoreSimulator extends SeededSimulator {
  /** Ids of notable seeded records (builds the dataset if needed). */
  fixtures(): OcoreSimFixtures;
  /** Runs one scheduler tick now; returns the ids of the backups it queued. */
  runScheduleTick(): string[];
  /** Current collection sizes. */
  counts(): OcoreSimCounts;
}

/** Starts the oCore simulator on loopback. Resolves once it listens; `close()` stops its timers too. */
export async function startOcoreSimulator(options: OcoreSimulatorOptions = {}): Promise<OcoreSimulator> {
  const {
    dataSeed = 42, scale = 1, stepMs = 1500, scheduleEveryMs = 20_000, anchor: _anchor, clock: _clock, keepAliveMs = 15_000,
    credential = OCORE_DEMO_TOKEN, backupFailEvery = 5, restoreFailEvery = 4, ...simOptions
  } = options;
  const time = resolveSimTime(options);
  const seedNow = time.anchor;
  const clock = () => time.clock.now();
  // Built on first use: start is instant; backups seeded mid-flight resume from then on.
  let seed: OcoreSeed | null = null;
  const getSeed = (): OcoreSeed => {
    if (!seed) {
      seed = createOcoreSeed({ dataSeed, scale, now: seedNow });
      live.resume(seed.inFlight);
    }
    return seed;
  };
  const live = createOcoreLive({ getState: () => getSeed().state, stepMs, scheduleEveryMs, clock, backupFailEvery, restoreFailEvery });
  const ctx: OcoreRouteContext = { get state() { return getSeed().state; }, live, clock, keepAliveMs };

  const sim = await startSimulator(
    {
      name: 'ocore',
      routes: (r) => {
        registerProjectRoutes(r, ctx);
        registerBackupRoutes(r, ctx);
        registerRestoreRoutes(r, ctx);
        registerProgressRoutes(r, ctx);
        registerScheduleRoutes(r, ctx);
        registerAlertRoutes(r, ctx);
      },
      authenticate: (req) => (bearerToken(req) === credential ? null : new SimHttpError(401, 'unauthorized', 'unauthorized')),
      errorBody: (err: SimHttpError) => ({ error: err.message }),
      // No rate-limit headers are documented: an empty set keeps the kit's limiter on and sends
      // nothing; a 429 carries Retry-After (seconds until the window resets).
      rateLimitHeaders: () => ({}),
      retryAfterHeaders: retryAfterHeader,
    },
    simOptions,
  );

  return asSeededSimulator(sim, { credential, time, onClose: () => live.close() }, {
    fixtures: () => getSeed().fixtures,
    runScheduleTick: () => live.scheduleTick().map((b) => b.id),
    counts: (): OcoreSimCounts => {
      const s = getSeed().state;
      return {
        projects: s.projects.length, environments: s.environments.size, backups: s.backups.size, schedules: s.schedules.size,
        restoreLogs: s.restoreLogs.size, alerts: s.alerts.length,
      };
    },
  });
}

