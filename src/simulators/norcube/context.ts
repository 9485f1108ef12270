/**
 * What the Norcube simulator's route modules share: the state, the live engine, the clock and the
 * switches, plus lookups that answer the spec's errors (400 for a malformed id, 404 when unknown).
 */
import type { SimRequest } from '../kit/index.ts';
import { apiError, notFound, uuidParam } from './http.ts';
import type { NorcubeLive } from './live.ts';
import type { NcDataSource, NcJob, NorcubeSimState } from './state.ts';

/** Shared by every route module. */
export interface NorcubeRouteContext {
  /** The state; built on first access so the simulator starts at once even at scale 100. */
  readonly state: NorcubeSimState;
  live: NorcubeLive;
  /** The simulator's clock (epoch ms). */
  clock(): number;
  /** When true the restore routes answer 501 like older deployments *(doc)*. */
  restoresUnsupported(): boolean;
}

/** The data source named by path parameter `name`. */
export function requireDatasource(ctx: NorcubeRouteContext, req: SimRequest, name = 'datasourceId'): NcDataSource {
  const id = uuidParam(req, name);
  const ds = ctx.state.datasources.get(id);
  if (!ds) throw notFound('datasource');
  return ds;
}

/** The backup job `jobId` of data source `ds` (404 when unknown or of another data source). */
export function requireJob(ctx: NorcubeRouteContext, req: SimRequest, ds: NcDataSource): NcJob {
  const id = uuidParam(req, 'jobId');
  const job = ctx.state.jobs.get(id);
  if (!job || job.datasourceId !== ds.id) throw notFound('backup');
  return job;
}

/** Throws 501 while restores are switched off. */
export function requireRestores(ctx: NorcubeRouteContext): void {
  if (ctx.restoresUnsupported()) throw apiError(501, 'INTERNAL_ERROR', 'restore is not implemented yet');
}
