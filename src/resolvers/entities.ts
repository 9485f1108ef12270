/**
 * The unified fields of the six entity interfaces: global id, provider, and the links between
 * entities (loaded through the per-request DataLoaders). Concrete provider types inherit these.
 */
import { encodeGlobalId } from '../domain/ids.ts';
import type { EntityKind, EntityModel, OrganizationModel } from '../domain/models.ts';
import type {
  AlertResolvers, BackupResolvers, JobResolvers, OrganizationResolvers, ResourceResolvers, ScheduleResolvers,
  OrganizationJobsArgs, OrganizationResourcesArgs, Resolver, ResolversTypes, ResourceBackupsArgs, ResourceJobsArgs,
} from '../generated/graphql.ts';
import type { AlertModel, BackupModel, JobModel, ResourceModel, ScheduleModel } from '../domain/models.ts';
import type { GatewayContext } from '../server/context.ts';
import { resolveConnection, type ListArgs } from './connection.ts';

/**
 * Codegen types an interface's resolvers as `__resolveType` only; the unified fields below are
 * inherited by every concrete type (`inheritResolversFromInterfaces`), so they are typed here from
 * the generated `ResolversTypes` and our models.
 */
type R<T extends keyof ResolversTypes, P, A = Record<PropertyKey, never>> = Resolver<ResolversTypes[T] | null, P, GatewayContext, A>;
interface EntityFields<P> {
  id: R<'ID', P>;
  provider: R<'Provider', P>;
  organization?: R<'Organization', P>;
}

const idOf = (kind: EntityKind) => (m: EntityModel) => encodeGlobalId(m.provider.id, kind, m.nativeId);
const resolveType = (m: EntityModel) => m.typename as never;

/** The organization of a model: by native id when it has one, else the provider's only organization. */
async function organizationOf(m: EntityModel, ctx: GatewayContext): Promise<OrganizationModel | null> {
  const native = m.organizationNativeId as string | null | undefined;
  if (native) return ctx.loaders.load('organization', m.provider.id, native);
  const list = ctx.providers.get(m.provider.id)?.lists.organization;
  if (!list) return null;
  const key = `${m.provider.id}:sole-organization`;
  let p = ctx.upstream.memo.get(key) as Promise<OrganizationModel | null> | undefined;
  if (!p) {
    p = list({ after: null, limit: 2, filter: {} }, ctx.upstream).then((page) => (page.items.length === 1 ? page.items[0] : null));
    ctx.upstream.memo.set(key, p);
  }
  return p;
}

const link = (kind: 'resource' | 'backup', field: 'resourceNativeId' | 'backupNativeId') =>
  (m: EntityModel, _a: unknown, ctx: GatewayContext) => {
    const native = m[field] as string | null | undefined;
    return native ? ctx.loaders.load(kind, m.provider.id, native) : null;
  };

const common = {
  provider: (m: EntityModel) => m.provider,
  organization: (m: EntityModel, _a: unknown, ctx: GatewayContext) => organizationOf(m, ctx),
};

/** Resolvers of `Organization`. */
export const Organization: OrganizationResolvers & EntityFields<OrganizationModel> & {
  resources: R<'ResourceConnection', OrganizationModel, OrganizationResourcesArgs>;
  jobs: R<'JobConnection', OrganizationModel, OrganizationJobsArgs>;
} = {
  __resolveType: resolveType,
  id: idOf('organization'),
  provider: common.provider,
  resources: (m, args, ctx, info) => resolveConnection('resource', args as ListArgs, ctx, info, { providerId: m.provider.id, organizationId: m.nativeId }),
  jobs: (m, args, ctx, info) => resolveConnection('job', args as ListArgs, ctx, info, { providerId: m.provider.id, organizationId: m.nativeId }),
};

/** Resolvers of `Resource`. */
export const Resource: ResourceResolvers & EntityFields<ResourceModel> & {
  backups: R<'BackupConnection', ResourceModel, ResourceBackupsArgs>;
  jobs: R<'JobConnection', ResourceModel, ResourceJobsArgs>;
  schedules: Resolver<Array<ResolversTypes['Schedule']>, ResourceModel, GatewayContext>;
} = {
  __resolveType: resolveType,
  id: idOf('resource'),
  ...common,
  backups: (m, args, ctx, info) => resolveConnection('backup', args as ListArgs, ctx, info, { providerId: m.provider.id, resourceId: m.nativeId }),
  jobs: (m, args, ctx, info) => resolveConnection('job', args as ListArgs, ctx, info, { providerId: m.provider.id, resourceId: m.nativeId }),
  schedules: async (m, _a, ctx, info) => {
    const c = await resolveConnection('schedule', { first: 100 }, ctx, info, { providerId: m.provider.id, resourceId: m.nativeId });
    return c.nodes;
  },
};

/** Resolvers of `Backup`. */
export const Backup: BackupResolvers & EntityFields<BackupModel> & { resource: R<'Resource', BackupModel> } = {
  __resolveType: resolveType,
  id: idOf('backup'),
  ...common,
  resource: link('resource', 'resourceNativeId') as never,
};

/** Resolvers of `Job`. */
export const Job: JobResolvers & EntityFields<JobModel> & {
  operation: R<'JobOperation', JobModel>;
  resource: R<'Resource', JobModel>;
  backup: R<'Backup', JobModel>;
} = {
  __resolveType: resolveType,
  id: idOf('job'),
  ...common,
  operation: (m) => m.operation.toUpperCase() as never,
  resource: link('resource', 'resourceNativeId') as never,
  backup: link('backup', 'backupNativeId') as never,
};

/** Resolvers of `Alert`. */
export const Alert: AlertResolvers & EntityFields<AlertModel> & { resource: R<'Resource', AlertModel>; backup: R<'Backup', AlertModel> } = {
  __resolveType: resolveType,
  id: idOf('alert'),
  ...common,
  resource: link('resource', 'resourceNativeId') as never,
  backup: link('backup', 'backupNativeId') as never,
};

/** Resolvers of `Schedule`. */
export const Schedule: ScheduleResolvers & EntityFields<ScheduleModel> & { resource: R<'Resource', ScheduleModel> } = {
  __resolveType: resolveType,
  id: idOf('schedule'),
  ...common,
  resource: link('resource', 'resourceNativeId') as never,
};
