/**
 * Norcube protection evidence, batched: per group of up to 50 data sources, one newest-first
 * `GET /backups?datasourceIDs=…` scan back to the window's start (at most
 * {@link MAX_PAGES_PER_BATCH} pages), plus the organization's policies once per request.
 *
 * - Last success: the data source's own `lastBackupAt` (Norcube counts its whole history), or a
 *   newer success the scan saw.
 * - Schedules in force: none when the data source is inactive or announces no next run (its
 *   attachments are all disabled); otherwise the policies its `schedule` jobs ran under in the
 *   window, read from `/backup-policies` (cron + time zone). A data source that announces a next
 *   run but ran no scheduled job in the window has its attachments read (one call each, only for
 *   those).
 * - Recoverability: the newest restore test (`verify*` fields) of a backup in the window.
 */
import { mapLimit } from '../../upstream/map-limit.ts';
import { nullIfNotFound } from '../../upstream/errors.ts';
import { PromiseMemo, perRequest, type RequestContext } from '../../upstream/request-context.ts';
import type { ResourceModel } from '../../domain/models.ts';
import { createEvidenceCollector } from '../../domain/protection-evidence.ts';
import type { ProtectionSchedule, RecoverabilityEvidence } from '../../domain/protection.ts';
import type { ProviderProtection, ResourceEvidence } from '../contract/index.ts';
import { NORCUBE_MAX_PAGE_SIZE, type NorcubeClient } from './client.ts';
import { isNorcubeId, jobNativeId, norcubeJobStatus } from './mapper.ts';
import type { NorcubeBackupJobDto, NorcubeBackupPolicyDto } from './wire.ts';

/** Data sources per `datasourceIDs` scan. */
const IDS_PER_BATCH = 50;
/** Pages one scan reads at most (100 jobs each). */
export const MAX_PAGES_PER_BATCH = 20;
/** Scans (and attachment reads) in flight at once. */
const CONCURRENCY = 4;

const asError = (e: unknown): Error => (e instanceof Error ? e : new Error(String(e)));

