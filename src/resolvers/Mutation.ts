/**
 * `Mutation` and the read-but-post queries (`retentionPreview`, `cronPresets`). Every mutation:
 * decode and validate the input (BAD_USER_INPUT before any upstream call), check the provider can
 * do it (UNSUPPORTED_BY_PROVIDER), then call the adapter once per idempotency key.
 */
import { GatewayError, badUserInput, unsupportedByProvider } from '../domain/errors.ts';
import { decodeGlobalIdOf, encodeGlobalId, type DecodedId } from '../domain/ids.ts';
import { checkCron, checkNonNegative, checkRetention, checkText, checkTimeZone } from '../domain/validation.ts';
import type { MutationResolvers, QueryResolvers } from '../generated/graphql.ts';
import type { PolicyInput, ProviderActions, ProviderAdapter, StartedOperation } from '../providers/provider.ts';
import type { GatewayContext } from '../server/context.ts';
import { isUpstreamError, toGatewayError } from '../upstream/errors.ts';

type ActionName = keyof ProviderActions;

/** The adapter of a decoded id and its action, or UNSUPPORTED_BY_PROVIDER / NOT_FOUND. */
function actionOf<A extends ActionName>(ctx: GatewayContext, providerId: string, action: A, what: string): { adapter: ProviderAdapter; act: NonNullable<ProviderActions[A]> } {
  const adapter = ctx.providers.get(providerId);
  if (!adapter) throw new GatewayError('NOT_FOUND', `no provider "${providerId}" is configured`);
  const act = adapter.actions?.[action];
  if (!act) throw unsupportedByProvider(providerId, what);
  return { adapter, act: act.bind(adapter.actions) as NonNullable<ProviderActions[A]> };
}

/** Runs an upstream action once per idempotency key; upstream failures keep the provider's own words for 400/409/422. */
async function once<T>(ctx: GatewayContext, scope: string, input: { idempotencyKey?: string | null }, fn: () => Promise<T>): Promise<T> {
  try {
    return await ctx.idempotency.run(scope, input.idempotencyKey, input, fn);
  } catch (e) {
    throw isUpstreamError(e) ? toGatewayError(e, { exposeProviderMessage: true }) : e;
  }
}

function started(ctx: GatewayContext, providerId: string, op: StartedOperation) {
  if (op.job) ctx.loaders.prime('job', op.job);
  if (op.backup) ctx.loaders.prime('backup', op.backup);
  return { job: op.job, backup: op.backup, progressId: encodeGlobalId(providerId, op.progress.kind, op.progress.nativeId) };
}

function decodeBackup(id: string, field: string): DecodedId {
  return decodeGlobalIdOf(id, 'backup', field);
}

function checkPolicyInput(i: { name?: string | null; scheduleCron?: string | null; timezone?: string | null; retentionDays?: number | null; keepLastN?: number | null; destinationId?: string | null }): PolicyInput {
  const out: PolicyInput = {};
  if (i.name != null) out.name = checkText(i.name, 'input.name');
  if (i.scheduleCron != null) out.scheduleCron = checkCron(i.scheduleCron, 'input.scheduleCron');
  if (i.timezone != null) out.timezone = checkTimeZone(i.timezone, 'input.timezone');
  if (i.retentionDays != null) out.retentionDays = checkNonNegative(i.retentionDays, 'input.retentionDays');
  if (i.keepLastN != null) out.keepLastN = checkNonNegative(i.keepLastN, 'input.keepLastN');
  if (i.destinationId != null) out.destinationId = i.destinationId;
  return out;
}

const withoutNulls = <T extends object>(o: T) => Object.fromEntries(Object.entries(o).filter(([, v]) => v != null)) as { [K in keyof T]?: NonNullable<T[K]> };

