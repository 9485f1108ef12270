/**
 * Restores *(doc)*: `POST /api/backups/{id}/restore` (targetType `same` | `other`; `new` is
 * disabled; optional `pitrTimestamp` checked against the source environment's PITR coverage;
 * 202 `{ backupId, message, target, restoreLogId }`, `target` being the target environment id) and
 * `GET /api/environments/{environmentId}/restore-logs` (source or target matches; `limit` 1..100
 * default 50, `offset`, `total`).
 */
import type { Router } from '../../kit/index.ts';
import { restoreLogDto } from '../dto.ts';
import {
  badRequest, bodyObject, conflict, notFound, pageOf, pageParams, requireBackup, requireEnvironment, type OcoreRouteContext,
} from '../http.ts';
import { isRecoverable, pitrCoverage } from '../pitr.ts';

/** Who the simulator records as `performedBy` for restores started through the API. */
export const OCORE_API_ACTOR = 'api-token@ocore.example';

/** Registers the restore routes. */
export function registerRestoreRoutes(r: Router, ctx: OcoreRouteContext): void {
  r.post('/api/backups/:id/restore', (req) => {
    const backup = requireBackup(ctx, req.params.id);
    const body = bodyObject(req);
    if (body.backupId !== undefined && body.backupId !== backup.id) throw badRequest('backupId does not match the backup in the path');
    const targetType = body.targetType;
    if (targetType === 'new') throw badRequest('targetType "new" is disabled until orchestration exists');
    if (targetType !== 'same' && targetType !== 'other') throw badRequest('targetType must be "same" or "other"');
    let target = ctx.state.environments.get(backup.environmentId)!;
    if (targetType === 'other') {
      if (typeof body.targetEnvironmentId !== 'string' || body.targetEnvironmentId === '') {
        throw badRequest('targetEnvironmentId is required when targetType is "other"');
      }
      const other = ctx.state.environments.get(body.targetEnvironmentId);
      if (!other) throw notFound('target environment');
      target = other;
    }
    let pitrTimestamp: number | null = null;
    if (body.pitrTimestamp !== undefined && body.pitrTimestamp !== null && body.pitrTimestamp !== '') {
      const at = typeof body.pitrTimestamp === 'string' && /^\d{4}-\d{2}-\d{2}T/.test(body.pitrTimestamp) ? Date.parse(body.pitrTimestamp) : NaN;
      if (Number.isNaN(at)) throw badRequest('pitrTimestamp must be an RFC 3339 timestamp');
      pitrTimestamp = at;
    }
    if (backup.status !== 'completed') throw conflict(`backup is ${backup.status}; only completed backups can be restored`);
    if (pitrTimestamp !== null) {
      const coverage = pitrCoverage(ctx.state, backup.environmentId, ctx.clock());
      if (coverage.earliestRecoverable === null) throw badRequest('point-in-time recovery is not enabled for the source environment');
      if (!isRecoverable(coverage, pitrTimestamp, backup.completedAt!)) {
        throw badRequest('pitrTimestamp is outside the recoverable window of this backup (see pitr-coverage)');
      }
    }
    const busy = ctx.state.restoreLogsByEnv.get(target.id)!
      .some((l) => l.targetEnvironmentId === target.id && (l.status === 'pending' || l.status === 'running'));
    if (busy) throw conflict('a restore into the target environment is already in progress');
    const log = ctx.live.startRestore({ backup, target, targetType, pitrTimestamp, performedBy: OCORE_API_ACTOR });
    return { status: 202, body: { backupId: backup.id, message: 'Restore queued', target: target.id, restoreLogId: log.id } };
  });

  r.get('/api/environments/:environmentId/restore-logs', (req) => {
    const env = requireEnvironment(ctx, req.params.environmentId);
    const page = pageParams(req, 50);
    const all = ctx.state.restoreLogsByEnv.get(env.id)!;
    return {
      status: 200,
      body: { restoreLogs: pageOf(all, page).map((l) => restoreLogDto(ctx.state, l, ctx.live.liveProgress('restore', l.id))), total: all.length },
    };
  });
}
