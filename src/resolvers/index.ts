/**
 * All resolvers of the gateway, assembled for a given set of providers: one file per root field
 * (`Query/`, `Mutation/`, `Subscription/`) and per type, plus the provider-specific lazy fields of
 * the configured adapters.
 */
import type { Resolvers } from '../generated/graphql.ts';
import type { ProviderSet } from '../providers/registry.ts';
import { ByteCountScalar, DateTimeScalar, JsonScalar } from '../server/scalars.ts';
import { providerFieldResolvers } from './_shared/provider-fields.ts';
import { guardMutations } from '../access/roles-guard.ts';
import type { AuditTrail } from '../access/audit.ts';
import { Alert } from './Alert.ts';
import { Backup } from './Backup.ts';
import { AlertConnection, BackupConnection, JobConnection, OrganizationConnection, ResourceConnection, ScheduleConnection } from './connections.ts';
import { EntityKind } from './EntityKind.ts';
import { Job } from './Job.ts';
import { JobOperation } from './JobOperation.ts';
import { Node } from './Node.ts';
import { Organization } from './Organization.ts';
import { ProgressSource } from './ProgressSource.ts';
import { Provider } from './Provider.ts';
import { providerKindValues } from './ProviderKind.ts';
import { Resource } from './Resource.ts';
import { ResourceProtection } from './ResourceProtection.ts';
import { Role } from './Role.ts';
import { RetentionPreviewItem } from './RetentionPreviewItem.ts';
import { Schedule } from './Schedule.ts';
import { Viewer } from './Viewer.ts';
import { alerts } from './Query/alerts.ts';
import { backups } from './Query/backups.ts';
import { cronPresets } from './Query/cronPresets.ts';
import { jobs } from './Query/jobs.ts';
import { node } from './Query/node.ts';
import { nodes } from './Query/nodes.ts';
import { organizations } from './Query/organizations.ts';
import { ProtectionSummary, protectionSummary } from './Query/protectionSummary.ts';
import { jobStats } from './Query/jobStats.ts';
import { providers as providersField } from './Query/providers.ts';
import { resources } from './Query/resources.ts';
import { retentionPreview } from './Query/retentionPreview.ts';
import { schedules } from './Query/schedules.ts';
import { viewer } from './Query/viewer.ts';
import { attachPolicy } from './Mutation/attachPolicy.ts';
import { createDownloadLink } from './Mutation/createDownloadLink.ts';
import { createPolicy } from './Mutation/createPolicy.ts';
import { deleteBackup } from './Mutation/deleteBackup.ts';
import { detachPolicy } from './Mutation/detachPolicy.ts';
import { dismissAlert } from './Mutation/dismissAlert.ts';
import { markAlertRead } from './Mutation/markAlertRead.ts';
import { restoreBackup } from './Mutation/restoreBackup.ts';
import { setPolicyEnabled } from './Mutation/setPolicyEnabled.ts';
import { triggerBackup } from './Mutation/triggerBackup.ts';
import { updatePolicy } from './Mutation/updatePolicy.ts';
import { upsertSchedule } from './Mutation/upsertSchedule.ts';
import { verifyBackup } from './Mutation/verifyBackup.ts';
import { backupProgress } from './Subscription/backupProgress.ts';
import { restoreProgress } from './Subscription/restoreProgress.ts';
import { jobUpdates } from './Subscription/jobUpdates.ts';

/** Options of {@link createResolvers}. */
export interface ResolversOptions {
  /** Where every mutation attempt is recorded. @default a trail that records nothing */
  audit?: AuditTrail;
}

/** A trail that records nothing (resolvers built without a gateway, in tests). */
const NO_AUDIT: AuditTrail = { stamp: (r) => ({ time: '', ...r }), persist: async () => undefined, log: () => undefined, close: async () => undefined };

/**
 * Builds the resolver map for `providers`: every static resolver, typed by codegen, and each
 * configured adapter's lazy fields. Every Mutation resolver is guarded by the role table and the
 * audit trail (`src/access/roles-guard.ts`).
 */
export function createResolvers(providers: ProviderSet, options: ResolversOptions = {}): Resolvers {
  const resolvers: Resolvers = {
    DateTime: DateTimeScalar,
    ByteCount: ByteCountScalar,
    JSON: JsonScalar,
    EntityKind,
    JobOperation,
    ProgressSource,
    Role,
    ProviderKind: providerKindValues(providers),
    Query: {
      providers: providersField, node, nodes,
      organizations, resources, backups, jobs, alerts, schedules,
      retentionPreview, cronPresets, viewer,
      protectionSummary, jobStats,
    },
    // The one place roles apply: each mutation checked against src/access/roles.ts, then audited.
    Mutation: guardMutations({
      triggerBackup, restoreBackup, deleteBackup, verifyBackup, createDownloadLink,
      dismissAlert, markAlertRead,
      upsertSchedule, attachPolicy, detachPolicy, setPolicyEnabled, createPolicy, updatePolicy,
    }, options.audit ?? NO_AUDIT),
    Subscription: { backupProgress, restoreProgress, jobUpdates },
    Node,
    Provider,
    Viewer,
    RetentionPreviewItem,
    Organization,
    Resource,
    ResourceProtection,
    ProtectionSummary,
    Backup,
    Job,
    Alert,
    Schedule,
    OrganizationConnection,
    ResourceConnection,
    BackupConnection,
    JobConnection,
    AlertConnection,
    ScheduleConnection,
  };
  // The adapters' lazy fields are known only at run time, by concrete type and field name; their
  // values are checked by GraphQL against each field's type. They go on concrete types, which the
  // map above leaves to the interfaces, so nothing above is replaced.
  return Object.assign(resolvers, providerFieldResolvers(providers));
}
