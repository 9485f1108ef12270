/**
 * Norcube simulator routes of the "Restore" group: create a restore from a backup file, read one,
 * list a data source's restores (`trigger` = `manual` | `verification`), probe a target, presign
 * a restore log. While `restoresUnsupported` is on, every one of them answers 501 like older
 * deployments *(doc)*.
 */
import { createHash } from 'node:crypto';
import type { Router } from '../../kit/index.ts';
import { requireDatasource, requireRestores, type NorcubeRouteContext } from '../context.ts';
import { paginated, restoreDto } from '../dto.ts';
import { conflict, fieldReader, listPaging, notFound, objectBody, uuidParam, validationFailed } from '../http.ts';
import { hasLiveArtifact, NC_RESTORE_MODES, restoresOf, type NcEngine } from '../state.ts';
import { isUuid, iso } from '../store.ts';

const TRIGGERS = ['manual', 'verification'] as const;

function uriProblem(uri: string, engine: NcEngine): string | null {
  let u: URL;
  try {
    u = new URL(uri);
  } catch {
    return 'must be a connection URI';
  }
  const schemes = engine === 'postgres' ? ['postgres:', 'postgresql:'] : ['mongodb:', 'mongodb+srv:'];
  return schemes.includes(u.protocol) ? null : `must be a ${engine} connection URI`;
}

