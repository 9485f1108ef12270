/**
 * The six `XConnection` types: `totalCount` is counted only when a client asks for it.
 */
import type { ConnectionModel } from '../domain/connection.ts';
import type {
  AlertConnectionResolvers, BackupConnectionResolvers, JobConnectionResolvers, OrganizationConnectionResolvers,
  ResourceConnectionResolvers, ScheduleConnectionResolvers,
} from '../generated/graphql.ts';

const totalCount = (c: ConnectionModel) => c.totalCount();

/** Resolvers of `OrganizationConnection`: the total across providers, or null when one does not report it. */
export const OrganizationConnection: OrganizationConnectionResolvers = { totalCount };
/** Resolvers of `ResourceConnection`: the total across providers, or null when one does not report it. */
export const ResourceConnection: ResourceConnectionResolvers = { totalCount };
/** Resolvers of `BackupConnection`: the total across providers, or null when one does not report it. */
export const BackupConnection: BackupConnectionResolvers = { totalCount };
/** Resolvers of `JobConnection`: the total across providers, or null when one does not report it. */
export const JobConnection: JobConnectionResolvers = { totalCount };
/** Resolvers of `AlertConnection`: the total across providers, or null when one does not report it. */
export const AlertConnection: AlertConnectionResolvers = { totalCount };
/** Resolvers of `ScheduleConnection`: the total across providers, or null when one does not report it. */
export const ScheduleConnection: ScheduleConnectionResolvers = { totalCount };
