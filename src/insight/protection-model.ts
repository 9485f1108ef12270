/**
 * What `Resource.protection` resolves to: the assessment of the rule (`src/domain/protection.ts`)
 * with the evidence it came from, so `missedRuns(since:)` can look at another window.
 */
import { encodeGlobalId } from '../domain/ids.ts';
import type { ResourceModel } from '../domain/models.ts';
import {
  assessProtection, protectionStatus, unknownProtection, type MissedRun, type ProtectionAssessment, type ProtectionEvidence, type ProtectionStatus, type RpoSource,
} from '../domain/protection.ts';
import type { InsightOptions } from './options.ts';
import { rpoTargetOf } from './rpo.ts';

/** `Recoverability` as the schema shows it. */
export interface RecoverabilityModel {
  verified: boolean | null;
  source: string;
  checkedAt: string | null;
  providerStatus: string | null;
  detail: string | null;
  backupId: string | null;
}

/** `ResourceProtection`: the assessment's fields, plus the evidence and the instant it was made at. */
export interface ResourceProtectionModel {
  status: ProtectionAssessment['status'];
  reasons: string[];
  lastSuccessfulBackupAt: string | null;
  lastAttempt: ProtectionAssessment['lastAttempt'];
  rpoSeconds: number | null;
  rpoSource: RpoSource;
  rpoMet: boolean | null;
  nextScheduledRunAt: string | null;
  recoverability: RecoverabilityModel | null;
  /** Missed runs of the RPO window (what `missedRuns` answers without `since`). */
  missedRunsInWindow: MissedRun[];
  /** The evidence; null when the provider did not answer. */
  evidence: ProtectionEvidence | null;
  /** "Now" of the assessment, epoch ms. */
  nowMs: number;
}

function toModel(a: ProtectionAssessment, evidence: ProtectionEvidence | null, resource: ResourceModel, nowMs: number): ResourceProtectionModel {
  const r = evidence?.recoverability ?? null;
  return {
    status: a.status,
    reasons: a.reasons,
    lastSuccessfulBackupAt: a.lastSuccessfulBackupAt,
    lastAttempt: a.lastAttempt,
    rpoSeconds: a.rpo.seconds,
    rpoSource: a.rpo.source,
    rpoMet: a.rpoMet,
    nextScheduledRunAt: a.nextScheduledRunAt,
    recoverability: r && {
      verified: r.verified, source: r.source, checkedAt: r.checkedAt, providerStatus: r.providerStatus, detail: r.detail,
      backupId: r.backupNativeId ? encodeGlobalId(resource.provider.id, 'backup', r.backupNativeId) : null,
    },
    missedRunsInWindow: a.missedRuns,
    evidence,
    nowMs,
  };
}

/**
 * The protection of `resource` from its provider's `evidence` at `nowMs`: an Error when the provider
 * did not answer, null when it keeps no evidence at all (both UNKNOWN).
 */
export function protectionOf(options: InsightOptions, resource: ResourceModel, evidence: ProtectionEvidence | Error | null, nowMs: number): ResourceProtectionModel {
  if (evidence === null || evidence instanceof Error) {
    const rpo = rpoTargetOf(options, resource, null, nowMs);
    const why = evidence === null ? `provider "${resource.provider.id}" reports nothing protection can be computed from` : `provider "${resource.provider.id}" did not answer`;
    return toModel(unknownProtection(rpo, why), null, resource, nowMs);
  }
  const rpo = rpoTargetOf(options, resource, evidence.schedules, nowMs);
  return toModel(assessProtection(evidence, rpo, nowMs), evidence, resource, nowMs);
}

/**
 * The status {@link protectionOf} would give `resource`, without the rest of its model: what
 * `protectionSummary` counts, for every resource it reads.
 */
export function protectionStatusOf(options: InsightOptions, resource: ResourceModel, evidence: ProtectionEvidence | Error | null, nowMs: number): ProtectionStatus {
  if (evidence === null || evidence instanceof Error) return 'UNKNOWN';
  return protectionStatus(evidence, rpoTargetOf(options, resource, evidence.schedules, nowMs), nowMs);
}
