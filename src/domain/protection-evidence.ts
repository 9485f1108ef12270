/**
 * Builds protection evidence from records a provider lists newest first (jobs, backups): every
 * adapter's scan feeds its records here and stops when {@link EvidenceCollector.satisfied} says
 * nothing more is needed (or at its own page bound). Pure bookkeeping, no I/O.
 */
import type { JobStatus } from './statuses.ts';
import { SUCCESS_STATUSES, type EvidenceAttempt, type ProtectionEvidence, type ProtectionSchedule, type RecoverabilityEvidence } from './protection.ts';

/** One backup attempt of a resource, as read from a provider's record. */
export interface SeenAttempt {
  /** When it started (created, before it started), ISO-8601. */
  at: string | null;
  /** When it ended, when it has. */
  endedAt: string | null;
  status: JobStatus;
}

/** What a scan of newest-first records learns per resource; see {@link createEvidenceCollector}. */
export interface EvidenceCollector {
  /** Notes an attempt of `resourceId` (ignored for resources not asked for). */
  add(resourceId: string, attempt: SeenAttempt): void;
  /** Notes recoverability evidence of `resourceId`; the first noted (the newest, in a newest-first scan) is kept. */
  addRecoverability(resourceId: string, evidence: RecoverabilityEvidence): void;
  /** True while `resourceId` is asked for and has no recoverability evidence yet (so a scan need not build what would be ignored). */
  wantsRecoverability(resourceId: string): boolean;
  /**
   * True when a newest-first scan can stop: it has read past `since` (`oldestSeen` is older) and
   * every resource asked for has a success.
   */
  satisfied(oldestSeen: string | null): boolean;
  /**
   * The evidence of each resource, in the order asked. `complete`: the scan reached the end of the
   * provider's history (a resource without a success never had one); otherwise the success was
   * looked for back to `oldestSeen` only. Attempts are counted from `since` (or from `oldestSeen`
   * when the scan stopped before reaching `since`).
   */
  finish(scan: { complete: boolean; oldestSeen: string | null }, extra?: (resourceId: string) => Partial<Pick<ProtectionEvidence, 'schedules' | 'nextRunAt' | 'lastSuccessAt' | 'successSearchedFrom'>>): ProtectionEvidence[];
}

/** A collector for `resourceIds` whose attempts are wanted back to `since`. */
export function createEvidenceCollector(resourceIds: readonly string[], since: Date, schedules: readonly ProtectionSchedule[] | null = null): EvidenceCollector {
  const sinceMs = since.getTime();
  // Instants stay numbers until `finish` (a scan notes tens of thousands of records per request).
  const state = new Map(resourceIds.map((id) => [id, { lastSuccess: null as number | null, attempts: [] as EvidenceAttempt[], recoverability: null as RecoverabilityEvidence | null }]));
  return {
    add(resourceId, a) {
      const st = state.get(resourceId);
      if (!st) return;
      const at = a.at ? Date.parse(a.at) : NaN;
      if (SUCCESS_STATUSES.has(a.status)) {
        const end = a.endedAt ? Date.parse(a.endedAt) : at;
        if (!Number.isNaN(end) && (st.lastSuccess === null || end > st.lastSuccess)) st.lastSuccess = end;
      }
      if (at >= sinceMs) st.attempts.push({ atMs: at, status: a.status });
    },
    addRecoverability(resourceId, evidence) {
      const st = state.get(resourceId);
      if (st && !st.recoverability) st.recoverability = evidence;
    },
    wantsRecoverability(resourceId) {
      const st = state.get(resourceId);
      return st !== undefined && st.recoverability === null;
    },
    satisfied(oldestSeen) {
      if (oldestSeen === null || Date.parse(oldestSeen) >= sinceMs) return false;
      for (const st of state.values()) if (st.lastSuccess === null) return false;
      return true;
    },
    finish(scan, extra) {
      const oldest = scan.oldestSeen ? Date.parse(scan.oldestSeen) : NaN;
      const attemptsFrom = !scan.complete && !Number.isNaN(oldest) && oldest > sinceMs ? oldest : sinceMs;
      return resourceIds.map((id) => {
        const st = state.get(id)!;
        // Sorted in place: finish() is called once per collector.
        const attempts = st.attempts.sort((a, b) => b.atMs - a.atMs);
        return {
          lastSuccessAt: st.lastSuccess !== null ? new Date(st.lastSuccess).toISOString() : null,
          successSearchedFrom: scan.complete ? null : Number.isNaN(oldest) ? new Date(sinceMs).toISOString() : new Date(oldest).toISOString(),
          attempts,
          attemptsFrom: new Date(attemptsFrom).toISOString(),
          schedules,
          nextRunAt: null,
          recoverability: st.recoverability,
          ...(extra?.(id) ?? {}),
        };
      });
    },
  };
}
