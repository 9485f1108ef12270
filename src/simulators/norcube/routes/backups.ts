/**
 * Norcube simulator routes of the "Backup jobs" group: the org-wide batch list (`GET /backups`,
 * newest first across the `datasourceIDs` given, or all), per data source lists, run-now, delete
 * a backup file, short-lived download links (domain failures answer HTTP 200 `ok: false`, as the
 * spec's `payloadGenerateDownloadLinkResponse` documents) and restore tests (`verify`).
 */
import { createHash } from 'node:crypto';
import type { Router } from '../../kit/index.ts';
import { requireDatasource, requireJob, type NorcubeRouteContext } from '../context.ts';
import { backupJobDto, paginated } from '../dto.ts';
import { apiError, arrayQuery, conflict, fieldReader, listPaging, notFound, objectBody, validationFailed } from '../http.ts';
import { attachmentsOf, hasLiveArtifact, jobKey, jobsOf, type NcJob } from '../state.ts';
import { isUuid, iso, pageMerged } from '../store.ts';

/** Lifetime of a presigned download link. */
const DOWNLOAD_LINK_TTL_MS = 15 * 60_000;

/** Registers the backup job routes. */
export function registerBackupRoutes(r: Router, ctx: NorcubeRouteContext): void {
  const { live } = ctx;

  r.get('/backups', (req) => {
    const { cursor, limit } = listPaging(req.query);
    const ids = arrayQuery(req.query, 'datasourceIDs');
    const bad = ids.filter((id) => !isUuid(id));
    if (bad.length > 0) throw validationFailed({ datasourceIDs: `must be UUIDs (got ${JSON.stringify(bad[0])})` }, 'invalid datasourceIDs');
    let page: { items: NcJob[]; next: ReturnType<typeof jobKey> | null };
    if (ids.length === 0) page = ctx.state.jobList.page(cursor, limit);
    else {
      const wanted = [...new Set(ids.map((id) => id.toLowerCase()))];
      if (wanted.length > 50) {
        const set = new Set(wanted);
        page = ctx.state.jobList.page(cursor, limit, (j) => set.has(j.datasourceId));
      } else {
        page = pageMerged(wanted.map((id) => ctx.state.jobsByDatasource.get(id)?.items ?? []), jobKey, cursor, limit);
      }
    }
    return { status: 200, body: paginated(page.items.map((j) => backupJobDto(ctx.state, j)), page.next, ctx.clock()) };
  });

  r.get('/datasources/:datasourceId/backups', (req) => {
    const ds = requireDatasource(ctx, req);
    const { cursor, limit } = listPaging(req.query);
    const page = jobsOf(ctx.state, ds.id).page(cursor, limit);
    return { status: 200, body: paginated(page.items.map((j) => backupJobDto(ctx.state, j)), page.next, ctx.clock()) };
  });

  r.post('/datasources/:datasourceId/backups/run-now', (req) => {
    const ds = requireDatasource(ctx, req);
    const f = fieldReader(objectBody(req, true));
    const policyId = f.string('policyId');
    f.check();
    if (!ds.isActive) throw validationFailed({ datasourceId: 'datasource is not active' }, 'datasource is not active');
    if (!ds.hasCredentials) throw validationFailed({ datasourceId: 'datasource has no credentials' }, 'datasource has no credentials');
    const atts = attachmentsOf(ctx.state, ds.id);
    let att;
    if (policyId !== undefined && policyId !== '') {
      if (!isUuid(policyId)) throw validationFailed({ policyId: 'must be a valid UUID' });
      att = atts.find((a) => a.policyId === policyId.toLowerCase());
      if (!att) throw notFound('policy attachment');
    } else {
      att = atts.find((a) => a.isEnabled);
      if (!att) throw validationFailed({ policyId: 'no enabled backup policy is attached to this datasource' }, 'no enabled backup policy is attached to this datasource');
    }
    const policy = ctx.state.policies.get(att.policyId)!;
    const job = live.startBackup(ds, policy, 'manual', ctx.state.tokenUser);
    return { status: 200, body: { jobId: job.id, policyId: policy.id, destinationId: policy.destinationId } };
  });

  r.delete('/datasources/:datasourceId/backups/:jobId', (req) => {
    const ds = requireDatasource(ctx, req);
    const job = requireJob(ctx, req, ds);
    if (job.status === 'queued' || job.status === 'running') throw conflict('backup job is still in progress');
    if (job.deletedAt !== undefined) throw conflict('backup file is already deleted');
    const blobs = hasLiveArtifact(job) ? 1 : 0;
    job.deletedAt = ctx.clock();
    live.audit('backup_job.deleted', 'backup_job', job.id, ctx.state.tokenUser, { datasourceId: ds.id, reason: 'manual' });
    return { status: 200, body: { enqueuedS3Blobs: blobs } };
  });

  r.post('/datasources/:datasourceId/backups/:jobId/download-link', (req) => {
    const ds = requireDatasource(ctx, req);
    const jobIdRaw = req.params.jobId;
    if (!isUuid(jobIdRaw)) throw validationFailed({ jobId: 'must be a valid UUID' }, 'invalid jobId');
    const job = ctx.state.jobs.get(jobIdRaw.toLowerCase());
    const fail = (errorCode: string, errorMessage: string) => ({ status: 200, body: { ok: false, errorCode, errorMessage } });
    if (!job || job.datasourceId !== ds.id) return fail('not_found', 'backup not found');
    if (job.status !== 'success' && job.status !== 'partial') return fail('not_succeeded', `backup job has status ${job.status}; only finished backups can be downloaded`);
    if (job.deletedAt !== undefined) {
      return fail('missing_artifact', job.expirationReason ? `backup file expired by retention (${job.expirationReason})` : 'backup file was deleted');
    }
    const dest = ctx.state.destinations.get(job.destinationId)!;
    if (!dest.isManaged) return fail('customer_managed_storage', `backup is stored in your own bucket "${dest.bucket}"; download it from there`);
    const policy = ctx.state.policies.get(job.policyId)!;
    const now = ctx.clock();
    const ext = policy.compression === 'gzip' ? 'dump.gz' : policy.compression === 'zstd' ? 'dump.zst' : 'dump';
    const signature = createHash('sha256').update(`${job.id}:${now}`).digest('hex');
    const url = `https://${dest.bucket}.s3.${dest.region}.amazonaws.com/${ctx.state.organizationId}/${ds.id}/${job.id}.${ext}` +
      `?X-Amz-Algorithm=AWS4-HMAC-SHA256&X-Amz-Expires=${DOWNLOAD_LINK_TTL_MS / 1000}&X-Amz-Signature=${signature}`;
    live.audit('backup_job.download_link_generated', 'backup_job', job.id, ctx.state.tokenUser, { datasourceId: ds.id });
    return {
      status: 200,
      body: {
        ok: true, url, expiresAt: iso(now + DOWNLOAD_LINK_TTL_MS), sizeBytes: job.bytesWritten,
        ...(policy.compression === 'none' ? {} : { contentEncoding: policy.compression }),
      },
    };
  });

  r.post('/datasources/:datasourceId/backups/:jobId/verify', (req) => {
    const ds = requireDatasource(ctx, req);
    const job = requireJob(ctx, req, ds);
    if (!hasLiveArtifact(job)) {
      throw conflict(job.deletedAt !== undefined ? 'backup file is deleted' : `backup job has status ${job.status}; only finished backups can be verified`);
    }
    const v = job.verification;
    if (v && (v.status === 'queued' || v.status === 'running')) throw conflict('a restore test of this backup is already in progress');
    if (!ds.isActive) throw apiError(409, 'CONFLICT', 'datasource is not active');
    const restore = live.startVerification(ds, job, ctx.state.tokenUser);
    return { status: 202, body: { restoreJobId: restore.id } };
  });
}
