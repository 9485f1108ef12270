/**
 * Backups *(doc)*: the environment list (`status`, `type`, `limit` 1..100 default 20, `offset`),
 * manual trigger (202 `{ backupId, message }`), detail, asynchronous delete (202; `deleting`, then
 * 404), and the steps of a backup or restore operation (`GET /api/operations/{type}/{id}/steps`).
 */
import type { Router } from '../../kit/index.ts';
import { backupDto } from '../dto.ts';
import { badRequest, bodyObject, conflict, enumParam, notFound, pageOf, pageParams, requireBackup, requireEnvironment, type OcoreRouteContext } from '../http.ts';
import { operationSteps } from '../ops.ts';
import { OC_BACKUP_STATUSES, OC_BACKUP_TYPES, type OcBackupType } from '../state.ts';

/** Registers the backup routes. */
export function registerBackupRoutes(r: Router, ctx: OcoreRouteContext): void {
  r.get('/api/environments/:env_id/backups', (req) => {
    const env = requireEnvironment(ctx, req.params.env_id);
    const status = enumParam(req, 'status', OC_BACKUP_STATUSES);
    const type = enumParam(req, 'type', OC_BACKUP_TYPES);
    const page = pageParams(req, 20);
    const all = ctx.state.backupsByEnv.get(env.id)!;
    const matching = status || type ? all.filter((b) => (!status || b.status === status) && (!type || b.backupType === type)) : all;
    return {
      status: 200,
      body: { backups: pageOf(matching, page).map((b) => backupDto(ctx.state, b, ctx.live.liveProgress('backup', b.id))), total: matching.length },
    };
  });

  r.post('/api/environments/:env_id/backups', (req) => {
    const env = requireEnvironment(ctx, req.params.env_id);
    const body = bodyObject(req);
    if (!(OC_BACKUP_TYPES as readonly unknown[]).includes(body.type)) throw badRequest('type must be "db" or "full"');
    const backup = ctx.live.startBackup(env, body.type as OcBackupType, 'manual');
    return { status: 202, body: { backupId: backup.id, message: 'Backup queued' } };
  });

  r.get('/api/backups/:id', (req) => {
    const b = requireBackup(ctx, req.params.id);
    return { status: 200, body: backupDto(ctx.state, b, ctx.live.liveProgress('backup', b.id)) };
  });

  r.delete('/api/backups/:id', (req) => {
    const b = requireBackup(ctx, req.params.id);
    if (b.status === 'deleting') throw conflict('backup is already being deleted');
    if (b.status === 'pending' || b.status === 'running') throw conflict(`backup is ${b.status}; wait until it ends before deleting it`);
    ctx.live.deleteBackup(b);
    return { status: 202, body: { message: 'Backup marked for deletion; cleanup from all storage destinations enqueued' } };
  });

  r.get('/api/operations/:type/:id/steps', (req) => {
    const { type, id } = req.params;
    let steps;
    if (type === 'backup') {
      steps = operationSteps(ctx.live.backupOperation(requireBackup(ctx, id)));
    } else if (type === 'restore') {
      const log = ctx.state.restoreLogs.get(id);
      if (!log) throw notFound('restore');
      steps = operationSteps(ctx.live.restoreOperation(log));
    } else {
      throw badRequest('type must be "backup" or "restore"');
    }
    return { status: 200, body: { steps, total: steps.length } };
  });
}
