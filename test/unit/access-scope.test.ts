import { describe, expect, it } from 'vitest';
import { OPEN_CALLER, type Caller } from '../../src/access/caller.ts';
import { createScope, parseScopedOrganization } from '../../src/access/scope.ts';
import { encodeGlobalId } from '../../src/domain/ids.ts';
import type { JobModel, OrganizationModel, ResourceModel } from '../../src/domain/models.ts';
import { organizationScopeOf, type PageRequest, type ProviderAdapter, type RequestContext } from '../../src/providers/contract/index.ts';
import type { ProviderSet } from '../../src/providers/registry.ts';
import { paginateAll, sourceOf, tctx } from '../utils/tupstream.ts';

const ORGS = ['o1', 'o2', 'o3', 'o4'];
/** Resources per organization: o3 has none (an empty organization between two others). */
const PER_ORG: Record<string, number> = { o1: 7, o2: 5, o3: 0, o4: 4 };

/** An in-memory multi-organization provider (like Bocada) that records every request it gets. */
function multiOrg(id: string) {
  const ref = { id, kind: 'bocada', name: id };
  const orgs: OrganizationModel[] = ORGS.map((o) => ({ typename: 'TestOrganization', provider: ref, nativeId: o, name: o, createdAt: null }));
  const resources: ResourceModel[] = ORGS.flatMap((o) => Array.from({ length: PER_ORG[o] }, (_, i) => ({
    typename: 'TestResource', provider: ref, nativeId: `${o}-r${i}`, name: `${o}-r${i}`, type: 'vm', organizationNativeId: o, createdAt: null,
  })));
  const requests: Array<{ what: string; organizationId?: string; scope?: readonly string[] }> = [];
  const acted: string[] = [];
  const adapter: ProviderAdapter = {
    ref,
    lists: {
      organization: async (req: PageRequest, ctx) => {
        requests.push({ what: 'organizations', organizationId: req.filter.organizationId, scope: organizationScopeOf(ctx) });
        const items = orgs.filter((o) => req.filter.organizationId === undefined || o.nativeId === req.filter.organizationId);
        return { items, next: null, total: items.length };
      },
      resource: async (req: PageRequest, ctx) => {
        requests.push({ what: 'resources', organizationId: req.filter.organizationId, scope: organizationScopeOf(ctx) });
        const all = resources.filter((r) => req.filter.organizationId === undefined || r.organizationNativeId === req.filter.organizationId);
        const start = req.after === null ? 0 : Number(req.after);
        const items = all.slice(start, start + Math.min(req.limit, 3));
        const end = start + items.length;
        return { items, next: end < all.length ? String(end) : null, total: all.length };
      },
    },
    lookups: {
      resource: async (ids, ctx) => {
        requests.push({ what: 'resource lookup', scope: organizationScopeOf(ctx) });
        return ids.map((i) => resources.find((r) => r.nativeId === i) ?? null);
      },
      organization: async (ids) => ids.map((i) => orgs.find((o) => o.nativeId === i) ?? null),
    },
    actions: {
      triggerBackup: async (input, ctx) => {
        acted.push(`${input.resourceNativeId} scope=${organizationScopeOf(ctx)?.join(',') ?? 'none'}`);
        return { job: null, backup: null, progress: { kind: 'job', nativeId: 'j1' } };
      },
      cronPresets: async () => [{ cron: '0 * * * *', label: 'hourly' }],
    },
    health: async () => ({ status: 'UP', latencyMs: 0, message: null }),
    close: async () => {},
  };
  return { adapter, requests, acted, resources };
}

/** An in-memory one-organization provider (like Norcube) whose jobs name no organization. */
function singleOrg(id: string, organization: string) {
  const ref = { id, kind: 'norcube', name: id };
  const job: JobModel = {
    typename: 'TestJob', provider: ref, nativeId: 'j1', name: null, operation: 'backup', status: 'SUCCEEDED', providerStatus: null,
    organizationNativeId: null, resourceNativeId: null, backupNativeId: null, bytesTransferred: null, createdAt: null, startedAt: null, endedAt: null, failureReason: null,
  };
  const adapter: ProviderAdapter = {
    ref,
    lists: {
      organization: async (req) => {
        const mine = req.filter.organizationId === undefined || req.filter.organizationId === organization;
        return { items: mine ? [{ typename: 'TestOrganization', provider: ref, nativeId: organization, name: id, createdAt: null }] : [], next: null, total: mine ? 1 : 0 };
      },
    },
    lookups: { job: async (ids) => ids.map((i) => (i === 'j1' ? job : null)) },
    actions: { cronPresets: async () => [{ cron: '0 0 * * *', label: 'daily' }] },
    health: async () => ({ status: 'UP', latencyMs: 0, message: null }),
    close: async () => {},
  };
  return { adapter };
}

