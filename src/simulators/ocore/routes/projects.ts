/**
 * Projects and their environments (assumed routes, PROVIDERS.md) and the project-wide backup list
 * *(doc)*: `GET /api/projects`, `GET /api/projects/{projectId}/environments`,
 * `GET /api/projects/{projectId}/backups` (newest first; `status`, `limit` 1..100 default 50, `offset`).
 */
import type { Router } from '../../kit/index.ts';
import { backupDto, environmentDto } from '../dto.ts';
import { enumParam, pageOf, pageParams, requireProject, type OcoreRouteContext } from '../http.ts';
import { OC_BACKUP_STATUSES } from '../state.ts';

/** Registers the project routes. */
export function registerProjectRoutes(r: Router, ctx: OcoreRouteContext): void {
  r.get('/api/projects', (req) => {
    const page = pageParams(req, 50);
    const all = ctx.state.projects;
    return { status: 200, body: { projects: pageOf(all, page).map((p) => ({ id: p.id, name: p.name })), total: all.length } };
  });

  r.get('/api/projects/:projectId/environments', (req) => {
    const project = requireProject(ctx, req.params.projectId);
    const page = pageParams(req, 50);
    const all = ctx.state.envsByProject.get(project.id)!;
    return { status: 200, body: { environments: pageOf(all, page).map(environmentDto), total: all.length } };
  });

  r.get('/api/projects/:projectId/backups', (req) => {
    const project = requireProject(ctx, req.params.projectId);
    const status = enumParam(req, 'status', OC_BACKUP_STATUSES);
    const page = pageParams(req, 50);
    const all = ctx.state.projectBackups(project.id);
    const matching = status ? all.filter((b) => b.status === status) : all;
    return {
      status: 200,
      body: { backups: pageOf(matching, page).map((b) => backupDto(ctx.state, b, ctx.live.liveProgress('backup', b.id))), total: matching.length },
    };
  });
}
