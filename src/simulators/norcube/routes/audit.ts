/**
 * Norcube simulator routes of the "Audit log" group. The log pages on its own *(spec)*: `limit`
 * 1..200 (default 50), newest first, resumed with `cursorCreatedAt` + `cursorId` (both or
 * neither) taken from the previous page's `nextCursorCreatedAt` + `nextCursorId`, which are absent
 * on the last page. Filters: `since` (inclusive) / `until` (exclusive) RFC 3339, repeated
 * `actions`, `targetTypes` and `actorIds`, and `targetId`; unknown enum values are 400.
 */
import type { Router } from '../../kit/index.ts';
import type { NorcubeRouteContext } from '../context.ts';
import { auditDto } from '../dto.ts';
import { arrayQuery, intQuery, NC_AUDIT_LIMIT, timeQuery, validationFailed } from '../http.ts';
import { NC_AUDIT_ACTIONS, NC_AUDIT_TARGET_TYPES, type NcActor, type NcAuditEntry } from '../state.ts';
import { isUuid, iso, parseRfc3339 } from '../store.ts';

/** Registers the audit log routes. */
export function registerAuditRoutes(r: Router, ctx: NorcubeRouteContext): void {

  r.get('/audit-log', (req) => {
    const q = req.query;
    const limit = intQuery(q, 'limit', NC_AUDIT_LIMIT);
    const rawAt = q.get('cursorCreatedAt') || null;
    const rawId = q.get('cursorId') || null;
    if ((rawAt === null) !== (rawId === null)) {
      throw validationFailed({ [rawAt === null ? 'cursorCreatedAt' : 'cursorId']: 'cursorCreatedAt and cursorId go together' }, 'invalid cursor');
    }
    let cursor: { t: number; id: string } | null = null;
    if (rawAt !== null && rawId !== null) {
      const t = parseRfc3339(rawAt);
      if (t === null) throw validationFailed({ cursorCreatedAt: 'must be an RFC 3339 timestamp' }, 'invalid cursor');
      if (!isUuid(rawId)) throw validationFailed({ cursorId: 'must be a valid UUID' }, 'invalid cursor');
      cursor = { t, id: rawId.toLowerCase() };
    }
    const since = timeQuery(q, 'since');
    const until = timeQuery(q, 'until');
    const actions = arrayQuery(q, 'actions');
    const badAction = actions.find((a) => !(NC_AUDIT_ACTIONS as readonly string[]).includes(a));
    if (badAction !== undefined) throw validationFailed({ actions: `unknown action ${JSON.stringify(badAction)}` });
    const targetTypes = arrayQuery(q, 'targetTypes');
    const badType = targetTypes.find((a) => !(NC_AUDIT_TARGET_TYPES as readonly string[]).includes(a));
    if (badType !== undefined) throw validationFailed({ targetTypes: `unknown target type ${JSON.stringify(badType)}` });
    const actorIds = arrayQuery(q, 'actorIds');
    if (actorIds.some((a) => !isUuid(a))) throw validationFailed({ actorIds: 'must be UUIDs' });
    const targetId = q.get('targetId') || undefined;

    const actionSet = actions.length ? new Set<string>(actions) : null;
    const typeSet = targetTypes.length ? new Set<string>(targetTypes) : null;
    const actorSet = actorIds.length ? new Set(actorIds.map((a) => a.toLowerCase())) : null;
    const keep = (e: NcAuditEntry) =>
      (since === undefined || e.createdAt >= since) && (until === undefined || e.createdAt < until) &&
      (!actionSet || actionSet.has(e.action)) && (!typeSet || typeSet.has(e.targetType)) &&
      (!actorSet || (!!e.actor && actorSet.has(e.actor.id))) && (targetId === undefined || e.targetId === targetId);
    const page = ctx.state.audit.page(cursor, limit, keep);
    const body: Record<string, unknown> = { list: page.items.map((e) => auditDto(ctx.state, e)) };
    if (page.next) {
      body.nextCursorCreatedAt = iso(page.next.t);
      body.nextCursorId = page.next.id;
    }
    return { status: 200, body };
  });

  r.get('/audit-log/actors', () => {
    const byId = new Map<string, NcActor>();
    for (const e of ctx.state.audit.items) if (e.actor) byId.set(e.actor.id, e.actor);
    const actors = [...byId.values()].sort((a, b) => a.name.localeCompare(b.name));
    return { status: 200, body: actors.map((a) => ({ id: a.id, name: a.name, email: a.email })) };
  });
}
