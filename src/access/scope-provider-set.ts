/**
 * The per-request view of the provider set for a limited caller: hidden provider instances are
 * absent (`get` answers undefined, `list` leaves them out), and each visible adapter is wrapped so
 * that its lists are filtered upstream to the caller's organizations, its lookups answer null for
 * records of other organizations, and its actions answer NOT_FOUND for targets the caller cannot
 * see (the same answer as for an id that does not exist). Progress, health and provider-specific
 * fields pass through: they are reached only from something already visible.
 */
import { GatewayError } from '../domain/errors.ts';
import type { EntityKind, EntityModel } from '../domain/models.ts';
import { withOrganizationScope, type ProviderActions, type ProviderAdapter, type ProviderFieldResolvers, type ProviderLists, type ProviderLookups } from '../providers/contract/index.ts';
import type { ProviderSet } from '../providers/registry.ts';
import { PromiseMemo, perRequest, type RequestContext } from '../upstream/request-context.ts';
import { inAllowedOrganization, scopedList, type AdapterList } from './scope-lists.ts';

/** What an action acts on: entities by kind and native id, or the provider as a whole (policies, presets). */
type Target = { kind: EntityKind; nativeId: string } | 'provider';
type ActionTargets = { [A in keyof ProviderActions]-?: (...args: Parameters<NonNullable<ProviderActions[A]>>) => Target[] };

/** The targets of every action, read from its arguments: what must be visible before it runs. */
const ACTION_TARGETS: ActionTargets = {
  triggerBackup: (i) => [{ kind: 'resource', nativeId: i.resourceNativeId }],
  restoreBackup: (i) => [
    { kind: 'backup', nativeId: i.backupNativeId },
    ...(i.targetResourceNativeId ? [{ kind: 'resource' as const, nativeId: i.targetResourceNativeId }] : []),
  ],
  deleteBackup: (id) => [{ kind: 'backup', nativeId: id }],
  verifyBackup: (id) => [{ kind: 'backup', nativeId: id }],
  createDownloadLink: (id) => [{ kind: 'backup', nativeId: id }],
  dismissAlert: (id) => [{ kind: 'alert', nativeId: id }],
  markAlertRead: (id) => [{ kind: 'alert', nativeId: id }],
  upsertSchedule: (id) => [{ kind: 'resource', nativeId: id }],
  retentionPreview: (id) => [{ kind: 'resource', nativeId: id }],
  attachPolicy: (id) => [{ kind: 'resource', nativeId: id }],
  detachPolicy: (id) => [{ kind: 'resource', nativeId: id }],
  setPolicyEnabled: (id) => [{ kind: 'resource', nativeId: id }],
  cronPresets: () => ['provider'],
  createPolicy: () => ['provider'],
  updatePolicy: () => ['provider'],
};

/** The NOT_FOUND of a target the caller cannot see, worded as for one that does not exist. */
const notFound = (kind: EntityKind | 'provider', provider: string) =>
  new GatewayError('NOT_FOUND', kind === 'provider' ? `nothing to act on at provider "${provider}"` : `no ${kind} with this id at provider "${provider}"`, { provider });

/**
 * Wraps `adapter` for a caller limited to the organizations `allowed` (native ids) of it. Records
 * that name no organization belong to the provider's only organization; it is read once per
 * request (a one-record list) and must be among `allowed`.
 */