function setOf(...adapters: ProviderAdapter[]): ProviderSet {
  return { list: adapters, get: (id) => adapters.find((a) => a.ref.id === id), close: async () => {} };
}
const caller = (c: Partial<Caller>): Caller => ({ id: 'k', kind: 'api-key', role: 'reader', providers: null, organizations: null, ...c });
const ids = (xs: Array<{ nativeId: string } | null | Error>) => xs.map((x) => (x && !(x instanceof Error) ? x.nativeId : x));

describe('parseScopedOrganization', () => {
  it('reads "<provider>/<native id>" and Organization global ids alike', () => {
    expect(parseScopedOrganization('bocada-eu/org-1')).toEqual({ providerId: 'bocada-eu', nativeId: 'org-1' });
    expect(parseScopedOrganization(encodeGlobalId('bocada-eu', 'organization', 'org-1'))).toEqual({ providerId: 'bocada-eu', nativeId: 'org-1' });
  });

  it.each(['', 'bocada', '/org', 'bocada/', encodeGlobalId('bocada', 'resource', 'r1')])('refuses %j', (entry) => {
    expect(() => parseScopedOrganization(entry)).toThrow(/neither/);
  });
});

describe('createScope', () => {
  it('leaves the provider set as it is for a caller limited to nothing', () => {
    const set = setOf(multiOrg('b').adapter);
    const scope = createScope(OPEN_CALLER, set);
    expect(scope.providers).toBe(set);
    expect(scope.unrestricted).toBe(true);
    expect(scope.organizationIds).toBeNull();
  });

  it('hides providers outside `providers`, and every provider no organization entry names', () => {
    const set = setOf(multiOrg('b').adapter, singleOrg('n', 'org-n').adapter, singleOrg('o', 'org-o').adapter);
    expect(createScope(caller({ providers: ['n', 'o', 'nope'] }), set).providers.list.map((a) => a.ref.id)).toEqual(['n', 'o']);
    const scope = createScope(caller({ organizations: ['b/o2', encodeGlobalId('b', 'organization', 'o1'), 'b/o2', 'ghost/x', 'garbage'] }), set);
    expect(scope.providers.list.map((a) => a.ref.id)).toEqual(['b']);
    expect(scope.providers.get('n')).toBeUndefined();
    expect(scope.sees('n')).toBe(false);
    // Normalised once: deduped, both spellings, only configured providers, as global ids.
    expect(scope.organizationsAt('b')).toEqual(['o2', 'o1']);
    expect(scope.organizationIds).toEqual([encodeGlobalId('b', 'organization', 'o2'), encodeGlobalId('b', 'organization', 'o1')]);
    // Both limits together: an organization of a provider outside `providers` grants nothing.
    expect(createScope(caller({ providers: ['n'], organizations: ['b/o1'] }), set).providers.list).toEqual([]);
  });
});

