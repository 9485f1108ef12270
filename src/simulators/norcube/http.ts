/**
 * Request parsing and errors of the Norcube simulator, in the spec's shapes: every error is a
 * `response.APIError` `{ type, msg, fields?, traceId, timestamp }` whose `type` is one of the
 * spec's `response.Type` values; validation errors name the offending fields in `fields`.
 */
import { SimHttpError, intParam, type SimRequest } from '../kit/index.ts';
import { isUuid, norcubeCursor, parseRfc3339, type NorcubeSortKey } from './store.ts';

/** The spec's `response.Type` values. */
export const NC_ERROR_TYPES = [
  'INVALID_PAYLOAD', 'VALIDATION_FAILED', 'NOT_FOUND', 'CONFLICT', 'INTERNAL_ERROR', 'UNAUTHORIZED', 'FORBIDDEN',
  'MISSING_ORGANIZATION_ID', 'MISSING_USER_ID', 'INTERNAL_SERVER_ERROR', 'ORG_BLOCKED',
] as const;
export type NcErrorType = (typeof NC_ERROR_TYPES)[number];

/**
 * Page sizes of the cursor-paged lists (`/datasources`, `/backups`, `/datasources/{id}/backups`,
 * `/datasources/{id}/restores`, `/backup-policies`): `limit` 1..100, default 20. The spec gives
 * the parameter but no bounds; these are the simulator's documented choice.
 */
export const NC_LIST_LIMIT = { min: 1, max: 100, default: 20 } as const;
/** Page sizes of `/audit-log` *(spec)*: `limit` 1..200, default 50. */
export const NC_AUDIT_LIMIT = { min: 1, max: 200, default: 50 } as const;

/** An error in the spec's shape; `fields` become `APIError.fields`. */
export function apiError(status: number, type: NcErrorType, msg: string, fields?: Record<string, string>): SimHttpError {
  return new SimHttpError(status, type, msg, fields ? { details: fields } : {});
}

/** 400 VALIDATION_FAILED naming the offending fields (msg "see fields" like the spec's example). */
export function validationFailed(fields: Record<string, string>, msg = 'see fields'): SimHttpError {
  return apiError(400, 'VALIDATION_FAILED', msg, fields);
}

/** 404 NOT_FOUND. */
export function notFound(what: string): SimHttpError {
  return apiError(404, 'NOT_FOUND', `${what} not found`);
}

/** 409 CONFLICT. */
export function conflict(msg: string): SimHttpError {
  return apiError(409, 'CONFLICT', msg);
}

/** Maps the kit's own error codes (unknown route, bad JSON, 429, injected faults) to spec types. */
export function errorTypeFor(err: SimHttpError): NcErrorType {
  if ((NC_ERROR_TYPES as readonly string[]).includes(err.code)) return err.code as NcErrorType;
  if (err.code === 'bad_request') return 'INVALID_PAYLOAD';
  if (err.status === 401) return 'UNAUTHORIZED';
  if (err.status === 403) return 'FORBIDDEN';
  if (err.status === 404 || err.status === 405) return 'NOT_FOUND';
  if (err.status === 409) return 'CONFLICT';
  if (err.status === 400 || err.status === 422) return 'VALIDATION_FAILED';
  if (err.status === 500) return 'INTERNAL_SERVER_ERROR';
  // 429, 501, 502, 503...: the spec's enum has no closer value; the HTTP status carries the meaning.
  return 'INTERNAL_ERROR';
}

/** A path id the service parses as a UUID: 400 VALIDATION_FAILED when it is not one. */
export function uuidParam(req: SimRequest, name: string): string {
  const v = req.params[name];
  if (!isUuid(v)) throw validationFailed({ [name]: 'must be a valid UUID' }, `invalid ${name}`);
  return v.toLowerCase();
}

/** Reads an integer query parameter within bounds (400 VALIDATION_FAILED otherwise). */
export function intQuery(q: URLSearchParams, name: string, bounds: { min: number; max: number; default: number }): number {
  const error = (n: string, problem: string) => validationFailed({ [n]: problem }, `invalid ${n}`);
  return intParam(q, name, { min: bounds.min, max: bounds.max, error }) ?? bounds.default;
}

