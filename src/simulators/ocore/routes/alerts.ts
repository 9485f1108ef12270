/**
 * Backup alerts *(doc)*, item shape assumed in PROVIDERS.md: the list (`include_dismissed`,
 * `limit` 1..100 default 50, no offset; newest first; `total` counts every match), the unread and
 * undismissed counts, and the dismiss / read actions (200 `{ message }`, 404 when unknown).
 */
import { intParam, type Router } from '../../kit/index.ts';
import { alertDto } from '../dto.ts';
import { badRequest, notFound, type OcoreRouteContext } from '../http.ts';

/** Registers the alert routes. */
export function registerAlertRoutes(r: Router, ctx: OcoreRouteContext): void {
  r.get('/api/backup-alerts', (req) => {
    const raw = req.query.get('include_dismissed');
    if (raw !== null && raw !== '' && !['true', 'false', '1', '0'].includes(raw)) throw badRequest('include_dismissed must be a boolean');
    const includeDismissed = raw === 'true' || raw === '1';
    const limit = intParam(req.query, 'limit', { min: 1, max: 100 }) ?? 50;
    const matching = includeDismissed ? ctx.state.alerts : ctx.state.alerts.filter((a) => !a.dismissed);
    return { status: 200, body: { alerts: matching.slice(0, limit).map((a) => alertDto(ctx.state, a)), total: matching.length } };
  });

  r.get('/api/backup-alerts/count', () => {
    let undismissed = 0;
    let unread = 0;
    for (const a of ctx.state.alerts) {
      if (a.dismissed) continue;
      undismissed++;
      if (!a.read) unread++;
    }
    return { status: 200, body: { undismissed, unread } };
  });

  r.post('/api/backup-alerts/:id/dismiss', (req) => {
    const a = ctx.state.alertById.get(req.params.id);
    if (!a) throw notFound('alert');
    a.dismissed = true;
    return { status: 200, body: { message: 'Alert dismissed' } };
  });

  r.post('/api/backup-alerts/:id/read', (req) => {
    const a = ctx.state.alertById.get(req.params.id);
    if (!a) throw notFound('alert');
    a.read = true;
    return { status: 200, body: { message: 'Alert marked as read' } };
  });
}
