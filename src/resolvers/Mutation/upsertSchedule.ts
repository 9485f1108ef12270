/**
 * `Mutation.upsertSchedule`: creates or updates the backup schedule of a resource.
 */
import { decodeGlobalIdOf } from '../../domain/ids.ts';
import { checkCron, checkNonNegative, checkRetention, checkTimeZone } from '../../domain/validation.ts';
import { actionOf, once, withoutNulls } from '../_shared/actions.ts';
import { mutationPayload } from '../_shared/user-errors.ts';

/** Resolves `Mutation.upsertSchedule`: the schedule as the provider has it now; fields left out keep their value. */
export const upsertSchedule = mutationPayload<'upsertSchedule'>(async (_p, { input }, ctx) => {
  const r = decodeGlobalIdOf(input.resourceId, 'resource', 'input.resourceId');
  const { retention, resourceId: _r, idempotencyKey: _k, ...fields } = input;
  if (fields.dbCron) checkCron(fields.dbCron, 'input.dbCron');
  if (fields.fullCron) checkCron(fields.fullCron, 'input.fullCron');
  if (fields.timezone != null) checkTimeZone(fields.timezone, 'input.timezone');
  if (fields.walRetentionDays != null) checkNonNegative(fields.walRetentionDays, 'input.walRetentionDays');
  if (retention) checkRetention(retention, 'input.retention');
  const act = actionOf(ctx, r.providerId, 'upsertSchedule', 'managing schedules');
  const schedule = await once(ctx, 'upsertSchedule', input, () =>
    act(r.nativeId, { ...withoutNulls(fields), ...withoutNulls(retention ?? {}) }, ctx.upstream),
  );
  return { schedule };
});
