/**
 * ByCloud protection evidence, batched: ByCloud has no jobs, so a backup's creation is the attempt
 * (creating RUNNING, made SUCCEEDED, error FAILED). One scan of each backup collection the asked
 * resources live in, 1000 backups a page and the same calls the resource list makes (the client
 * answers a repeated GET of the request from its dedupe), at most {@link MAX_PAGES_PER_SCAN} pages;
 * at most {@link PER_RESOURCE_UP_TO} asked resources are read one by one (`volume_id` /
 * `instance_id` filters) instead.
 *
 * ByCloud has no schedule API. A volume whose newest backup carries the tags `metadata.schedule`
 * (a 5-field cron) and `metadata.schedule_tz` (an IANA zone; UTC when absent), as backups made by
 * a scheduler do, is scheduled by them; any other resource has no schedule (RPO from config).
 */
import type { ResourceModel } from '../../domain/models.ts';
import type { ProtectionSchedule } from '../../domain/protection.ts';
import { createEvidenceCollector } from '../../domain/protection-evidence.ts';
import { toTimestamp } from '../../domain/timestamps.ts';
import { mapLimit } from '../../upstream/map-limit.ts';
import type { RequestContext } from '../../upstream/request-context.ts';
import type { ProviderProtection, ResourceEvidence } from '../contract/index.ts';
import { BYCLOUD_MAX_PAGE_SIZE, type BycloudClient, type BycloudPage } from './client.ts';
import { databaseBackupJobStatus, parseNativeId, volumeBackupJobStatus, volumeMetadata } from './mapper.ts';
import type { BycloudDatabaseBackupDto, BycloudVolumeBackupDto } from './wire.ts';

/** Asked resources up to this many are read one by one. */
export const PER_RESOURCE_UP_TO = 3;
/** Pages one scan reads at most (1000 backups each). */
export const MAX_PAGES_PER_SCAN = 20;

type AnyBackup = BycloudVolumeBackupDto | BycloudDatabaseBackupDto;
const asError = (e: unknown): Error => (e instanceof Error ? e : new Error(String(e)));

/** The protection evidence of one ByCloud instance, reading through `client`. */
export function createBycloudProtection(client: BycloudClient): ProviderProtection {
  /** Reads a whole (filtered) collection, newest first; whether it reached the end. */
  async function readAll(read: (marker: string | null) => Promise<BycloudPage<AnyBackup>>): Promise<{ items: AnyBackup[]; complete: boolean }> {
    const items: AnyBackup[] = [];
    let marker: string | null = null;
    for (let pages = 0; pages < MAX_PAGES_PER_SCAN; pages++) {
      const page = await read(marker);
      items.push(...page.items);
      marker = page.next;
      if (!marker) return { items, complete: true };
    }
    return { items, complete: false };
  }

  const volumes = (ctx: RequestContext, volumeId?: string) =>
    readAll((marker) => client.listVolumeBackups({ marker, limit: BYCLOUD_MAX_PAGE_SIZE, ...(volumeId ? { volumeId } : {}) }, ctx));
  const databases = (ctx: RequestContext, instanceId?: string) =>
    readAll((marker) => client.listDatabaseBackups({ marker, limit: BYCLOUD_MAX_PAGE_SIZE, ...(instanceId ? { instanceId } : {}) }, ctx));

  /** The evidence of `resources` (all of one collection) from that collection's backups. */
  function evidenceFrom(collection: 'vol' | 'db', resources: readonly ResourceModel[], read: { items: AnyBackup[]; complete: boolean }, since: Date): ResourceEvidence[] {
    const collector = createEvidenceCollector(resources.map((r) => r.nativeId), since, null);
    const newest = new Map<string, { b: AnyBackup; at: string | null }>();
    let oldest: string | null = null;
    for (const b of read.items) {
      const native = collection === 'vol' ? `vol:${(b as BycloudVolumeBackupDto).volume_id}` : `db:${(b as BycloudDatabaseBackupDto).instance_id}`;
      const status = (collection === 'vol' ? volumeBackupJobStatus : databaseBackupJobStatus).map(b.status);
      const made = ['available', 'completed'].includes(String(b.status).toLowerCase());
      const at = toTimestamp(b.created_at);
      collector.add(native, { at, endedAt: made ? toTimestamp(b.updated_at) : null, status });
      const prev = newest.get(native);
      if (!prev || (at !== null && (prev.at === null || at > prev.at))) newest.set(native, { b, at });
      if (at && (oldest === null || at < oldest)) oldest = at;
    }
    return collector.finish({ complete: read.complete, oldestSeen: oldest }, (id) => ({ schedules: collection === 'vol' ? scheduleTags(newest.get(id)?.b) : null }));
  }

  return {
    async evidence(resources, since, ctx) {
      const byId = new Map<string, ResourceEvidence | Error>();
      const parsed = resources.map((r) => ({ r, p: parseNativeId(r.nativeId) }));
      for (const { r, p } of parsed) if (!p) byId.set(r.nativeId, new Error(`"${r.nativeId}" is not a ByCloud resource id`));
      const vols = parsed.filter((x) => x.p?.collection === 'vol').map((x) => x.r);
      const dbs = parsed.filter((x) => x.p?.collection === 'db').map((x) => x.r);
      const run = async (collection: 'vol' | 'db', members: ResourceModel[], read: () => Promise<{ items: AnyBackup[]; complete: boolean }>) => {
        if (members.length === 0) return;
        try {
          const out = evidenceFrom(collection, members, await read(), since);
          members.forEach((r, i) => byId.set(r.nativeId, out[i]));
        } catch (e) {
          for (const r of members) byId.set(r.nativeId, asError(e));
        }
      };
      if (vols.length + dbs.length <= PER_RESOURCE_UP_TO) {
        await mapLimit([...vols, ...dbs], 4, async (r) => {
          const p = parseNativeId(r.nativeId)!;
          await run(p.collection, [r], () => (p.collection === 'vol' ? volumes(ctx, p.id) : databases(ctx, p.id)));
        });
      } else {
        await Promise.all([run('vol', vols, () => volumes(ctx)), run('db', dbs, () => databases(ctx))]);
      }
      return resources.map((r) => byId.get(r.nativeId)!);
    },
  };
}

/** The schedule a volume's newest backup is tagged with (`metadata.schedule`, `metadata.schedule_tz`); null when untagged. */
function scheduleTags(b: AnyBackup | undefined): ProtectionSchedule[] | null {
  const meta = volumeMetadata(b);
  const cron = typeof meta?.schedule === 'string' ? meta.schedule.trim() : '';
  if (!cron) return null;
  const tz = typeof meta?.schedule_tz === 'string' && meta.schedule_tz.trim() ? meta.schedule_tz.trim() : null;
  return [{ crons: [cron], timezone: tz }];
}
