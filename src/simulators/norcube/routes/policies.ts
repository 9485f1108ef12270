/**
 * Norcube simulator routes of the "Backup policies" and "Attachments" groups: policy templates
 * (bad `scheduleCron` -> 400 "scheduleCron must be a valid 5-field cron expression" *(doc)*) and
 * policies attached to data sources (a duplicate attachment -> 409 CONFLICT *(doc)*).
 */
import { randomUUID } from 'node:crypto';
import { isCronExpression, isTimeZone, type Router, type SimRequest } from '../../kit/index.ts';
import { requireDatasource, type NorcubeRouteContext } from '../context.ts';
import { attachmentDto, paginated, policyDto } from '../dto.ts';
import { badCron, conflict, fieldReader, listPaging, notFound, objectBody, uuidParam, validationFailed } from '../http.ts';
import {
  addAttachment, attachmentsOf, removeAttachment, NC_COMPRESSIONS, NC_ENCRYPTIONS, NC_METHODS, type NcAttachment, type NcPolicy,
} from '../state.ts';
import { isUuid } from '../store.ts';

/** Registers the policy and attachment routes. */
export function registerPolicyRoutes(r: Router, ctx: NorcubeRouteContext): void {
  const { live } = ctx;

  /** Reads the policy fields shared by create and update; `create` makes the spec's required ones required. */
  function readPolicy(req: SimRequest, create: boolean) {
    const body = objectBody(req);
    const f = fieldReader(body);
    // The cron message is the service's own *(doc)*: check it first so it is the error's `msg`.
    if (f.present('scheduleCron') && !isCronExpression(body.scheduleCron)) throw badCron();
    const v = {
      name: f.string('name', { required: create, nonEmpty: true, max: 128 }),
      destinationId: create ? f.string('destinationId', { required: true }) : undefined,
      scheduleCron: f.string('scheduleCron', { required: create }),
      timezone: f.string('timezone', { required: create }),
      retentionDays: f.int('retentionDays', { required: create, min: 1, max: 3650 }),
      keepLastN: f.int('keepLastN', { required: create, min: 0, max: 1000 }),
      method: f.oneOf('method', NC_METHODS),
      compression: f.oneOf('compression', NC_COMPRESSIONS),
      encryption: f.oneOf('encryption', NC_ENCRYPTIONS),
      parallelism: f.int('parallelism', { min: 1, max: 32 }),
      pitrEnabled: f.boolean('pitrEnabled'),
      throttleMbps: f.int('throttleMbps', { min: 1, max: 10_000 }),
    };
    if (v.timezone !== undefined && !isTimeZone(v.timezone)) f.problems.timezone = 'must be an IANA time zone';
    if (v.destinationId !== undefined) {
      if (!isUuid(v.destinationId)) f.problems.destinationId = 'must be a valid UUID';
      else if (!ctx.state.destinations.has(v.destinationId.toLowerCase())) f.problems.destinationId = 'unknown storage destination';
    }
    f.check();
    return v;
  }

  function nameTaken(name: string, exceptId?: string): boolean {
    const n = name.trim().toLocaleLowerCase();
    for (const p of ctx.state.policies.values()) if (p.id !== exceptId && p.name.toLocaleLowerCase() === n) return true;
    return false;
  }

  r.get('/backup-policies', (req) => {
    const { cursor, limit } = listPaging(req.query);
    const page = ctx.state.policyList.page(cursor, limit);
    return { status: 200, body: paginated(page.items.map((p) => policyDto(ctx.state, p)), page.next, ctx.clock()) };
  });

  r.post('/backup-policies', (req) => {
    const v = readPolicy(req, true);
    if (nameTaken(v.name!)) throw conflict('a backup policy with this name already exists');
    const now = ctx.clock();
    const p: NcPolicy = {
      id: randomUUID(), name: v.name!.trim(), scheduleCron: v.scheduleCron!.trim(), timezone: v.timezone!, retentionDays: v.retentionDays!,
      keepLastN: v.keepLastN!, method: v.method ?? 'logical_dump', compression: v.compression ?? 'gzip', encryption: v.encryption ?? 'sse-s3',
      parallelism: v.parallelism ?? 1, pitrEnabled: v.pitrEnabled ?? v.method === 'pitr', throttleMbps: v.throttleMbps,
      destinationId: v.destinationId!.toLowerCase(), createdAt: now, updatedAt: now,
    };
    ctx.state.policies.set(p.id, p);
    ctx.state.policyList.insert(p);
    live.audit('policy.created', 'backup_policy', p.id, ctx.state.tokenUser, { name: p.name });
    return { status: 201, body: { id: p.id } };
  });

  r.patch('/backup-policies/:id', (req) => {
    const id = uuidParam(req, 'id');
    const p = ctx.state.policies.get(id);
    if (!p) throw notFound('backup policy');
    const v = readPolicy(req, false);
    if (v.name !== undefined && nameTaken(v.name, p.id)) throw conflict('a backup policy with this name already exists');
    const changed: string[] = [];
    for (const [k, val] of Object.entries(v)) {
      if (val === undefined) continue;
      (p as unknown as Record<string, unknown>)[k] = typeof val === 'string' && k !== 'timezone' ? val.trim() : val;
      changed.push(k);
    }
    p.updatedAt = ctx.clock();
    live.audit('policy.updated', 'backup_policy', p.id, ctx.state.tokenUser, { changed });
    return { status: 204 };
  });

  r.get('/datasources/:datasourceId/policies', (req) => {
    const ds = requireDatasource(ctx, req);
    const now = ctx.clock();
    return { status: 200, body: attachmentsOf(ctx.state, ds.id).map((a) => attachmentDto(ctx.state, a, now)) };
  });

  r.post('/datasources/:datasourceId/policies', (req) => {
    const ds = requireDatasource(ctx, req);
    const f = fieldReader(objectBody(req));
    const enabled = f.boolean('enabled', { required: true });
    const policyId = f.string('policyId', { required: true });
    const priority = f.int('priority', { min: 0, max: 1000 });
    if (policyId !== undefined && !isUuid(policyId)) f.problems.policyId = 'must be a valid UUID';
    f.check();
    const policy = ctx.state.policies.get(policyId!.toLowerCase());
    if (!policy) throw notFound('backup policy');
    const existing = attachmentsOf(ctx.state, ds.id);
    if (existing.some((a) => a.policyId === policy.id)) throw conflict('this backup policy is already attached to this datasource');
    const a: NcAttachment = {
      id: randomUUID(), datasourceId: ds.id, policyId: policy.id, isEnabled: enabled!,
      priority: priority ?? existing.reduce((m, x) => Math.max(m, x.priority), 0) + 1, jitterSeconds: 300, createdAt: ctx.clock(),
    };
    addAttachment(ctx.state, a);
    live.audit('policy.attached', 'data_source_policy', a.id, ctx.state.tokenUser, { datasourceId: ds.id, policyId: policy.id, enabled: a.isEnabled });
    return { status: 201, body: { id: a.id } };
  });

  function requireAttachment(req: SimRequest): NcAttachment {
    const ds = requireDatasource(ctx, req);
    const policyId = uuidParam(req, 'policyId');
    const a = attachmentsOf(ctx.state, ds.id).find((x) => x.policyId === policyId);
    if (!a) throw notFound('policy attachment');
    return a;
  }

  r.patch('/datasources/:datasourceId/policies/:policyId', (req) => {
    const a = requireAttachment(req);
    const f = fieldReader(objectBody(req));
    const enabled = f.boolean('enabled');
    const priority = f.int('priority', { min: 0, max: 1000 });
    f.check();
    if (enabled === undefined && priority === undefined) throw validationFailed({ enabled: 'nothing to update' }, 'nothing to update');
    if (enabled !== undefined) a.isEnabled = enabled;
    if (priority !== undefined) a.priority = priority;
    live.audit('policy.updated', 'data_source_policy', a.id, ctx.state.tokenUser, { datasourceId: a.datasourceId, policyId: a.policyId, enabled: a.isEnabled, priority: a.priority });
    return { status: 204 };
  });

  r.delete('/datasources/:datasourceId/policies/:policyId', (req) => {
    const a = requireAttachment(req);
    removeAttachment(ctx.state, a);
    live.audit('policy.detached', 'data_source_policy', a.id, ctx.state.tokenUser, { datasourceId: a.datasourceId, policyId: a.policyId });
    return { status: 204 };
  });
}
