/**
 * oCore protection evidence, batched: one newest-first scan of each project's backups
 * (`GET /projects/{id}/backups`, 100 a page) for the asked environments of that project, or of
 * each environment's own list when at most {@link PER_RESOURCE_UP_TO} are asked. A scan stops once
 * it has read past the window's start and has seen a completed backup of every environment it is
 * for, at the end of the list, or after {@link MAX_PAGES_PER_SCAN} pages. Each asked environment's
 * schedule is one `GET /environments/{id}/backup-schedule` (oCore has no schedule list; the client
 * dedupes it with `Resource.schedules` in the same request): in force when enabled and not paused,
 * its `dbCron` and `fullCron` read in its time zone. Recoverability: the `recoveryEvidence` of the
 * environment's newest completed backup.
 */
import type { ResourceModel } from '../../domain/models.ts';
import type { ProtectionSchedule, RecoverabilityEvidence } from '../../domain/protection.ts';
import { createEvidenceCollector } from '../../domain/protection-evidence.ts';
import { mapLimit } from '../../upstream/map-limit.ts';
import type { RequestContext } from '../../upstream/request-context.ts';
import type { ProviderProtection, ResourceEvidence } from '../contract/index.ts';
import { OCORE_MAX_PAGE_SIZE, type OcoreClient, type OcoreOffsetPage } from './client.ts';
import { ocoreJobStatus } from './mapper.ts';
import type { OcoreBackupDto, OcoreScheduleDto } from './wire.ts';

/** Asked environments up to this many are scanned one by one. */
export const PER_RESOURCE_UP_TO = 3;
/** Pages one scan reads at most (100 backups each). */
export const MAX_PAGES_PER_SCAN = 20;
/** Scans and schedule reads in flight at once. */
const CONCURRENCY = 8;

const asError = (e: unknown): Error => (e instanceof Error ? e : new Error(String(e)));
const isoOrNull = (v: string | null | undefined): string | null => (v && !Number.isNaN(Date.parse(v)) ? new Date(v).toISOString() : null);

/** The protection evidence of one oCore instance, reading through `client`. */
export function createOcoreProtection(client: OcoreClient): ProviderProtection {
  async function scan(envs: readonly ResourceModel[], read: (offset: number) => Promise<OcoreOffsetPage<OcoreBackupDto>>, since: Date): Promise<ResourceEvidence[]> {
    const collector = createEvidenceCollector(envs.map((e) => e.nativeId), since, null);
    let oldestMs = Infinity; // a number while scanning: one Date.parse a record, no ISO string each
    const oldest = () => (oldestMs === Infinity ? null : new Date(oldestMs).toISOString());
    let complete = false;
    let offset = 0;
    for (let pages = 0; pages < MAX_PAGES_PER_SCAN; pages++) {
      const page = await read(offset);
      for (const b of page.items) {
        const env = b.environmentId ?? '';
        collector.add(env, { at: b.startedAt ?? b.createdAt ?? null, endedAt: b.completedAt ?? null, status: ocoreJobStatus.map(b.status) });
        if (b.recoveryEvidence && collector.wantsRecoverability(env) && String(b.status).toLowerCase() === 'completed') collector.addRecoverability(env, recoverabilityOf(b));
        const created = b.createdAt ? Date.parse(b.createdAt) : NaN;
        if (created < oldestMs) oldestMs = created; // NaN (no or unreadable createdAt) never is
      }
      offset += page.items.length;
      if (page.items.length < OCORE_MAX_PAGE_SIZE || (page.total !== null && offset >= page.total)) {
        complete = true;
        break;
      }
      if (collector.satisfied(oldest())) break;
    }
    return collector.finish({ complete, oldestSeen: oldest() });
  }

  return {
    async evidence(resources, since, ctx) {
      const byId = new Map<string, ResourceEvidence | Error>();
      const groups: Array<{ members: ResourceModel[]; read: (offset: number) => Promise<OcoreOffsetPage<OcoreBackupDto>> }> = [];
      const page = (offset: number) => ({ offset, limit: OCORE_MAX_PAGE_SIZE });
      if (resources.length <= PER_RESOURCE_UP_TO) {
        for (const r of resources) groups.push({ members: [r], read: (o) => client.listEnvironmentBackups(r.nativeId, page(o), ctx) });
      } else {
        const byProject = new Map<string, ResourceModel[]>();
        for (const r of resources) {
          const p = typeof r.projectId === 'string' ? r.projectId : '';
          byProject.set(p, [...(byProject.get(p) ?? []), r]);
        }
        for (const [projectId, members] of byProject) {
          if (projectId) groups.push({ members, read: (o) => client.listProjectBackups(projectId, page(o), ctx) });
          else for (const r of members) groups.push({ members: [r], read: (o) => client.listEnvironmentBackups(r.nativeId, page(o), ctx) });
        }
      }
      const schedules = new Map<string, OcoreScheduleDto | null | Error>();
      await Promise.all([
        mapLimit(groups, CONCURRENCY, async ({ members, read }) => {
          try {
            const out = await scan(members, read, since);
            members.forEach((r, i) => byId.set(r.nativeId, out[i]));
          } catch (e) {
            for (const r of members) byId.set(r.nativeId, asError(e));
          }
        }),
        mapLimit(resources, CONCURRENCY, async (r) => {
          try {
            schedules.set(r.nativeId, await client.getBackupSchedule(r.nativeId, ctx));
          } catch (e) {
            schedules.set(r.nativeId, asError(e));
          }
        }),
      ]);
      return resources.map((r) => {
        const e = byId.get(r.nativeId)!;
        const s = schedules.get(r.nativeId);
        if (e instanceof Error) return e;
        if (s instanceof Error) return s;
        const inForce = s != null && s.enabled === true && s.paused !== true;
        const crons = inForce ? [s.dbCron, s.fullCron].map((c) => (typeof c === 'string' ? c.trim() : '')).filter((c) => c !== '') : [];
        const schedule: ProtectionSchedule[] = crons.length > 0 ? [{ crons, timezone: s?.timezone || null }] : [];
        const next = inForce ? [isoOrNull(s.nextDbBackupAt), isoOrNull(s.nextFullBackupAt)].filter((t): t is string => t !== null).sort()[0] ?? null : null;
        return { ...e, schedules: schedule, nextRunAt: next };
      });
    },
  };
}

/** A completed backup's `recoveryEvidence`: green verified, yellow or red not (cleanly), anything else pending. */
function recoverabilityOf(b: OcoreBackupDto): RecoverabilityEvidence {
  const ev = b.recoveryEvidence!;
  const status = typeof ev.status === 'string' ? ev.status : null;
  const verified = status === 'green' ? true : status === 'red' || status === 'yellow' ? false : null;
  const why = verified === true ? ev.whyGreen : ev.whyNotGreen;
  return {
    verified,
    source: 'ocore.recoveryEvidence',
    checkedAt: isoOrNull(b.completedAt),
    providerStatus: status,
    detail: (typeof ev.reason === 'string' && ev.reason) || (Array.isArray(why) && why.length > 0 ? why.join('; ') : null),
    backupNativeId: b.id,
  };
}
