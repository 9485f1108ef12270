/**
 * Norcube simulator routes of the "Data sources" group: CRUD (delete cascades), protect (one-step
 * setup), credentials, connection verify, restore-check settings and the two history charts.
 */
import { randomUUID } from 'node:crypto';
import { isCronExpression, isTimeZone, type Router } from '../../kit/index.ts';
import { requireDatasource, type NorcubeRouteContext } from '../context.ts';
import { dataSourceDto, paginated } from '../dto.ts';
import {
  badCron, conflict, fieldReader, intQuery, listPaging, objectBody, validationFailed,
} from '../http.ts';
import {
  addAttachment, removeAttachment, jobsOf, hasLiveArtifact, restoresOf, NC_ENGINES, NC_ENVIRONMENTS, NC_REGIONS,
  type NcDataSource, type NcEngine, type NcRestoreCheck,
} from '../state.ts';
import { iso } from '../store.ts';

const CREDENTIAL_MODES = ['connection_uri', 'fields'] as const;
const RESTORE_CHECK_MODES = ['off', 'schedule', 'every_nth', 'sample'] as const;
const RESTORE_CHECK_TARGETS = ['managed_ephemeral', 'customer_scratch'] as const;
const VALIDATION_LEVELS = ['l1', 'l2', 'l3'] as const;

function defaultRestoreCheck(): NcRestoreCheck {
  return { enabled: false, mode: 'off', target: 'managed_ephemeral', validationLevel: 'l1', hasScratchCredentials: false };
}

function restoreCheckDto(rc: NcRestoreCheck) {
  const out: Record<string, unknown> = {
    enabled: rc.enabled, mode: rc.mode, target: rc.target, validationLevel: rc.validationLevel, hasScratchCredentials: rc.hasScratchCredentials,
    scheduleCron: rc.scheduleCron, scheduleTimezone: rc.scheduleTimezone, nth: rc.nth, sampleProbability: rc.sampleProbability,
    validationQuery: rc.validationQuery, lastRunAt: rc.lastRunAt === undefined ? undefined : iso(rc.lastRunAt),
  };
  for (const k of Object.keys(out)) if (out[k] === undefined) delete out[k];
  return out;
}

/** Checks a credential payload (`datasourcehandler.payloadSetCredentialsRequest`) for `engine`. */
function checkCredential(raw: unknown, engine: NcEngine, field = 'credential'): void {
  if (typeof raw !== 'object' || raw === null || Array.isArray(raw)) throw validationFailed({ [field]: 'required' });
  const body = raw as Record<string, unknown>;
  const f = fieldReader(body);
  const mode = f.oneOf('mode', CREDENTIAL_MODES, { required: true });
  if (mode === 'connection_uri') {
    const uri = f.string('uri', { required: true });
    if (uri !== undefined) {
      const schemes = engine === 'postgres' ? ['postgres:', 'postgresql:'] : ['mongodb:', 'mongodb+srv:'];
      let ok = false;
      try {
        ok = schemes.includes(new URL(uri).protocol);
      } catch {
        ok = false;
      }
      if (!ok) f.problems.uri = `must be a ${engine} connection URI`;
    }
  } else if (mode === 'fields') {
    const fields = body.fields as Record<string, unknown> | undefined;
    const sub = fields && typeof fields === 'object' ? (fields[engine] as Record<string, unknown> | undefined) : undefined;
    if (!sub || typeof sub !== 'object') f.problems[`fields.${engine}`] = 'required';
    else {
      const required = engine === 'postgres' ? ['db', 'host', 'port', 'user'] : ['db', 'scheme'];
      for (const k of required) if (sub[k] === undefined || sub[k] === '') f.problems[`fields.${engine}.${k}`] = 'required';
    }
  }
  if (Object.keys(f.problems).length > 0) {
    throw validationFailed(Object.fromEntries(Object.entries(f.problems).map(([k, v]) => [field === 'credential' ? `credential.${k}` : k, v])));
  }
}

