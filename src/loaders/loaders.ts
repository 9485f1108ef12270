/**
 * Per-request DataLoaders built from the adapters: one loader per (provider, entity kind) that
 * dedupes and batches lookups by native id into the adapter's batch lookup. Models that lists
 * return are primed, so a nested lookup of something already listed costs nothing.
 */
import DataLoader from 'dataloader';
import { systemClock, type Clock } from '../domain/clock.ts';
import type { EntityKind, EntityModel, ModelOf, OrganizationModel, ResourceModel } from '../domain/models.ts';
import type { RequestContext, ResourceEvidence } from '../providers/contract/index.ts';
import type { ProviderSet } from '../providers/registry.ts';
import { unsupportedByProvider } from '../domain/errors.ts';

/** How far back protection evidence reads attempts (missed runs and the last attempts are counted within it). */
export const PROTECTION_EVIDENCE_WINDOW_MS = 10 * 86_400_000;
/** Resources one protection batch hands a provider at most. */
const PROTECTION_BATCH = 1000;

/** Options of {@link createLoaders}. */
export interface LoadersOptions {
  /** Where protection evidence reads "now" (its window ends there). @default the system clock */
  clock?: Clock;
}

/** Loaders of one request. */
export interface Loaders {
  /** Loads one entity by provider id and native id; null when it does not exist or the provider cannot look it up. */
  load<K extends EntityKind>(kind: K, providerId: string, nativeId: string): Promise<ModelOf[K] | null>;
  /** Makes later loads of this model free. */
  prime(kind: EntityKind, model: EntityModel): void;
  /** The provider's only organization (for providers whose records name none), once per request; null when it has none or several. */
  soleOrganization(providerId: string): Promise<OrganizationModel | null>;
  /**
   * The protection evidence of a resource its provider produced: every resource of one provider
   * asked in the same tick goes to the adapter in one batch, once per request. Rejects with that
   * resource's error (also when its provider has no protection capability: UNSUPPORTED_BY_PROVIDER).
   */
  protection(resource: ResourceModel): Promise<ResourceEvidence>;
}

/** Creates the loaders of one request. */
export function createLoaders(providers: ProviderSet, ctx: RequestContext, options: LoadersOptions = {}): Loaders {
  const { clock = systemClock } = options;
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
  const protectionLoaders = new Map<string, DataLoader<ResourceModel, ResourceEvidence, string>>();
  const protectionLoaderFor = (providerId: string) => {
    let l = protectionLoaders.get(providerId);
    if (!l) {
      l = new DataLoader<ResourceModel, ResourceEvidence, string>(
        async (resources) => {
          const protection = providers.get(providerId)?.protection;
          if (!protection) return resources.map(() => unsupportedByProvider(providerId, 'protection evidence'));
          return protection.evidence(resources, new Date(clock.now() - PROTECTION_EVIDENCE_WINDOW_MS), ctx);
        },
        { maxBatchSize: PROTECTION_BATCH, cacheKeyFn: (r) => r.nativeId },
      );
      protectionLoaders.set(providerId, l);
    }
    return l;
  };
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
    protection: (resource) => protectionLoaderFor(resource.provider.id).load(resource),
  };
}
