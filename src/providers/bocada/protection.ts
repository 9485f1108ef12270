/**
 * Bocada protection evidence, batched: one newest-first `GET /backup-jobs` scan per organization
 * the asked resources belong to (`organizationId` filter, 200 jobs a page), or one per resource
 * when at most {@link PER_RESOURCE_UP_TO} are asked (`resourceId` filter). A scan stops once it
 * has read past the window's start and has seen a success of every resource it is for, at the end
 * of the list, or after {@link MAX_PAGES_PER_SCAN} pages (then a resource without a success is
 * known only not to have one since the oldest job read). Bocada has no schedules: missed runs are
 * its own MISSED jobs, and RPO targets come from config.
 */
import type { ResourceModel } from '../../domain/models.ts';
import { createEvidenceCollector } from '../../domain/protection-evidence.ts';
import { toTimestamp } from '../../domain/timestamps.ts';
import { mapLimit } from '../../upstream/map-limit.ts';
import type { RequestContext } from '../../upstream/request-context.ts';
import type { ProviderProtection, ResourceEvidence } from '../contract/index.ts';
import { BOCADA_MAX_PAGE_SIZE, type BocadaClient } from './client.ts';
import { bocadaJobStatus } from './mapper.ts';

/** Asked resources up to this many are scanned one by one (their own job lists are short). */
export const PER_RESOURCE_UP_TO = 3;
/** Pages one scan reads at most (200 jobs each). */
export const MAX_PAGES_PER_SCAN = 25;
/** Scans in flight at once. */
const CONCURRENCY = 4;

const asError = (e: unknown): Error => (e instanceof Error ? e : new Error(String(e)));

/** The protection evidence of one Bocada instance, reading through `client`. */
export function createBocadaProtection(client: BocadaClient): ProviderProtection {
  /** Scans the jobs `filter` selects for `resources`, newest first, and answers their evidence. */
  async function scan(resources: readonly ResourceModel[], filter: { organizationId?: string; resourceId?: string }, since: Date, ctx: RequestContext): Promise<ResourceEvidence[]> {
    const collector = createEvidenceCollector(resources.map((r) => r.nativeId), since, null);
    let cursor: string | null = null;
    let oldest: string | null = null;
    let complete = false;
    for (let pages = 0; pages < MAX_PAGES_PER_SCAN; pages++) {
      const page = await client.listJobs({ cursor, pageSize: BOCADA_MAX_PAGE_SIZE, ...filter }, ctx);
      for (const j of page.items) {
        const at = toTimestamp(j.startedAt);
        if (j.resourceId) collector.add(j.resourceId, { at, endedAt: toTimestamp(j.endedAt), status: bocadaJobStatus.map(j.status) });
        if (at && (oldest === null || at < oldest)) oldest = at;
      }
      cursor = page.next;
      if (cursor === null) {
        complete = true;
        break;
      }
      if (collector.satisfied(oldest)) break;
    }
    return collector.finish({ complete, oldestSeen: oldest });
  }

  return {
    async evidence(resources, since, ctx) {
      const groups = new Map<string, ResourceModel[]>();
      if (resources.length <= PER_RESOURCE_UP_TO) {
        for (const r of resources) groups.set(`r:${r.nativeId}`, [r]);
      } else {
        for (const r of resources) {
          const key = `o:${r.organizationNativeId ?? ''}`;
          groups.set(key, [...(groups.get(key) ?? []), r]);
        }
      }
      const byId = new Map<string, ResourceEvidence | Error>();
      await mapLimit([...groups.entries()], CONCURRENCY, async ([key, members]) => {
        const filter = key.startsWith('r:') ? { resourceId: members[0].nativeId } : key === 'o:' ? {} : { organizationId: key.slice(2) };
        try {
          const out = await scan(members, filter, since, ctx);
          members.forEach((r, i) => byId.set(r.nativeId, out[i]));
        } catch (e) {
          for (const r of members) byId.set(r.nativeId, asError(e));
        }
      });
      return resources.map((r) => byId.get(r.nativeId)!);
    },
  };
}
