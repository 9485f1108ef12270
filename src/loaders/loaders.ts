/**
 * Per-request DataLoaders built from the adapters: one loader per (provider, entity kind) that
 * dedupes and batches lookups by native id into the adapter's batch lookup. Models that lists
 * return are primed, so a nested lookup of something already listed costs nothing.
 */
import DataLoader from 'dataloader';
import type { EntityKind, EntityModel, ModelOf, OrganizationModel } from '../domain/models.ts';
import type { RequestContext } from '../providers/contract/index.ts';
import type { ProviderSet } from '../providers/registry.ts';

/** Loaders of one request. */
export interface Loaders {
  /** Loads one entity by provider id and native id; null when it does not exist or the provider cannot look it up. */
  load<K extends EntityKind>(kind: K, providerId: string, nativeId: string): Promise<ModelOf[K] | null>;
  /** Makes later loads of this model free. */
  prime(kind: EntityKind, model: EntityModel): void;
  /** The provider's only organization (for providers whose records name none), once per request; null when it has none or several. */
  soleOrganization(providerId: string): Promise<OrganizationModel | null>;
}

/** Creates the loaders of one request. */
export function createLoaders(providers: ProviderSet, ctx: RequestContext): Loaders {
  const loaders = new Map<string, DataLoader<string, EntityModel | null>>();
  const loaderFor = (kind: EntityKind, providerId: string) => {
    const key = `${providerId}\u0000${kind}`;
    let l = loaders.get(key);
    if (!l) {
      const lookup = providers.get(providerId)?.lookups[kind];
      l = new DataLoader<string, EntityModel | null>(
        async (ids) => (lookup ? ((await lookup(ids, ctx)) as Array<EntityModel | null | Error>) : ids.map(() => null)),
        { maxBatchSize: 100 },
      );
      loaders.set(key, l);
    }
    return l;
  };
  const soleOrganizations = new Map<string, Promise<OrganizationModel | null>>();
  return {
    load: <K extends EntityKind>(kind: K, providerId: string, nativeId: string) =>
      loaderFor(kind, providerId).load(nativeId) as Promise<ModelOf[K] | null>,
    prime: (kind, model) => {
      loaderFor(kind, model.provider.id).prime(model.nativeId, model);
    },
    soleOrganization: (providerId) => {
      let p = soleOrganizations.get(providerId);
      if (!p) {
        const list = providers.get(providerId)?.lists.organization;
        p = list
          ? list({ after: null, limit: 2, filter: {} }, ctx).then((page) => (page.items.length === 1 ? page.items[0] : null))
          : Promise.resolve(null);
        soleOrganizations.set(providerId, p);
      }
      return p;
    },
  };
}
