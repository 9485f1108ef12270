/**
 * Mutations that fail alone: an EXPECTED failure (bad input, a target that is not there, an action
 * the provider cannot do, the provider's refusal) is the payload's `userErrors`, with the payload's
 * data fields null and no top-level error; anything else (the provider down or rate limited, a
 * budget spent, a bug) is thrown and stays a top-level error with its code. Every Mutation
 * resolver is one {@link mutationPayload}; this file is the one table of what is expected.
 */
import type { GraphQLResolveInfo } from 'graphql';
import { GatewayError } from '../../domain/errors.ts';
import type { MutationResolvers, UserError, UserErrorCode } from '../../generated/graphql.ts';
import type { GatewayContext } from '../../server/context.ts';
import { ProviderHttpError, toGatewayError } from '../../upstream/errors.ts';

/** The gateway's own codes that are a user error wherever a mutation meets them. */
const EXPECTED_CODES: ReadonlySet<string> = new Set<UserErrorCode>(['BAD_USER_INPUT', 'NOT_FOUND', 'UNSUPPORTED_BY_PROVIDER']);
/** The HTTP answers by which a provider refuses a request as asked (its message says why). */
const REFUSAL_STATUSES: readonly number[] = [400, 409, 422];

/** A mutation step whose outcome is already known to be user errors (an action's refusal, also when replayed by its idempotency key). */
export class MutationRefused extends Error {
  constructor(readonly userErrors: UserError[]) {
    super(userErrors.map((u) => u.message).join('; '));
    this.name = 'MutationRefused';
  }
}

/** `"input.retention.retainDaily"` -> `["input", "retention", "retainDaily"]` (an index `[0]` becomes its own `"0"`). */
export function fieldPath(field: unknown): string[] | null {
  if (typeof field !== 'string' || field === '') return null;
  return field.split(/\.|\[(\d+)\]/).filter((p): p is string => p !== undefined && p !== '');
}

function userError(code: UserErrorCode, e: GatewayError): UserError {
  const provider = e.extensions.provider;
  return { code, field: fieldPath(e.extensions.field), message: e.message, provider: typeof provider === 'string' ? provider : null };
}

/**
 * The user errors `e` stands for when a mutation's resolver throws it, or null when `e` is
 * unexpected (then it stays a top-level error): a {@link MutationRefused}'s own, or one for a
 * gateway error coded BAD_USER_INPUT, NOT_FOUND or UNSUPPORTED_BY_PROVIDER.
 */
export function toUserErrors(e: unknown): UserError[] | null {
  if (e instanceof MutationRefused) return e.userErrors;
  if (e instanceof GatewayError && EXPECTED_CODES.has(e.code)) return [userError(e.code as UserErrorCode, e)];
  return null;
}

/**
 * The user errors a provider's action failing with `e` stands for, read where it failed (before any
 * store turns the failure into a coded copy), or null when `e` is unexpected: HTTP 400/409/422 is
 * REFUSED_BY_PROVIDER with the provider's own message, 404 NOT_FOUND, 501 UNSUPPORTED_BY_PROVIDER;
 * an adapter's own `UPSTREAM_ERROR` (a refusal it read in a 2xx answer, e.g. Norcube's `ok: false`)
 * is REFUSED_BY_PROVIDER; otherwise as {@link toUserErrors}. Transport failures, unusable bodies,
 * 401/403/429/5xx and spent budgets are unexpected.
 */
export function refusalOf(e: unknown): UserError[] | null {
  if (e instanceof ProviderHttpError) {
    const g = toGatewayError(e, { exposeProviderMessage: true });
    if (REFUSAL_STATUSES.includes(e.status)) return [userError('REFUSED_BY_PROVIDER', g)];
    return g.code === 'NOT_FOUND' || g.code === 'UNSUPPORTED_BY_PROVIDER' ? [userError(g.code, g)] : null;
  }
  if (e instanceof GatewayError && e.code === 'UPSTREAM_ERROR') {
    const status = e.extensions.httpStatus;
    return status === undefined || REFUSAL_STATUSES.includes(status as number) ? [userError('REFUSED_BY_PROVIDER', e)] : null;
  }
  return toUserErrors(e);
}

type MutationResolverFn<K extends keyof MutationResolvers> = Extract<NonNullable<MutationResolvers[K]>, (...args: never[]) => unknown>;
/** The arguments of Mutation field `K`. */
type MutationArgs<K extends keyof MutationResolvers> = Parameters<MutationResolverFn<K>>[1];
/** What a mutation's steps answer when the action happened: its payload without `userErrors`. */
type MutationData<K extends keyof MutationResolvers> = Omit<NonNullable<Awaited<ReturnType<MutationResolverFn<K>>>>, 'userErrors'>;
/** The steps of Mutation field `K`. */
type MutationSteps<K extends keyof MutationResolvers> = (parent: unknown, args: MutationArgs<K>, ctx: GatewayContext, info: GraphQLResolveInfo) => Promise<MutationData<K>>;

/**
 * The resolver of Mutation field `K` from `run`, its steps: what `run` answers with `userErrors: []`,
 * or, when `run` throws an expected failure ({@link toUserErrors}), `userErrors` alone (the data
 * fields resolve to null). An unexpected failure is thrown as it is.
 */
export function mutationPayload<K extends keyof MutationResolvers>(run: MutationSteps<K>): MutationResolverFn<K> {
  const resolve = async (parent: unknown, args: MutationArgs<K>, ctx: GatewayContext, info: GraphQLResolveInfo) => {
    try {
      return { ...(await run(parent, args, ctx, info)), userErrors: [] };
    } catch (e) {
      const userErrors = toUserErrors(e);
      if (!userErrors) throw e;
      return { userErrors };
    }
  };
  return resolve as unknown as MutationResolverFn<K>;
}
