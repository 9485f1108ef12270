/**
 * Request parsing and errors of the oCore simulator. Every error is `{ "error": "<message>" }`
 * with the HTTP status (PROVIDERS.md); lists page with `limit` + `offset` and report `total`.
 */
import { intParam, SimHttpError, type SimRequest } from '../kit/index.ts';
import type { OcoreLive } from './live.ts';
import type { OcBackup, OcEnvironment, OcProject, OcoreSimState } from './state.ts';

/** What every route module shares. */
export interface OcoreRouteContext {
  /** The state; built on first access so the simulator starts at once even at scale 100. */
  readonly state: OcoreSimState;
  live: OcoreLive;
  /** The simulator's clock (epoch ms): the seed's "now" plus the time since start. */
  clock(): number;
  /** Interval of `: keep-alive` comments on progress streams. */
  keepAliveMs: number;
}

/** An error answered as `{ error: message }`. */
export function ocError(status: number, message: string): SimHttpError {
  return new SimHttpError(status, status === 404 ? 'not_found' : status === 409 ? 'conflict' : 'bad_request', message);
}

/** 400 with `message`. */
export const badRequest = (message: string) => ocError(400, message);
/** 404 `<what> not found`. */
export const notFound = (what: string) => ocError(404, `${what} not found`);
/** 409 with `message`. */
export const conflict = (message: string) => ocError(409, message);

/** Page bounds of one list: `limit` 1..max (default `def`), `offset` >= 0. */
export function pageParams(req: SimRequest, def: number, max = 100): { limit: number; offset: number } {
  const limit = intParam(req.query, 'limit', { min: 1, max }) ?? def;
  const offset = intParam(req.query, 'offset', { min: 0, max: 1_000_000_000 }) ?? 0;
  return { limit, offset };
}

/** The slice of `list` a page covers. */
export function pageOf<T>(list: readonly T[], p: { limit: number; offset: number }): T[] {
  return list.slice(p.offset, p.offset + p.limit);
}

/** A query parameter restricted to `allowed` values; undefined when absent, 400 otherwise. */
export function enumParam<T extends string>(req: SimRequest, name: string, allowed: readonly T[]): T | undefined {
  const raw = req.query.get(name);
  if (raw === null || raw === '') return undefined;
  if (!(allowed as readonly string[]).includes(raw)) throw badRequest(`${name} must be one of ${allowed.join(', ')}`);
  return raw as T;
}

/** The JSON body as an object (400 when it is not one); `{}` when `optional` and absent. */
export function bodyObject(req: SimRequest, optional = false): Record<string, unknown> {
  if (req.body === undefined && optional) return {};
  if (req.body === null || typeof req.body !== 'object' || Array.isArray(req.body)) throw badRequest('request body must be a JSON object');
  return req.body as Record<string, unknown>;
}

/** The project `id` (404 when unknown). */
export function requireProject(ctx: OcoreRouteContext, id: string): OcProject {
  const p = ctx.state.projectById.get(id);
  if (!p) throw notFound('project');
  return p;
}

/** The environment `id` (404 when unknown). */
export function requireEnvironment(ctx: OcoreRouteContext, id: string): OcEnvironment {
  const e = ctx.state.environments.get(id);
  if (!e) throw notFound('environment');
  return e;
}

/** The backup `id` (404 when unknown or deleted). */
export function requireBackup(ctx: OcoreRouteContext, id: string): OcBackup {
  const b = ctx.state.backups.get(id);
  if (!b) throw notFound('backup');
  return b;
}
