/**
 * The organizations a request is limited to, as a hint an adapter may read from the request
 * context: a lookup that would read a whole collection (Bocada's resources, its organizations) can
 * read only these organizations' part instead. The gateway filters what adapters answer anyway;
 * the hint only keeps other tenants' records from being fetched at all.
 */
import type { RequestContext } from '../../upstream/request-context.ts';

const scopes = new WeakMap<RequestContext, readonly string[]>();

/**
 * A request context like `ctx` that carries `organizations` (native ids of one provider) as its
 * scope. Call it once per request and provider and reuse the result: adapters key per-request
 * state on the context object.
 */
export function withOrganizationScope(ctx: RequestContext, organizations: readonly string[]): RequestContext {
  const scoped: RequestContext = { ...ctx };
  scopes.set(scoped, organizations);
  return scoped;
}

/** The native organization ids `ctx` is limited to, or undefined when it sees every organization. */
export function organizationScopeOf(ctx: RequestContext): readonly string[] | undefined {
  return scopes.get(ctx);
}
