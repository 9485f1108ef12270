/**
 * What a provider can do, derived from what its adapter implements: a list it has is a list it
 * can serve, an action it has is an action it can take. Nothing is declared twice.
 */
import type { EntityKind } from '../../domain/models.ts';
import type { ProviderAdapter } from './adapter.ts';

/** What a provider can do, for `Provider.capabilities` and for guarding mutations. */
export interface ProviderCapabilities {
  /** Entity kinds this provider can list. */
  lists: EntityKind[];
  /** Live progress comes from an upstream stream (`sse`) or from polling (`poll`); null when none. */
  progress: 'sse' | 'poll' | null;
  triggerBackup: boolean;
  restoreBackup: boolean;
  deleteBackup: boolean;
  manageAlerts: boolean;
  manageSchedules: boolean;
  managePolicies: boolean;
  verifyBackup: boolean;
  downloadBackup: boolean;
}

/** The capabilities of `adapter`, read off what it implements. */
export function capabilitiesOf(adapter: Pick<ProviderAdapter, 'lists' | 'actions' | 'progress'>): ProviderCapabilities {
  const a = adapter.actions ?? {};
  return {
    lists: (Object.keys(adapter.lists) as EntityKind[]).filter((k) => adapter.lists[k] !== undefined),
    progress: adapter.progress?.stream ? 'sse' : adapter.progress?.snapshot ? 'poll' : null,
    triggerBackup: a.triggerBackup !== undefined,
    restoreBackup: a.restoreBackup !== undefined,
    deleteBackup: a.deleteBackup !== undefined,
    manageAlerts: a.dismissAlert !== undefined || a.markAlertRead !== undefined,
    manageSchedules: a.upsertSchedule !== undefined,
    managePolicies: a.createPolicy !== undefined || a.attachPolicy !== undefined,
    verifyBackup: a.verifyBackup !== undefined,
    downloadBackup: a.createDownloadLink !== undefined,
  };
}