/** The protection evidence of one Norcube instance, reading through `client`. */
export function createNorcubeProtection(client: NorcubeClient): ProviderProtection {
  const sessionOf = perRequest(() => new PromiseMemo());

  /** Every policy of the organization by lower-cased id, once per request. */
  const policies = (ctx: RequestContext) =>
    sessionOf(ctx).get('policies', async () => {
      const byId = new Map<string, NorcubeBackupPolicyDto>();
      let cursor: string | null = null;
      for (let pages = 0; pages < 100; pages++) {
        const page = await client.listBackupPolicies({ cursor, limit: NORCUBE_MAX_PAGE_SIZE }, ctx);
        for (const p of page.items) byId.set(p.id.toLowerCase(), p);
        cursor = page.next;
        if (!cursor) break;
      }
      return byId;
    });

  /** One newest-first scan of the jobs of `ids` back to `since`: the jobs of each data source, newest first, and whether it reached the end. */
  async function scan(ids: readonly string[], since: Date, ctx: RequestContext) {
    const jobs = new Map<string, NorcubeBackupJobDto[]>(ids.map((id) => [id.toLowerCase(), []]));
    let cursor: string | null = null;
    let complete = false;
    let oldest: string | null = null;
    for (let pages = 0; pages < MAX_PAGES_PER_BATCH; pages++) {
      const page = await client.listBackupJobs({ cursor, limit: NORCUBE_MAX_PAGE_SIZE, dataSourceIds: ids }, ctx);
      for (const j of page.items) {
        jobs.get(j.datasourceId.toLowerCase())?.push(j);
        if (oldest === null || j.jobCreatedAt < oldest) oldest = j.jobCreatedAt;
      }
      cursor = page.next;
      if (!cursor) {
        complete = true;
        break;
      }
      if (oldest !== null && Date.parse(oldest) < since.getTime()) break;
    }
    return { jobs, complete, oldest };
  }

  /** Policies attached (enabled) to a data source, as schedules: its attachments read once (the client dedupes the GET per request). */
  async function attachedSchedules(dataSourceId: string, ctx: RequestContext): Promise<ProtectionSchedule[]> {
    const attachments = (await nullIfNotFound(client.listDataSourcePolicies(dataSourceId, ctx))) ?? [];
    const all = await policies(ctx);
    return attachments.filter((a) => a.isEnabled).flatMap((a) => {
      const p = typeof a.backupPolicy.scheduleCron === 'string' && a.backupPolicy.scheduleCron ? a.backupPolicy : all.get(a.backupPolicy.id.toLowerCase());
      return p?.scheduleCron ? [{ crons: [p.scheduleCron.trim()], timezone: p.timezone || null }] : [];
    });
  }

  async function evidenceOfBatch(resources: readonly ResourceModel[], since: Date, ctx: RequestContext): Promise<Array<ResourceEvidence | Error>> {
    const ids = resources.map((r) => r.nativeId);
    const [{ jobs, complete, oldest }, byPolicy] = await Promise.all([scan(ids, since, ctx), policies(ctx)]);
    const collector = createEvidenceCollector(ids, since);
    const byNative = new Map(resources.map((r) => [r.nativeId, r]));
    const schedules = new Map<string, ProtectionSchedule[]>();
    const needAttachments: ResourceModel[] = [];
    for (const r of resources) {
      const own = jobs.get(r.nativeId.toLowerCase()) ?? [];
      for (const j of own) {
        collector.add(r.nativeId, { at: j.jobStartedAt ?? j.jobCreatedAt, endedAt: j.jobFinishedAt ?? null, status: norcubeJobStatus.map(j.jobStatus) });
        const v = collector.wantsRecoverability(r.nativeId) ? verificationOf(r.nativeId, j) : null;
        if (v) collector.addRecoverability(r.nativeId, v);
      }
      if (r.isActive === false || !r.nextRunAt) {
        schedules.set(r.nativeId, []);
        continue;
      }
      const ran = [...new Set(own.filter((j) => j.jobTrigger === 'schedule' && Date.parse(j.jobCreatedAt) >= since.getTime()).map((j) => j.policyId.toLowerCase()))];
      const found = ran.flatMap((id) => {
        const p = byPolicy.get(id);
        return p?.scheduleCron ? [{ crons: [p.scheduleCron.trim()], timezone: p.timezone || null }] : [];
      });
      if (found.length > 0) schedules.set(r.nativeId, found);
      else needAttachments.push(r);
    }
    const read = await mapLimit(needAttachments, CONCURRENCY, async (r) => {
      try {
        return await attachedSchedules(r.nativeId, ctx);
      } catch (e) {
        return asError(e);
      }
    });
    const failed = new Map<string, Error>();
    needAttachments.forEach((r, i) => {
      const s = read[i];
      if (s instanceof Error) failed.set(r.nativeId, s);
      else schedules.set(r.nativeId, s);
    });
    const out = collector.finish({ complete, oldestSeen: oldest }, (id) => {
      const r = byNative.get(id)!;
      return {
        schedules: schedules.get(id) ?? [],
        nextRunAt: typeof r.nextRunAt === 'string' ? r.nextRunAt : null,
        // The data source's own `lastBackupAt` covers its whole history (success or partial).
        ...('lastBackupAt' in r ? { successSearchedFrom: null } : {}),
      };
    });
    return out.map((e, i) => {
      const id = ids[i];
      if (failed.has(id)) return failed.get(id)!;
      // The newer of the row's `lastBackupAt` and a success the scan saw (the row may be older than the scan).
      const announced = byNative.get(id)!.lastBackupAt;
      if (typeof announced === 'string' && (!e.lastSuccessAt || announced > e.lastSuccessAt)) return { ...e, lastSuccessAt: announced };
      return e;
    });
  }

  return {
    async evidence(resources, since, ctx) {
      const valid = resources.filter((r) => isNorcubeId(r.nativeId));
      const batches: ResourceModel[][] = [];
      for (let i = 0; i < valid.length; i += IDS_PER_BATCH) batches.push(valid.slice(i, i + IDS_PER_BATCH));
      const results = await mapLimit(batches, CONCURRENCY, async (batch) => {
        try {
          return await evidenceOfBatch(batch, since, ctx);
        } catch (e) {
          return batch.map(() => asError(e));
        }
      });
      const byId = new Map<string, ResourceEvidence | Error>();
      batches.forEach((batch, i) => batch.forEach((r, k) => byId.set(r.nativeId, results[i][k])));
      return resources.map((r) => byId.get(r.nativeId) ?? new Error(`"${r.nativeId}" is not a Norcube data source id`));
    },
  };
}

/** A backup job's restore test as recoverability evidence; null when it was never tested. */
function verificationOf(dataSourceId: string, j: NorcubeBackupJobDto): RecoverabilityEvidence | null {
  if (j.verifyStatus == null && j.verifyPassed == null) return null;
  const status = norcubeJobStatus.map(j.verifyStatus);
  const verified = status === 'SUCCEEDED' ? (typeof j.verifyPassed === 'boolean' ? j.verifyPassed : null) : status === 'FAILED' || status === 'CANCELED' ? false : null;
  const at = j.verifiedAt && !Number.isNaN(Date.parse(j.verifiedAt)) ? new Date(j.verifiedAt).toISOString() : null;
  return {
    verified,
    source: 'norcube.verification',
    checkedAt: at,
    providerStatus: j.verifyStatus ?? null,
    detail: j.verifyWarnings || null,
    backupNativeId: jobNativeId(dataSourceId, j.jobId),
  };
}