/** Resolvers of `Mutation`. */
export const Mutation: MutationResolvers = {
  async triggerBackup(_p, { input }, ctx) {
    const r = decodeGlobalIdOf(input.resourceId, 'resource', 'input.resourceId');
    if (input.backupType != null && !['db', 'full'].includes(input.backupType)) throw badUserInput('input.backupType must be "db" or "full"', 'input.backupType');
    if (input.name != null) checkText(input.name, 'input.name', 255);
    const { act } = actionOf(ctx, r.providerId, 'triggerBackup', 'triggering a backup');
    const op = await once(ctx, 'triggerBackup', input, () =>
      act({ resourceNativeId: r.nativeId, ...withoutNulls({ backupType: input.backupType, policyId: input.policyId, name: input.name, description: input.description, incremental: input.incremental, force: input.force }) }, ctx.upstream),
    );
    return started(ctx, r.providerId, op) as never;
  },

  async restoreBackup(_p, { input }, ctx) {
    const b = decodeBackup(input.backupId, 'input.backupId');
    let targetResourceNativeId: string | undefined;
    if (input.target === 'OTHER') {
      if (!input.targetResourceId) throw badUserInput('input.targetResourceId is required when input.target is OTHER', 'input.targetResourceId');
      const t = decodeGlobalIdOf(input.targetResourceId, 'resource', 'input.targetResourceId');
      if (t.providerId !== b.providerId) throw badUserInput('input.targetResourceId must be a resource of the backup\'s provider', 'input.targetResourceId');
      targetResourceNativeId = t.nativeId;
    } else if (input.targetResourceId) {
      throw badUserInput('input.targetResourceId is only for input.target OTHER', 'input.targetResourceId');
    }
    if (input.mode != null && !['new_database', 'overwrite', 'new_server'].includes(input.mode)) throw badUserInput('input.mode must be new_database, overwrite or new_server', 'input.mode');
    if (input.mode === 'overwrite' && input.confirmOverwrite !== true) throw badUserInput('input.confirmOverwrite must be true for overwrite mode', 'input.confirmOverwrite');
    const { act } = actionOf(ctx, b.providerId, 'restoreBackup', 'restoring a backup');
    const op = await once(ctx, 'restoreBackup', input, () =>
      act({
        backupNativeId: b.nativeId,
        targetType: input.target === 'OTHER' ? 'other' : 'same',
        ...withoutNulls({ targetResourceNativeId, pointInTime: input.pointInTime, targetDatabase: input.targetDatabase, targetUri: input.targetUri, mode: input.mode, confirmOverwrite: input.confirmOverwrite }),
      }, ctx.upstream),
    );
    return started(ctx, b.providerId, op) as never;
  },

  async deleteBackup(_p, { input }, ctx) {
    const b = decodeBackup(input.backupId, 'input.backupId');
    const { act } = actionOf(ctx, b.providerId, 'deleteBackup', 'deleting a backup');
    const backup = await once(ctx, 'deleteBackup', input, () => act(b.nativeId, ctx.upstream));
    return { backup, deletedBackupId: input.backupId } as never;
  },

  async dismissAlert(_p, { input }, ctx) {
    const a = decodeGlobalIdOf(input.alertId, 'alert', 'input.alertId');
    const { act } = actionOf(ctx, a.providerId, 'dismissAlert', 'dismissing an alert');
    return { alert: await once(ctx, 'dismissAlert', input, () => act(a.nativeId, ctx.upstream)) } as never;
  },

  async markAlertRead(_p, { input }, ctx) {
    const a = decodeGlobalIdOf(input.alertId, 'alert', 'input.alertId');
    const { act } = actionOf(ctx, a.providerId, 'markAlertRead', 'marking an alert read');
    return { alert: await once(ctx, 'markAlertRead', input, () => act(a.nativeId, ctx.upstream)) } as never;
  },

  async upsertSchedule(_p, { input }, ctx) {
    const r = decodeGlobalIdOf(input.resourceId, 'resource', 'input.resourceId');
    const { retention, resourceId: _r, idempotencyKey: _k, ...fields } = input;
    if (fields.dbCron) checkCron(fields.dbCron, 'input.dbCron');
    if (fields.fullCron) checkCron(fields.fullCron, 'input.fullCron');
    if (fields.timezone != null) checkTimeZone(fields.timezone, 'input.timezone');
    if (fields.walRetentionDays != null) checkNonNegative(fields.walRetentionDays, 'input.walRetentionDays');
    if (retention) checkRetention(retention, 'input.retention');
    const { act } = actionOf(ctx, r.providerId, 'upsertSchedule', 'managing schedules');
    const schedule = await once(ctx, 'upsertSchedule', input, () =>
      act(r.nativeId, { ...withoutNulls(fields), ...withoutNulls(retention ?? {}) }, ctx.upstream),
    );
    return { schedule } as never;
  },

  async attachPolicy(_p, { input }, ctx) {
    const r = decodeGlobalIdOf(input.resourceId, 'resource', 'input.resourceId');
    checkText(input.policyId, 'input.policyId');
    const { act } = actionOf(ctx, r.providerId, 'attachPolicy', 'attaching a policy');
    return { schedule: await once(ctx, 'attachPolicy', input, () => act(r.nativeId, input.policyId, input.enabled ?? true, ctx.upstream)) } as never;
  },

  async detachPolicy(_p, { input }, ctx) {
    const r = decodeGlobalIdOf(input.resourceId, 'resource', 'input.resourceId');
    checkText(input.policyId, 'input.policyId');
    const { act } = actionOf(ctx, r.providerId, 'detachPolicy', 'detaching a policy');
    await once(ctx, 'detachPolicy', input, () => act(r.nativeId, input.policyId, ctx.upstream));
    return { resource: await ctx.loaders.load('resource', r.providerId, r.nativeId) } as never;
  },

  async setPolicyEnabled(_p, { input }, ctx) {
    const r = decodeGlobalIdOf(input.resourceId, 'resource', 'input.resourceId');
    checkText(input.policyId, 'input.policyId');
    const { act } = actionOf(ctx, r.providerId, 'setPolicyEnabled', 'enabling or disabling a policy');
    return { schedule: await once(ctx, 'setPolicyEnabled', input, () => act(r.nativeId, input.policyId, input.enabled, ctx.upstream)) } as never;
  },

  async createPolicy(_p, { input }, ctx) {
    const checked = checkPolicyInput(input);
    const { act } = actionOf(ctx, input.provider, 'createPolicy', 'creating a policy');
    return { policy: await once(ctx, 'createPolicy', input, () => act(checked, ctx.upstream)) } as never;
  },

  async updatePolicy(_p, { input }, ctx) {
    const checked = checkPolicyInput(input);
    checkText(input.policyId, 'input.policyId');
    const { act } = actionOf(ctx, input.provider, 'updatePolicy', 'updating a policy');
    return { policy: await once(ctx, 'updatePolicy', input, () => act(input.policyId, checked, ctx.upstream)) } as never;
  },

  async verifyBackup(_p, { input }, ctx) {
    const b = decodeBackup(input.backupId, 'input.backupId');
    const { act } = actionOf(ctx, b.providerId, 'verifyBackup', 'verifying a backup');
    const r = await once(ctx, 'verifyBackup', input, () => act(b.nativeId, ctx.upstream));
    return { ...r, backup: await ctx.loaders.load('backup', b.providerId, b.nativeId) } as never;
  },

  async createDownloadLink(_p, { input }, ctx) {
    const b = decodeBackup(input.backupId, 'input.backupId');
    const { act } = actionOf(ctx, b.providerId, 'createDownloadLink', 'downloading a backup');
    return (await once(ctx, 'createDownloadLink', input, () => act(b.nativeId, ctx.upstream))) as never;
  },
};

/** Queries that read through a POST upstream. */
export const ActionQueries: Pick<QueryResolvers, 'retentionPreview' | 'cronPresets'> = {
  async retentionPreview(_p, { resourceId, retention }, ctx) {
    const r = decodeGlobalIdOf(resourceId, 'resource', 'resourceId');
    checkRetention(retention, 'retention');
    const { act } = actionOf(ctx, r.providerId, 'retentionPreview', 'retention preview');
    try {
      const preview = await act(r.nativeId, withoutNulls(retention), ctx.upstream);
      return {
        totalSizeBytes: preview.totalSizeBytes,
        items: preview.items.map((i) => ({ ...i, backupId: encodeGlobalId(r.providerId, 'backup', i.backupNativeId) })),
      } as never;
    } catch (e) {
      throw isUpstreamError(e) ? toGatewayError(e, { exposeProviderMessage: true }) : e;
    }
  },
  async cronPresets(_p, { provider }, ctx) {
    const { act } = actionOf(ctx, provider, 'cronPresets', 'cron presets');
    return act(ctx.upstream) as never;
  },
};