/** Registers the restore routes. */
export function registerRestoreRoutes(r: Router, ctx: NorcubeRouteContext): void {
  const { live } = ctx;

  r.post('/restores', (req) => {
    requireRestores(ctx);
    const body = objectBody(req);
    const f = fieldReader(body);
    const dataSourceId = f.string('dataSourceId', { required: true });
    const sourceBackupId = f.string('sourceBackupId', { required: true });
    const mode = f.oneOf('mode', NC_RESTORE_MODES, { required: true });
    const targetDatabase = f.string('targetDatabase');
    const targetUri = f.string('targetUri');
    const confirmOverwrite = f.boolean('confirmOverwrite');
    if (dataSourceId !== undefined && !isUuid(dataSourceId)) f.problems.dataSourceId = 'must be a valid UUID';
    if (sourceBackupId !== undefined && !isUuid(sourceBackupId)) f.problems.sourceBackupId = 'must be a valid UUID';
    if (mode === 'overwrite' && confirmOverwrite !== true) f.problems.confirmOverwrite = 'must be true for overwrite mode';
    if (mode === 'new_database') {
      if (!targetDatabase) f.problems.targetDatabase = 'required for new_database mode';
      else if (!/^[A-Za-z_][A-Za-z0-9_]{0,62}$/.test(targetDatabase)) f.problems.targetDatabase = 'must be a plain database identifier';
    }
    if ((mode === 'new_database' || mode === 'new_server') && !targetUri) f.problems.targetUri = `required for ${mode} mode`;
    f.check();
    const ds = ctx.state.datasources.get(dataSourceId!.toLowerCase());
    if (!ds) throw notFound('datasource');
    if (targetUri && mode !== 'overwrite') {
      const problem = uriProblem(targetUri, ds.engine);
      if (problem) throw validationFailed({ targetUri: problem });
    }
    const job = ctx.state.jobs.get(sourceBackupId!.toLowerCase());
    if (!job || job.datasourceId !== ds.id) throw notFound('backup');
    if (!hasLiveArtifact(job)) {
      throw conflict(job.deletedAt !== undefined ? 'source backup file is deleted' : `source backup has status ${job.status}; it cannot be restored`);
    }
    if (restoresOf(ctx.state, ds.id).items.some((x) => x.trigger === 'manual' && (x.status === 'queued' || x.status === 'running'))) {
      throw conflict('a restore is already in progress for this datasource');
    }
    const restore = live.startRestore({ ds, job, mode: mode!, targetDatabase, targetUri }, ctx.state.tokenUser);
    return { status: 201, body: { id: restore.id } };
  });

  r.post('/restores/target-probe', (req) => {
    requireRestores(ctx);
    const f = fieldReader(objectBody(req));
    const dataSourceId = f.string('dataSourceId', { required: true });
    const mode = f.oneOf('mode', NC_RESTORE_MODES, { required: true });
    const targetUri = f.string('targetUri');
    const targetDatabase = f.string('targetDatabase');
    if (dataSourceId !== undefined && !isUuid(dataSourceId)) f.problems.dataSourceId = 'must be a valid UUID';
    if (mode !== undefined && mode !== 'overwrite' && !targetUri) f.problems.targetUri = `required for ${mode} mode`;
    f.check();
    const ds = ctx.state.datasources.get(dataSourceId!.toLowerCase());
    if (!ds) throw notFound('datasource');
    if (mode === 'overwrite') {
      return { status: 200, body: ds.hasCredentials ? { ok: true, engine: ds.engine, latencyMs: 31 } : { ok: false, engine: ds.engine, errorCode: 'no_credentials', errorMessage: 'no credentials are stored for this datasource' } };
    }
    const problem = uriProblem(targetUri!, ds.engine);
    if (problem) return { status: 200, body: { ok: false, engine: ds.engine, errorCode: problem.startsWith('must be a connection') ? 'invalid_uri' : 'engine_mismatch', errorMessage: `targetUri ${problem}` } };
    if (targetDatabase && /_restored$/.test(targetDatabase) && [...restoresOf(ctx.state, ds.id).items].some((x) => x.targetDatabase === targetDatabase && x.status === 'success')) {
      return { status: 200, body: { ok: false, engine: ds.engine, errorCode: 'database_already_exists', errorMessage: `database "${targetDatabase}" already exists on the target` } };
    }
    return { status: 200, body: { ok: true, engine: ds.engine, latencyMs: 142 } };
  });

  r.get('/restores/:id', (req) => {
    requireRestores(ctx);
    const id = uuidParam(req, 'id');
    const restore = ctx.state.restores.get(id);
    if (!restore) throw notFound('restore job');
    return { status: 200, body: restoreDto(ctx.state, restore) };
  });

  r.get('/restores/:id/logs.presign', (req) => {
    requireRestores(ctx);
    const id = uuidParam(req, 'id');
    const restore = ctx.state.restores.get(id);
    if (!restore) return { status: 200, body: { ok: false, errorCode: 'not_found', errorMessage: 'restore job not found' } };
    if (!restore.hasLog) return { status: 200, body: { ok: false, errorCode: 'no_log', errorMessage: 'the restore agent has not uploaded a log yet' } };
    const now = ctx.clock();
    const sig = createHash('sha256').update(`${restore.id}:${now}`).digest('hex');
    live.audit('restore_job.log_link_generated', 'restore_job', restore.id, ctx.state.tokenUser, { datasourceId: restore.dataSourceId });
    return {
      status: 200,
      body: {
        ok: true, expiresAt: iso(now + 15 * 60_000),
        url: `https://norcube-restore-logs.s3.eu-central-1.amazonaws.com/${ctx.state.organizationId}/${restore.id}.log?X-Amz-Expires=900&X-Amz-Signature=${sig}`,
      },
    };
  });

  r.get('/datasources/:datasourceId/restores', (req) => {
    requireRestores(ctx);
    const ds = requireDatasource(ctx, req);
    const { cursor, limit } = listPaging(req.query);
    const trigger = req.query.get('trigger') || undefined;
    if (trigger !== undefined && !(TRIGGERS as readonly string[]).includes(trigger)) {
      throw validationFailed({ trigger: `must be one of ${TRIGGERS.join(', ')}` }, 'invalid trigger');
    }
    const page = restoresOf(ctx.state, ds.id).page(cursor, limit, trigger ? (x) => x.trigger === trigger : undefined);
    return { status: 200, body: paginated(page.items.map((x) => restoreDto(ctx.state, x)), page.next, ctx.clock()) };
  });
}