/** Registers the data source routes. */
export function registerDatasourceRoutes(r: Router, ctx: NorcubeRouteContext): void {
  const { live } = ctx;

  r.get('/datasources', (req) => {
    const { cursor, limit } = listPaging(req.query);
    const query = (req.query.get('query') ?? '').trim().toLocaleLowerCase();
    const page = ctx.state.datasourceList.page(cursor, limit, query ? (d) => d.name.toLocaleLowerCase().includes(query) : undefined);
    const now = ctx.clock();
    return { status: 200, body: paginated(page.items.map((d) => dataSourceDto(ctx.state, d, 'list', now)), page.next, now) };
  });

  r.post('/datasources', (req) => {
    const f = fieldReader(objectBody(req));
    const name = f.string('name', { required: true, max: 128 });
    const engine = f.oneOf('engine', NC_ENGINES, { required: true });
    const environment = f.oneOf('environment', NC_ENVIRONMENTS, { required: true });
    const region = f.oneOf('region', NC_REGIONS, { required: true });
    f.check();
    const now = ctx.clock();
    const ds: NcDataSource = {
      id: randomUUID(), name: name!.trim(), engine: engine!, environment: environment!, region: region!, isActive: true, hasCredentials: false,
      createdAt: now, updatedAt: now, restoreCheck: null, baseSizeBytes: 512 * 1024 * 1024,
    };
    ctx.state.datasources.set(ds.id, ds);
    ctx.state.datasourceList.insert(ds);
    live.audit('datasource.created', 'datasource', ds.id, ctx.state.tokenUser, { name: ds.name, engine: ds.engine, environment: ds.environment });
    return { status: 201, body: { id: ds.id } };
  });

  r.post('/datasources/protect', (req) => {
    const body = objectBody(req);
    const f = fieldReader(body);
    if (f.present('scheduleCron') && !isCronExpression(body.scheduleCron)) throw badCron();
    const name = f.string('name', { required: true, max: 128 });
    const engine = f.oneOf('engine', NC_ENGINES, { required: true });
    const environment = f.oneOf('environment', NC_ENVIRONMENTS) ?? 'prod';
    const region = f.oneOf('region', NC_REGIONS) ?? 'eu-central-1';
    const scheduleCron = f.string('scheduleCron', { required: true });
    const timezone = f.string('timezone', { required: true });
    if (timezone !== undefined && !isTimeZone(timezone)) f.problems.timezone = 'must be an IANA time zone';
    const retentionDays = f.int('retentionDays', { required: true, min: 1, max: 3650 });
    const keepLastN = f.int('keepLastN', { required: true, min: 0, max: 1000 });
    f.check();
    checkCredential(body.credential, engine!);
    const managed = [...ctx.state.destinations.values()].find((d) => d.isManaged && d.region === region);
    if (!managed) throw validationFailed({ region: 'no managed storage destination in this region; call POST /storage-destinations/managed/ensure' });
    const now = ctx.clock();
    const ds: NcDataSource = {
      id: randomUUID(), name: name!.trim(), engine: engine!, environment, region, isActive: true, hasCredentials: true,
      createdAt: now, updatedAt: now, restoreCheck: null, baseSizeBytes: 512 * 1024 * 1024,
      detectedEngineVersion: engine === 'postgres' ? '17.2' : '7.0.14', detectedEngineVersionAt: now,
    };
    ctx.state.datasources.set(ds.id, ds);
    ctx.state.datasourceList.insert(ds);
    const policy = {
      id: randomUUID(), name: `${ds.name} (default)`, scheduleCron: scheduleCron!, timezone: timezone!, retentionDays: retentionDays!,
      keepLastN: keepLastN!, method: 'logical_dump' as const, compression: 'gzip' as const, encryption: 'sse-kms' as const, parallelism: 2,
      pitrEnabled: false, destinationId: managed.id, createdAt: now, updatedAt: now,
    };
    ctx.state.policies.set(policy.id, policy);
    ctx.state.policyList.insert(policy);
    const att = { id: randomUUID(), datasourceId: ds.id, policyId: policy.id, isEnabled: true, priority: 1, jitterSeconds: 300, createdAt: now };
    addAttachment(ctx.state, att);
    live.audit('datasource.created', 'datasource', ds.id, ctx.state.tokenUser, { name: ds.name, engine: ds.engine, environment: ds.environment });
    live.audit('datasource.credentials_set', 'datasource', ds.id, ctx.state.tokenUser, { mode: (body.credential as { mode: string }).mode });
    live.audit('policy.created', 'backup_policy', policy.id, ctx.state.tokenUser, { name: policy.name });
    live.audit('policy.attached', 'data_source_policy', att.id, ctx.state.tokenUser, { datasourceId: ds.id, policyId: policy.id, enabled: true });
    return { status: 201, body: { dataSourceId: ds.id, policyId: policy.id, verifyOk: true } };
  });

  r.get('/datasources/:id', (req) => {
    const ds = requireDatasource(ctx, req, 'id');
    return { status: 200, body: dataSourceDto(ctx.state, ds, 'detail', ctx.clock()) };
  });

  r.patch('/datasources/:id', (req) => {
    const ds = requireDatasource(ctx, req, 'id');
    const f = fieldReader(objectBody(req));
    const name = f.string('name', { nonEmpty: true, max: 128 });
    const environment = f.oneOf('environment', NC_ENVIRONMENTS);
    const region = f.oneOf('region', NC_REGIONS);
    const isActive = f.boolean('isActive');
    f.check();
    const wasActive = ds.isActive;
    if (name !== undefined) ds.name = name.trim();
    if (environment !== undefined) ds.environment = environment;
    if (region !== undefined) ds.region = region;
    if (isActive !== undefined) ds.isActive = isActive;
    ds.updatedAt = ctx.clock();
    if (isActive !== undefined && isActive !== wasActive) {
      live.audit(isActive ? 'datasource.activated' : 'datasource.deactivated', 'datasource', ds.id, ctx.state.tokenUser, {});
    }
    if (name !== undefined || environment !== undefined || region !== undefined) {
      live.audit('datasource.updated', 'datasource', ds.id, ctx.state.tokenUser, { name: ds.name, environment: ds.environment });
    }
    return { status: 204 };
  });

  r.delete('/datasources/:id', (req) => {
    const ds = requireDatasource(ctx, req, 'id');
    const f = fieldReader(objectBody(req));
    const confirmation = f.string('confirmation', { required: true });
    f.check();
    if (confirmation !== ds.name) throw validationFailed({ confirmation: "must equal the datasource's name" });
    const jobs = jobsOf(ctx.state, ds.id).items;
    if (jobs.some((j) => j.status === 'queued' || j.status === 'running')) throw conflict('datasource has backup jobs in progress');
    const restores = restoresOf(ctx.state, ds.id).items;
    if (restores.some((x) => x.status === 'queued' || x.status === 'running')) throw conflict('datasource has restores in progress');
    const blobs = jobs.filter(hasLiveArtifact).length;
    let removed = jobs.length + restores.length;
    for (const j of jobs) ctx.state.jobs.delete(j.id);
    ctx.state.jobList.remove((j) => j.datasourceId === ds.id);
    ctx.state.jobsByDatasource.delete(ds.id);
    for (const x of restores) ctx.state.restores.delete(x.id);
    ctx.state.restoresByDatasource.delete(ds.id);
    for (const a of [...ctx.state.attachments.values()]) {
      if (a.datasourceId === ds.id) {
        removeAttachment(ctx.state, a);
        removed++;
      }
    }
    ctx.state.datasources.delete(ds.id);
    ctx.state.datasourceList.remove((d) => d.id === ds.id);
    live.audit('datasource.deleted', 'datasource', ds.id, ctx.state.tokenUser, { name: ds.name });
    return { status: 200, body: { deletedResourcesCount: removed + 1, enqueuedS3Blobs: blobs } };
  });

  r.put('/datasources/:id/credentials', (req) => {
    const ds = requireDatasource(ctx, req, 'id');
    const body = objectBody(req);
    checkCredential(body, ds.engine, 'body');
    ds.hasCredentials = true;
    ds.updatedAt = ctx.clock();
    live.audit('datasource.credentials_set', 'datasource', ds.id, ctx.state.tokenUser, { mode: body.mode });
    return { status: 200, body: { updatedAt: iso(ds.updatedAt) } };
  });

  r.post('/datasources/:id/verify', (req) => {
    const ds = requireDatasource(ctx, req, 'id');
    const now = ctx.clock();
    live.audit('datasource.verify_attempted', 'datasource', ds.id, ctx.state.tokenUser, { ok: ds.hasCredentials });
    if (!ds.hasCredentials) {
      return { status: 200, body: { ok: false, engine: ds.engine, errorCode: 'no_credentials', errorMessage: 'no credentials are stored for this datasource', latencyMs: 0, reachabilityOnly: false } };
    }
    const version = ds.detectedEngineVersion ?? (ds.engine === 'postgres' ? '17.2' : '7.0.14');
    ds.detectedEngineVersion = version;
    ds.detectedEngineVersionAt = now;
    return {
      status: 200,
      body: { ok: true, engine: ds.engine, detectedVersion: version, detectedVersionMajor: Number(version.split('.')[0]), latencyMs: 18 + (ds.name.length % 30), reachabilityOnly: false },
    };
  });

  r.get('/datasources/:id/restore-check', (req) => {
    const ds = requireDatasource(ctx, req, 'id');
    return { status: 200, body: restoreCheckDto(ds.restoreCheck ?? defaultRestoreCheck()) };
  });

  r.put('/datasources/:id/restore-check', (req) => {
    const ds = requireDatasource(ctx, req, 'id');
    const body = objectBody(req);
    const f = fieldReader(body);
    if (f.present('scheduleCron') && body.scheduleCron !== '' && !isCronExpression(body.scheduleCron)) throw badCron();
    const enabled = f.boolean('enabled');
    const mode = f.oneOf('mode', RESTORE_CHECK_MODES);
    const target = f.oneOf('target', RESTORE_CHECK_TARGETS);
    const validationLevel = f.oneOf('validationLevel', VALIDATION_LEVELS);
    const scheduleCron = f.string('scheduleCron');
    const scheduleTimezone = f.string('scheduleTimezone');
    if (scheduleTimezone && !isTimeZone(scheduleTimezone)) f.problems.scheduleTimezone = 'must be an IANA time zone';
    const nth = f.int('nth', { min: 1, max: 1000 });
    const sp = body.sampleProbability;
    if (sp !== undefined && (typeof sp !== 'number' || sp < 0 || sp > 1)) f.problems.sampleProbability = 'must be a number between 0 and 1';
    const validationQuery = f.string('validationQuery');
    const scratch = f.string('scratchConnectionString');
    f.check();
    const rc = ds.restoreCheck ?? defaultRestoreCheck();
    if (enabled !== undefined) rc.enabled = enabled;
    if (mode !== undefined) rc.mode = mode;
    if (target !== undefined) rc.target = target;
    if (validationLevel !== undefined) rc.validationLevel = validationLevel;
    if (scheduleCron) rc.scheduleCron = scheduleCron;
    if (scheduleTimezone) rc.scheduleTimezone = scheduleTimezone;
    if (nth !== undefined) rc.nth = nth;
    if (typeof sp === 'number') rc.sampleProbability = sp;
    if (validationQuery !== undefined) rc.validationQuery = validationQuery;
    if (scratch) rc.hasScratchCredentials = true;
    ds.restoreCheck = rc;
    live.audit('datasource.restore_check_updated', 'datasource', ds.id, ctx.state.tokenUser, { enabled: rc.enabled, mode: rc.mode });
    return { status: 200, body: restoreCheckDto(rc) };
  });

  r.get('/datasources/:datasourceId/restore-check-history', (req) => {
    const ds = requireDatasource(ctx, req);
    const limit = intQuery(req.query, 'limit', { min: 1, max: 100, default: 20 });
    const points = [];
    for (const x of restoresOf(ctx.state, ds.id).items) {
      if (x.trigger !== 'verification' || x.finishedAt === undefined) continue;
      points.push({
        at: iso(x.finishedAt), durationMs: x.finishedAt - (x.startedAt ?? x.createdAt),
        passed: x.status === 'success' && !!x.verifyPassed, warnings: !!x.verifyWarnings,
      });
      if (points.length === limit) break;
    }
    return { status: 200, body: { points: points.reverse() } };
  });

  r.get('/datasources/:datasourceId/backup-history', (req) => {
    const ds = requireDatasource(ctx, req);
    const days = intQuery(req.query, 'days', { min: 1, max: 365, default: 30 });
    const since = ctx.clock() - days * 86_400_000;
    const points = [];
    for (const j of jobsOf(ctx.state, ds.id).items) {
      if (j.finishedAt === undefined || (j.status !== 'success' && j.status !== 'partial')) continue;
      if (j.finishedAt < since) continue;
      points.push({ finishedAt: iso(j.finishedAt), bytes: j.bytesWritten, durationMs: j.finishedAt - (j.startedAt ?? j.createdAt) });
    }
    return { status: 200, body: { points: points.reverse() } };
  });
}
