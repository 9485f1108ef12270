/**
 * Per-request DataLoaders built from the adapters: one loader per (provider, entity kind) that
 * dedupes and batches lookups by native id into the adapter's batch lookup. Models that lists
 * return are primed, so a nested lookup of something already listed costs nothing.
 */
import DataLoader from 'dataloader';
import type { EntityKind, EntityModel, ModelOf } from '../domain/models.ts';
import type { RequestContext } from '../providers/provider.ts';
import type { ProviderSet } from '../providers/registry.ts';

/** Loaders of one request. */
export interface Loaders {
  /** Loads one entity by provider id and native id; null when it does not exist or the provider cannot look it up. */
  load<K extends EntityKind>(kind: K, providerId: string, nativeId: string): Promise<ModelOf[K] | null>;
  /** Makes later loads of this model free. */
  prime(kind: EntityKind, model: EntityModel): void;
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
  return {
    load: (kind, providerId, nativeId) => loaderFor(kind, providerId).load(nativeId) as never,
    prime: (kind, model) => {
      loaderFor(kind, model.provider.id).prime(model.nativeId, model);
    },
  };
}
