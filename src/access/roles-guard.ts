/**
 * The one place every mutation passes before it runs: the caller's role against the role table
 * (`roles.ts`), then the audit trail. Wraps each Mutation resolver; a refused mutation never
 * reaches its resolver, so nothing goes upstream.
 */
import { GraphQLError, type GraphQLResolveInfo } from 'graphql';
import { GatewayError } from '../domain/errors.ts';
import { isUpstreamError, toGatewayError } from '../upstream/errors.ts';
import type { Caller } from './caller.ts';
import { AuditWriteError, type AuditTrail } from './audit.ts';
import { leastRoleFor, mayRun } from './roles.ts';

/** The context fields the guard reads. */
interface GuardContext {
  caller: Caller;
  upstream: { requestId: string };
}

type MutationFn = (parent: unknown, args: Record<string, unknown>, ctx: GuardContext, info: GraphQLResolveInfo) => unknown;

/** The code of the error a refused audit append becomes. */
export const AUDIT_UNAVAILABLE = 'AUDIT_UNAVAILABLE';

/** The ids a mutation's arguments name: every string under a key `id` or ending in `Id`, in `input` or at the top. */
export function targetIdsOf(args: Record<string, unknown>): string[] {
  const out: string[] = [];
  const scan = (o: unknown) => {
    if (!o || typeof o !== 'object') return;
    for (const [k, v] of Object.entries(o)) if ((k === 'id' || k.endsWith('Id')) && typeof v === 'string') out.push(v);
  };
  scan(args);
  scan(args.input);
  return out;
}

/** The `extensions.code` a failure reaches the client with (as `src/server/errors.ts` maps it). */
function outcomeOf(e: unknown): string {
  if (e instanceof GatewayError) return e.code;
  if (isUpstreamError(e)) return toGatewayError(e).code;
  const code = (e as GraphQLError | undefined)?.extensions?.code;
  return typeof code === 'string' ? code : 'INTERNAL_SERVER_ERROR';
}

/**
 * `resolvers` with each one guarded: refused with FORBIDDEN (and audited) when the caller's role is
 * below the table's entry or the mutation has none; otherwise audited write-ahead (`audit.persist`,
 * AUDIT_UNAVAILABLE when that fails), run, and logged with its outcome (`USER_ERROR` and the codes
 * when the payload answered `userErrors`).
 */
export function guardMutations<T extends object>(resolvers: T, audit: AuditTrail): T {
  const guarded: Record<string, MutationFn> = {};
  for (const [name, r] of Object.entries(resolvers as Record<string, MutationFn | { resolve: MutationFn }>)) {
    const resolver = typeof r === 'function' ? r : r.resolve;
    guarded[name] = async (parent, args, ctx, info) => {
      const { caller } = ctx;
      const base = { requestId: ctx.upstream.requestId, caller: { id: caller.id, kind: caller.kind, role: caller.role }, mutation: info.fieldName, targets: targetIdsOf(args) };
      if (!mayRun(caller.role, info.fieldName)) {
        const least = leastRoleFor(info.fieldName);
        const record = audit.stamp({ ...base, outcome: 'FORBIDDEN' });
        // Refused either way; the log line says when the file could not take the record.
        const written = await audit.persist(record).then(() => true, () => false);
        audit.log(written ? record : { ...record, unrecorded: true });
        throw new GatewayError('FORBIDDEN', least ? `${info.fieldName} needs the ${least} role; this caller is a ${caller.role}` : `${info.fieldName} is not in the role table: refused`);
      }
      try {
        await audit.persist(audit.stamp({ ...base, outcome: 'ALLOWED' }));
      } catch (e) {
        audit.log(audit.stamp({ ...base, outcome: AUDIT_UNAVAILABLE }));
        throw new GraphQLError(`${info.fieldName} was not run: ${e instanceof AuditWriteError ? e.message : 'the audit trail cannot be written'}`, { extensions: { code: AUDIT_UNAVAILABLE } });
      }
      try {
        const result = await resolver(parent, args, ctx, info);
        const userErrors = ((result as { userErrors?: { code: string }[] } | null)?.userErrors ?? []).map((u) => u.code);
        audit.log(audit.stamp({ ...base, ...(userErrors.length ? { outcome: 'USER_ERROR', userErrors } : { outcome: 'OK' }) }));
        return result;
      } catch (e) {
        audit.log(audit.stamp({ ...base, outcome: outcomeOf(e) }));
        throw e;
      }
    };
  }
  return guarded as T;
}
