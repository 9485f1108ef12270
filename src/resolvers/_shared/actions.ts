/**
 * What every mutation (and the queries that read through a POST upstream) shares: find the
 * provider's action or answer UNSUPPORTED_BY_PROVIDER / NOT_FOUND, call it once per idempotency
 * key (a refusal kept as the user errors it is, with the provider's own words for its 400/409/422
 * answers), and shape what it started.
 */
import { GatewayError, unsupportedByProvider } from '../../domain/errors.ts';
import { checkNativeId, decodeGlobalIdOf, encodeGlobalId, type DecodedId } from '../../domain/ids.ts';
import type { BackupModel, JobModel } from '../../domain/models.ts';
import { checkCron, checkNonNegative, checkText, checkTimeZone } from '../../domain/validation.ts';
import type { PolicyInput, ProviderActions, StartedOperation } from '../../providers/contract/index.ts';
import type { GatewayContext } from '../../server/context.ts';
import { isUpstreamError, toGatewayError } from '../../upstream/errors.ts';
import { MutationRefused, mutationPayload, refusalOf } from './user-errors.ts';

/** The action `action` of provider `providerId`, bound to its adapter; NOT_FOUND or UNSUPPORTED_BY_PROVIDER (naming `what`) when there is none. */
export function actionOf<A extends keyof ProviderActions>(ctx: GatewayContext, providerId: string, action: A, what: string): NonNullable<ProviderActions[A]> {
  const adapter = ctx.providers.get(providerId);
  if (!adapter) throw new GatewayError('NOT_FOUND', `no provider "${providerId}" is configured`);
  const act = adapter.actions?.[action];
  if (!act) throw unsupportedByProvider(providerId, what);
  return act.bind(adapter.actions) as NonNullable<ProviderActions[A]>;
}

/** Runs `fn`; an upstream failure becomes its gateway error with the provider's own message kept (for 400/409/422). */
export async function withProviderMessage<T>(fn: () => Promise<T>): Promise<T> {
  try {
    return await fn();
  } catch (e) {
    throw isUpstreamError(e) ? toGatewayError(e, { exposeProviderMessage: true }) : e;
  }
}

/** What the idempotency store keeps of an action: its value, or the user errors its refusal is (plain data, so a shared store replays them as they were). */
type ActionOutcome<T> = { value: T } | { userErrors: NonNullable<ReturnType<typeof refusalOf>> };

/**
 * Runs an upstream action once per idempotency key: the same key answers the first outcome, a
 * value, a refusal ({@link MutationRefused}, read by {@link refusalOf} where the action failed)
 * or an unexpected failure (thrown as it is), and never calls the provider again.
 */
export async function once<T>(ctx: GatewayContext, scope: string, input: { idempotencyKey?: string | null }, fn: () => Promise<T>): Promise<T> {
  const outcome = await ctx.idempotency.run<ActionOutcome<T>>(scope, input.idempotencyKey, input, () =>
    fn().then(
      (value) => ({ value }),
      (e: unknown) => {
        const userErrors = refusalOf(e);
        if (!userErrors) throw e;
        return { userErrors };
      },
    ),
  );
  if ('userErrors' in outcome) throw new MutationRefused(outcome.userErrors);
  return outcome.value;
}

/** What a trigger or restore answers: the job and backup it started (primed in the loaders) and the id to follow its progress by. */
export function started(ctx: GatewayContext, providerId: string, op: StartedOperation): { job: JobModel | null; backup: BackupModel | null; progressId: string } {
  if (op.job) ctx.loaders.prime('job', op.job);
  if (op.backup) ctx.loaders.prime('backup', op.backup);
  return { job: op.job, backup: op.backup, progressId: encodeGlobalId(providerId, op.progress.kind, op.progress.nativeId) };
}

/** Decodes the global id of a backup given as `field`, or BAD_USER_INPUT naming it. */
export function decodeBackupId(id: string, field: string): DecodedId {
  return decodeGlobalIdOf(id, 'backup', field);
}

/** Decodes a policy attachment (`input.resourceId`, `input.policyId`), or BAD_USER_INPUT naming the bad field. */
export function decodePolicyAttachment(input: { resourceId: string; policyId: string }): DecodedId {
  const r = decodeGlobalIdOf(input.resourceId, 'resource', 'input.resourceId');
  checkText(input.policyId, 'input.policyId');
  checkNativeId(input.policyId, 'policy', 'input.policyId');
  return r;
}

/** The resolver of a mutation of one alert (`dismissAlert`, `markAlertRead`): the alert as the provider has it after the action. */
export function alertAction(action: 'dismissAlert' | 'markAlertRead', what: string) {
  return mutationPayload<'dismissAlert' | 'markAlertRead'>(async (_p, { input }, ctx) => {
    const a = decodeGlobalIdOf(input.alertId, 'alert', 'input.alertId');
    const act = actionOf(ctx, a.providerId, action, what);
    return { alert: await once(ctx, action, input, () => act(a.nativeId, ctx.upstream)) };
  });
}

/** Checks a policy create/update input, field by field, into what the adapter takes. */
export function checkPolicyInput(i: { name?: string | null; scheduleCron?: string | null; timezone?: string | null; retentionDays?: number | null; keepLastN?: number | null; destinationId?: string | null }): PolicyInput {
  const out: PolicyInput = {};
  if (i.name != null) out.name = checkText(i.name, 'input.name');
  if (i.scheduleCron != null) out.scheduleCron = checkCron(i.scheduleCron, 'input.scheduleCron');
  if (i.timezone != null) out.timezone = checkTimeZone(i.timezone, 'input.timezone');
  if (i.retentionDays != null) out.retentionDays = checkNonNegative(i.retentionDays, 'input.retentionDays');
  if (i.keepLastN != null) out.keepLastN = checkNonNegative(i.keepLastN, 'input.keepLastN');
  if (i.destinationId != null) out.destinationId = i.destinationId;
  return out;
}

/** `o` without its null and undefined fields (GraphQL's "not given" becomes the adapter's "absent"). */
export const withoutNulls = <T extends object>(o: T) => Object.fromEntries(Object.entries(o).filter(([, v]) => v != null)) as { [K in keyof T]?: NonNullable<T[K]> };