/** `cursor` + `limit` of a cursor-paged list. */
export function listPaging(q: URLSearchParams): { cursor: NorcubeSortKey | null; limit: number } {
  const limit = intQuery(q, 'limit', NC_LIST_LIMIT);
  const raw = q.get('cursor');
  if (raw === null || raw === '') return { cursor: null, limit };
  const cursor = norcubeCursor.decode(raw);
  if (!cursor) throw validationFailed({ cursor: 'malformed cursor' }, 'invalid cursor');
  return { cursor, limit };
}

/** An optional RFC 3339 query parameter. */
export function timeQuery(q: URLSearchParams, name: string): number | undefined {
  const raw = q.get(name);
  if (raw === null || raw === '') return undefined;
  const t = parseRfc3339(raw);
  if (t === null) throw validationFailed({ [name]: 'must be an RFC 3339 timestamp' }, `invalid ${name}`);
  return t;
}

/** Values of a repeated (`a=1&a=2`) array query parameter, empty strings dropped. */
export function arrayQuery(q: URLSearchParams, name: string): string[] {
  return q.getAll(name).filter((v) => v !== '');
}

/** The JSON object body (400 INVALID_PAYLOAD when absent or not an object). */
export function objectBody(req: SimRequest, optional = false): Record<string, unknown> {
  if (req.body === undefined && optional) return {};
  if (typeof req.body !== 'object' || req.body === null || Array.isArray(req.body)) {
    throw apiError(400, 'INVALID_PAYLOAD', 'request body must be a JSON object');
  }
  return req.body as Record<string, unknown>;
}

/** Field readers collecting per-field problems into one VALIDATION_FAILED. */
export function fieldReader(body: Record<string, unknown>) {
  const problems: Record<string, string> = {};
  const present = (k: string) => body[k] !== undefined && body[k] !== null;
  return {
    problems,
    present,
    string(k: string, opts: { required?: boolean; nonEmpty?: boolean; max?: number } = {}): string | undefined {
      const v = body[k];
      if (!present(k)) {
        if (opts.required) problems[k] = 'required';
        return undefined;
      }
      if (typeof v !== 'string') problems[k] = 'must be a string';
      else if ((opts.nonEmpty ?? opts.required) && v.trim() === '') problems[k] = 'must not be empty';
      else if (opts.max && v.length > opts.max) problems[k] = `must be at most ${opts.max} characters`;
      else return v;
      return undefined;
    },
    oneOf<T extends string>(k: string, values: readonly T[], opts: { required?: boolean } = {}): T | undefined {
      const v = body[k];
      if (!present(k)) {
        if (opts.required) problems[k] = 'required';
        return undefined;
      }
      if (typeof v !== 'string' || !(values as readonly string[]).includes(v)) {
        problems[k] = `must be one of ${values.join(', ')}`;
        return undefined;
      }
      return v as T;
    },
    boolean(k: string, opts: { required?: boolean } = {}): boolean | undefined {
      const v = body[k];
      if (!present(k)) {
        if (opts.required) problems[k] = 'required';
        return undefined;
      }
      if (typeof v !== 'boolean') {
        problems[k] = 'must be a boolean';
        return undefined;
      }
      return v;
    },
    int(k: string, opts: { required?: boolean; min?: number; max?: number } = {}): number | undefined {
      const v = body[k];
      if (!present(k)) {
        if (opts.required) problems[k] = 'required';
        return undefined;
      }
      if (typeof v !== 'number' || !Number.isInteger(v)) problems[k] = 'must be an integer';
      else if (opts.min !== undefined && v < opts.min) problems[k] = `must be at least ${opts.min}`;
      else if (opts.max !== undefined && v > opts.max) problems[k] = `must be at most ${opts.max}`;
      else return v;
      return undefined;
    },
    /** Throws VALIDATION_FAILED when any field had a problem. */
    check(): void {
      if (Object.keys(problems).length > 0) throw validationFailed(problems);
    },
  };
}

/** The exact message the service answers for a bad cron *(doc)*. */
export const BAD_CRON_MESSAGE = 'scheduleCron must be a valid 5-field cron expression';

/** 400 VALIDATION_FAILED for a bad `scheduleCron`. */
export function badCron(): SimHttpError {
  return validationFailed({ scheduleCron: 'must be a valid 5-field cron expression' }, BAD_CRON_MESSAGE);
}
