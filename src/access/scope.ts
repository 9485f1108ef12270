/**
 * Tenant scope: which providers and organizations one caller may see, computed once per request
 * from its {@link Caller}, and the per-request view of the provider set that enforces it. Every
 * path reads through that view (lists, totals, `node`/`nodes`, nested fields, mutations,
 * subscriptions, `providers`), so what a caller may not see does not exist for it.
 *
 * Rules:
 * - `caller.providers` (null = all) names the provider instances the caller sees.
 * - `caller.organizations` (null = all), when given, is the complete list of organizations: a
 *   provider that none of them names is not visible at all (a key limited to one Bocada
 *   organization sees nothing of the other providers unless their organization is listed too).
 * - Both limits apply together; an entry naming a provider that is not configured grants nothing.
 */
import { decodeGlobalIdOf, encodeGlobalId } from '../domain/ids.ts';
import type { ProviderSet } from '../providers/registry.ts';
import type { Caller } from './caller.ts';
import { createScopedProviderSet } from './scope-provider-set.ts';

/** One organization a caller may see, as a provider instance id and that provider's native id. */
export interface ScopedOrganization {
  providerId: string;
  nativeId: string;
}

/** What one caller may see, for one request. */
export interface Scope {
  readonly caller: Caller;
  /** True when the caller sees every provider and every organization (no view is built). */
  readonly unrestricted: boolean;
  /**
   * The providers as this caller sees them: hidden instances are absent, and the visible ones'
   * lists, lookups and actions are narrowed to the caller's organizations. The same object as the
   * gateway's set when {@link unrestricted}.
   */
  readonly providers: ProviderSet;
  /** Native ids of the organizations the caller may see at `providerId`; null when it may see all of them (or the provider is hidden: check {@link sees}). */
  organizationsAt(providerId: string): readonly string[] | null;
  /** Whether the caller sees provider `providerId` at all (configured and in scope). */
  sees(providerId: string): boolean;
  /** Global ids of the organizations the caller is limited to, in the caller's order, only those of visible providers; null when not limited. */
  readonly organizationIds: readonly string[] | null;
}

/**
 * Reads one `organizations` entry: `<provider id>/<native organization id>` or an Organization
 * global id. Throws an Error saying why when it is neither (config validation can call this at
 * start-up; at request time an unreadable entry grants nothing).
 */
export function parseScopedOrganization(entry: string): ScopedOrganization {
  const slash = entry.indexOf('/');
  if (slash > 0 && slash < entry.length - 1) return { providerId: entry.slice(0, slash), nativeId: entry.slice(slash + 1) };
  try {
    const d = decodeGlobalIdOf(entry, 'organization', 'organizations');
    return { providerId: d.providerId, nativeId: d.nativeId };
  } catch {
    throw new Error(`"${entry.slice(0, 80)}" is neither "<provider id>/<native organization id>" nor an Organization global id`);
  }
}

/** The scope of `caller` over `providers` (the gateway's whole set). Cheap when the caller is unrestricted. */
export function createScope(caller: Caller, providers: ProviderSet): Scope {
  if (caller.providers === null && caller.organizations === null) {
    return {
      caller,
      unrestricted: true,
      providers,
      organizationsAt: () => null,
      sees: (id) => providers.get(id) !== undefined,
      organizationIds: null,
    };
  }
  // Normalised once: per provider, the native organization ids in the caller's order, deduped.
  let byProvider: Map<string, string[]> | null = null;
  if (caller.organizations !== null) {
    byProvider = new Map();
    for (const entry of caller.organizations) {
      let o: ScopedOrganization;
      try {
        o = parseScopedOrganization(entry);
      } catch {
        continue; // fail closed: an unreadable entry grants nothing
      }
      const list = byProvider.get(o.providerId) ?? [];
      if (!list.includes(o.nativeId)) list.push(o.nativeId);
      byProvider.set(o.providerId, list);
    }
  }
  const allowedProviders = caller.providers === null ? null : new Set(caller.providers);
  const visible = new Set(
    providers.list
      .map((a) => a.ref.id)
      .filter((id) => (allowedProviders === null || allowedProviders.has(id)) && (byProvider === null || byProvider.has(id))),
  );
  const organizationsAt = (id: string): readonly string[] | null => (byProvider === null ? null : byProvider.get(id) ?? null);
  const organizationIds = byProvider === null
    ? null
    : [...byProvider].filter(([id]) => visible.has(id)).flatMap(([id, natives]) => natives.map((n) => encodeGlobalId(id, 'organization', n)));
  return {
    caller,
    unrestricted: false,
    providers: createScopedProviderSet(providers, visible, organizationsAt),
    organizationsAt: (id) => (visible.has(id) ? organizationsAt(id) : null),
    sees: (id) => visible.has(id),
    organizationIds,
  };
}
