/**
 * How an adapter reports what protection and RPO are computed from: per resource, when its backups
 * last succeeded, its attempts of the last days, the schedules in force and any recoverability
 * evidence. Optional: a provider without it answers UNKNOWN for every resource. Batched: one call
 * answers every resource of one provider that a request asks about (the gateway's per-request
 * loader gathers them), so an adapter reads its job or backup lists once for all of them, never
 * once per resource and field.
 */
import type { ResourceModel } from '../../domain/models.ts';
import type { ProtectionEvidence } from '../../domain/protection.ts';
import type { RequestContext } from '../../upstream/request-context.ts';

export type {
  MissedRun, ProtectionAttempt, ProtectionEvidence, ProtectionSchedule, RecoverabilityEvidence,
} from '../../domain/protection.ts';

/** The evidence of one resource (see {@link ProtectionEvidence} for what each field promises). */
export type ResourceEvidence = ProtectionEvidence;

/** A provider's protection evidence. */
export interface ProviderProtection {
  /**
   * The evidence of each resource in `resources` (models this adapter produced), in order: its
   * evidence, or an Error for that resource alone (its protection is then UNKNOWN with an error
   * beside the data). Attempts are wanted back to `since` at least; a bounded scan may stop
   * earlier and says so through `attemptsFrom` / `successSearchedFrom`.
   */
  evidence(resources: readonly ResourceModel[], since: Date, ctx: RequestContext): Promise<Array<ResourceEvidence | Error>>;
}
