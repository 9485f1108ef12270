/**
 * Schedules, retention and PITR *(doc)*: `GET/PUT /api/environments/{env_id}/backup-schedule`
 * (404 when none; PUT merges the given fields onto the current schedule or the defaults and
 * validates them: 5-field crons (`""` = no backups of that type), IANA time zone, non-negative
 * integers, known destination ids), `POST .../backup-schedule/retention-preview`,
 * `GET /api/backup-schedule/presets` and `GET /api/environments/{env_id}/pitr-coverage`.
 */
import { randomUUID } from 'node:crypto';
import { isCronExpression, isTimeZone, type Router } from '../../kit/index.ts';
import { scheduleDto } from '../dto.ts';
import { badRequest, bodyObject, ocError, requireEnvironment, type OcoreRouteContext } from '../http.ts';
import { pitrCoverage, pitrCoverageDto } from '../pitr.ts';
import { assignGfsTiers, OC_DEFAULT_RETENTION, retentionPreview } from '../retention.ts';
import { OC_RETENTION_FIELDS, type OcEnvironment, type OcRetention, type OcSchedule } from '../state.ts';

/** Cron presets *(doc: "common cron expression presets")*. */
export const OCORE_CRON_PRESETS = [
  { cron: '*/15 * * * *', label: 'Every 15 minutes' },
  { cron: '0 * * * *', label: 'Every hour' },
  { cron: '0 */6 * * *', label: 'Every 6 hours' },
  { cron: '0 */12 * * *', label: 'Every 12 hours' },
  { cron: '0 2 * * *', label: 'Daily at 02:00' },
  { cron: '0 3 * * 0', label: 'Weekly on Sunday at 03:00' },
  { cron: '0 4 1 * *', label: 'Monthly on the 1st at 04:00' },
];

const BOOLEAN_FIELDS = ['enabled', 'paused', 'walEnabled'] as const;
const STRING_FIELDS = ['dbFrequency', 'fullFrequency'] as const;
const CRON_FIELDS = ['dbCron', 'fullCron'] as const;

function defaultSchedule(env: OcEnvironment): OcSchedule {
  return {
    id: randomUUID(), environmentId: env.id, enabled: true, paused: false,
    dbCron: '0 2 * * *', dbFrequency: 'daily', fullCron: '0 3 * * 0', fullFrequency: 'weekly',
    destinationIds: [env.destinations[0].id], timezone: 'UTC', walEnabled: false, walRetentionDays: 7, ...OC_DEFAULT_RETENTION,
  };
}

function nonNegativeInt(body: Record<string, unknown>, field: string): number | undefined {
  const v = body[field];
  if (v === undefined) return undefined;
  if (typeof v !== 'number' || !Number.isInteger(v) || v < 0) throw badRequest(`${field} must be a non-negative integer`);
  return v;
}

/** The retention fields of `body` merged onto `base` (400 on a bad value). */
function mergeRetention(body: Record<string, unknown>, base: OcRetention): OcRetention {
  const out = { ...base };
  for (const f of OC_RETENTION_FIELDS) {
    const v = nonNegativeInt(body, f);
    if (v !== undefined) out[f] = v;
  }
  return out;
}

function retentionOf(s: OcSchedule): OcRetention {
  return Object.fromEntries(OC_RETENTION_FIELDS.map((f) => [f, s[f]])) as OcRetention;
}

/** `body` merged onto `current` (validated). */
function mergeSchedule(ctx: OcoreRouteContext, env: OcEnvironment, current: OcSchedule, body: Record<string, unknown>): OcSchedule {
  const next: OcSchedule = { ...current, ...mergeRetention(body, retentionOf(current)), destinationIds: [...current.destinationIds] };
  for (const f of BOOLEAN_FIELDS) {
    if (body[f] === undefined) continue;
    if (typeof body[f] !== 'boolean') throw badRequest(`${f} must be a boolean`);
    next[f] = body[f] as boolean;
  }
  for (const f of STRING_FIELDS) {
    if (body[f] === undefined) continue;
    if (typeof body[f] !== 'string') throw badRequest(`${f} must be a string`);
    next[f] = body[f] as string;
  }
  for (const f of CRON_FIELDS) {
    const v = body[f];
    if (v === undefined) continue;
    if (typeof v !== 'string' || (v.trim() !== '' && !isCronExpression(v))) {
      throw badRequest(`${f} must be a 5-field cron expression (minute hour day-of-month month day-of-week)`);
    }
    next[f] = v.trim();
  }
  if (body.timezone !== undefined) {
    if (!isTimeZone(body.timezone)) throw badRequest('timezone must be an IANA time zone such as "Europe/Berlin"');
    next.timezone = body.timezone;
  }
  const days = nonNegativeInt(body, 'walRetentionDays');
  if (days !== undefined) next.walRetentionDays = days;
  if (body.destinationIds !== undefined) {
    const known = new Set(ctx.state.projectById.get(env.projectId)!.destinations.map((d) => d.id));
    if (!Array.isArray(body.destinationIds) || !body.destinationIds.every((d) => typeof d === 'string' && known.has(d))) {
      throw badRequest('destinationIds must be an array of storage destination ids of the project');
    }
    next.destinationIds = [...new Set(body.destinationIds as string[])];
  }
  return next;
}

/** Registers the schedule, retention and PITR routes. */
export function registerScheduleRoutes(r: Router, ctx: OcoreRouteContext): void {
  r.get('/api/environments/:env_id/backup-schedule', (req) => {
    const env = requireEnvironment(ctx, req.params.env_id);
    const s = ctx.state.schedules.get(env.id);
    if (!s) throw ocError(404, 'no backup schedule exists for this environment');
    return { status: 200, body: scheduleDto(s, ctx.clock()) };
  });

  r.put('/api/environments/:env_id/backup-schedule', (req) => {
    const env = requireEnvironment(ctx, req.params.env_id);
    const body = bodyObject(req);
    const next = mergeSchedule(ctx, env, ctx.state.schedules.get(env.id) ?? defaultSchedule(env), body);
    ctx.state.schedules.set(env.id, next);
    assignGfsTiers(ctx.state.backupsByEnv.get(env.id)!, next, ctx.clock());
    return { status: 200, body: scheduleDto(next, ctx.clock()) };
  });

  r.post('/api/environments/:env_id/backup-schedule/retention-preview', (req) => {
    const env = requireEnvironment(ctx, req.params.env_id);
    const body = bodyObject(req, true);
    const current = ctx.state.schedules.get(env.id);
    const retention = mergeRetention(body, current ? retentionOf(current) : OC_DEFAULT_RETENTION);
    return { status: 200, body: retentionPreview(ctx.state.backupsByEnv.get(env.id)!, retention, ctx.clock()) };
  });

  r.get('/api/backup-schedule/presets', () => ({ status: 200, body: OCORE_CRON_PRESETS.map((p) => ({ ...p })) }));

  r.get('/api/environments/:env_id/pitr-coverage', (req) => {
    const env = requireEnvironment(ctx, req.params.env_id);
    return { status: 200, body: pitrCoverageDto(pitrCoverage(ctx.state, env.id, ctx.clock())) };
  });
}