describe('scoped lists', () => {
  it('pushes one organization down as the list filter and counts only it', async () => {
    const p = multiOrg('b');
    const scoped = createScope(caller({ organizations: ['b/o2'] }), setOf(p.adapter)).providers.get('b')!;
    const { items, pages } = await paginateAll('resource', [sourceOf(scoped, 'resource', {}, tctx())], 2);
    expect(items.map((r) => r.nativeId)).toEqual(p.resources.filter((r) => r.organizationNativeId === 'o2').map((r) => r.nativeId));
    expect(pages[0].totals.get('b')).toBe(PER_ORG.o2);
    expect(p.requests.every((r) => r.organizationId === 'o2' && r.scope?.join() === 'o2')).toBe(true);
  });

  it('reads several organizations one after another, skipping empty ones, every item once', async () => {
    const p = multiOrg('b');
    const scoped = createScope(caller({ organizations: ['b/o4', 'b/o3', 'b/o1'] }), setOf(p.adapter)).providers.get('b')!;
    for (const first of [1, 2, 5, 100]) {
      const { items, pages } = await paginateAll('resource', [sourceOf(scoped, 'resource', {}, tctx())], first);
      const expected = ['o4', 'o1'].flatMap((o) => p.resources.filter((r) => r.organizationNativeId === o).map((r) => r.nativeId));
      expect(items.map((r) => r.nativeId), `first=${first}`).toEqual(expected);
      expect(pages[0].totals.get('b')).toBe(PER_ORG.o4 + PER_ORG.o1);
    }
    expect(new Set(p.requests.map((r) => r.organizationId))).toEqual(new Set(['o4', 'o3', 'o1']));
  });

  it('answers an organization filter outside the scope with an empty page, without asking the provider', async () => {
    const p = multiOrg('b');
    const scoped = createScope(caller({ organizations: ['b/o1'] }), setOf(p.adapter)).providers.get('b')!;
    expect(await scoped.lists.resource!({ after: null, limit: 10, filter: { organizationId: 'o2' } }, tctx())).toEqual({ items: [], next: null, total: 0 });
    expect(p.requests).toEqual([]);
    const own = await scoped.lists.resource!({ after: null, limit: 10, filter: { organizationId: 'o1' } }, tctx());
    expect(own.items).toHaveLength(3);
  });

  it('narrows the organization list to the scope', async () => {
    const p = multiOrg('b');
    const scoped = createScope(caller({ organizations: ['b/o3', 'b/o1'] }), setOf(p.adapter)).providers.get('b')!;
    const { items } = await paginateAll('organization', [sourceOf(scoped, 'organization', {}, tctx())], 10);
    expect(items.map((o) => o.nativeId)).toEqual(['o3', 'o1']);
  });

  it('refuses a resume token it did not issue', async () => {
    const scoped = createScope(caller({ organizations: ['b/o1', 'b/o2'] }), setOf(multiOrg('b').adapter)).providers.get('b')!;
    for (const after of ['3', 's1:9:', 'x']) {
      await expect(scoped.lists.resource!({ after, limit: 5, filter: {} }, tctx())).rejects.toMatchObject({ code: 'BAD_USER_INPUT' });
    }
  });
});

describe('scoped lookups and actions', () => {
  it('answers null for another organization\'s records, and carries the scope to the adapter', async () => {
    const p = multiOrg('b');
    const scoped = createScope(caller({ organizations: ['b/o1'] }), setOf(p.adapter)).providers.get('b')!;
    expect(ids(await scoped.lookups.resource!(['o1-r0', 'o2-r0', 'nope'], tctx()))).toEqual(['o1-r0', null, null]);
    expect(ids(await scoped.lookups.organization!(['o1', 'o2'], tctx()))).toEqual(['o1', null]);
    expect(p.requests.at(-1)).toEqual({ what: 'resource lookup', scope: ['o1'] });
  });

  it('judges records that name no organization by the provider\'s only one', async () => {
    const n = singleOrg('n', 'org-n');
    const mine = createScope(caller({ organizations: ['n/org-n'] }), setOf(n.adapter)).providers.get('n')!;
    const other = createScope(caller({ organizations: ['n/someone-else'] }), setOf(n.adapter)).providers.get('n')!;
    expect(ids(await mine.lookups.job!(['j1'], tctx()))).toEqual(['j1']);
    expect(ids(await other.lookups.job!(['j1'], tctx()))).toEqual([null]);
    expect(await mine.actions!.cronPresets!(tctx())).toHaveLength(1);
    await expect(other.actions!.cronPresets!(tctx())).rejects.toMatchObject({ code: 'NOT_FOUND' });
  });

  it('refuses an action on a hidden or missing target with the same NOT_FOUND, before the provider acts', async () => {
    const p = multiOrg('b');
    const scoped = createScope(caller({ organizations: ['b/o1'] }), setOf(p.adapter)).providers.get('b')!;
    const hidden = await scoped.actions!.triggerBackup!({ resourceNativeId: 'o2-r0' }, tctx()).catch((e) => e);
    const missing = await scoped.actions!.triggerBackup!({ resourceNativeId: 'o1-nope' }, tctx()).catch((e) => e);
    expect(hidden).toMatchObject({ code: 'NOT_FOUND' });
    expect({ code: missing.code, message: missing.message }).toEqual({ code: hidden.code, message: hidden.message });
    expect(p.acted).toEqual([]);
    const ctx: RequestContext = tctx();
    await scoped.actions!.triggerBackup!({ resourceNativeId: 'o1-r1' }, ctx);
    expect(p.acted).toEqual(['o1-r1 scope=o1']);
    // The multi-organization provider has no single organization: provider-wide actions are refused.
    await expect(scoped.actions!.cronPresets!(ctx)).rejects.toMatchObject({ code: 'NOT_FOUND' });
  });
});