export function scopeAdapter(adapter: ProviderAdapter, allowed: readonly string[]): ProviderAdapter {
  const id = adapter.ref.id;
  // Every call into the adapter carries the scope as a hint (one derived context per request), so
  // a lookup that would read a whole collection can read only these organizations' part of it.
  const hinted = perRequest((ctx: RequestContext) => withOrganizationScope(ctx, allowed));
  /** Whether the provider's only organization is among `allowed`: read once per request (a failed read is forgotten, so a later check retries). */
  const session = perRequest(() => new PromiseMemo());
  const soleVisible = (ctx: RequestContext): Promise<boolean> =>
    session(ctx).get('sole-organization', async () => {
      const list = adapter.lists.organization;
      if (!list) return false;
      const page = await list({ after: null, limit: 2, filter: {} }, hinted(ctx));
      return page.items.length === 1 && allowed.includes(page.items[0].nativeId);
    });
  const visibleModel = async (kind: EntityKind, m: EntityModel, ctx: RequestContext): Promise<boolean> => {
    if (kind !== 'organization' && typeof m.organizationNativeId !== 'string') return soleVisible(ctx);
    return inAllowedOrganization(kind, m, allowed);
  };

  const lists: ProviderLists = {};
  for (const kind of Object.keys(adapter.lists) as EntityKind[]) {
    const list = adapter.lists[kind] as AdapterList<EntityModel> | undefined;
    if (list) (lists as Record<string, unknown>)[kind] = scopedList(kind, (req, ctx) => list(req, hinted(ctx)), allowed);
  }

  const lookups: ProviderLookups = {};
  for (const kind of Object.keys(adapter.lookups) as EntityKind[]) {
    const lookup = adapter.lookups[kind] as ((ids: readonly string[], ctx: RequestContext) => Promise<Array<EntityModel | null | Error>>) | undefined;
    if (!lookup) continue;
    (lookups as Record<string, unknown>)[kind] = async (ids: readonly string[], ctx: RequestContext) => {
      const found = await lookup(ids, hinted(ctx));
      return Promise.all(found.map(async (m) => {
        if (m === null || m instanceof Error) return m;
        try {
          return (await visibleModel(kind, m, ctx)) ? m : null;
        } catch (e) {
          return e instanceof Error ? e : new Error(String(e));
        }
      }));
    };
  }

  /** Throws NOT_FOUND unless every target is visible; an upstream failure while checking is thrown as it is. */
  const checkTargets = async (targets: Target[], ctx: RequestContext) => {
    for (const t of targets) {
      if (t === 'provider') {
        if (!(await soleVisible(ctx))) throw notFound('provider', id);
        continue;
      }
      const lookup = adapter.lookups[t.kind] as ((ids: readonly string[], ctx: RequestContext) => Promise<Array<EntityModel | null | Error>>) | undefined;
      if (!lookup) {
        if (!(await soleVisible(ctx))) throw notFound(t.kind, id);
        continue;
      }
      const [m] = await lookup([t.nativeId], hinted(ctx));
      if (m instanceof Error) throw m;
      if (!m || !(await visibleModel(t.kind, m, ctx))) throw notFound(t.kind, id);
    }
  };

  let actions: ProviderActions | undefined;
  if (adapter.actions) {
    const raw = adapter.actions;
    actions = {};
    for (const name of Object.keys(raw) as (keyof ProviderActions)[]) {
      const act = raw[name] as ((...args: unknown[]) => Promise<unknown>) | undefined;
      const targetsOf = ACTION_TARGETS[name] as ((...args: unknown[]) => Target[]) | undefined;
      if (!act) continue;
      (actions as Record<string, unknown>)[name] = async (...args: unknown[]) => {
        // The request context is always the last argument; an action this table does not know is refused (fail closed).
        const ctx = args[args.length - 1] as RequestContext;
        if (!targetsOf) throw notFound('provider', id);
        await checkTargets(targetsOf(...args), ctx);
        return act.apply(raw, [...args.slice(0, -1), hinted(ctx)]);
      };
    }
  }

  let fieldResolvers: ProviderFieldResolvers | undefined;
  if (adapter.fieldResolvers) {
    fieldResolvers = Object.fromEntries(Object.entries(adapter.fieldResolvers).map(([type, fields]) => [
      type,
      Object.fromEntries(Object.entries(fields).map(([field, fn]) => [field, (m: unknown, args: Record<string, unknown>, ctx: RequestContext) => fn(m, args, hinted(ctx))])),
    ]));
  }

  return { ...adapter, lists, lookups, ...(actions ? { actions } : {}), ...(fieldResolvers ? { fieldResolvers } : {}) };
}

/**
 * The provider set as one limited caller sees it: only the instances in `visible` (config order
 * kept), each narrowed to `organizationsAt(id)` when that is not null. `close` does nothing: the
 * view belongs to one request, the adapters to the gateway.
 */
export function createScopedProviderSet(
  providers: ProviderSet,
  visible: ReadonlySet<string>,
  organizationsAt: (providerId: string) => readonly string[] | null,
): ProviderSet {
  const list = providers.list
    .filter((a) => visible.has(a.ref.id))
    .map((a) => {
      const allowed = organizationsAt(a.ref.id);
      return allowed === null ? a : scopeAdapter(a, allowed);
    });
  const byId = new Map(list.map((a) => [a.ref.id, a]));
  return { list, get: (id) => byId.get(id), close: async () => undefined };
}
