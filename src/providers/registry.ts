/**
 * Provider kinds -> their registry entries; and the set of configured provider instances.
 * Adding a provider: its folder under `src/providers/`, one line here (and one in
 * `src/simulators/registry.ts` for its simulator).
 */
import type { ProviderAdapter, ProviderAdapterOptions, ProviderKindEntry } from './contract/index.ts';
import { bocadaProvider } from './bocada/index.ts';
import { bycloudProvider } from './bycloud/index.ts';
import { norcubeProvider } from './norcube/index.ts';
import { ocoreProvider } from './ocore/index.ts';

/** Provider kind (config `kind:`) -> entry. */
export type ProviderRegistry = Readonly<Record<string, ProviderKindEntry>>;

/** Every provider kind this build knows, in the order the embedded simulators start. */
export const PROVIDERS: ProviderRegistry = {
  bocada: bocadaProvider,
  norcube: norcubeProvider,
  bycloud: bycloudProvider,
  ocore: ocoreProvider,
};

/** The provider kinds this build knows. */
export const PROVIDER_KINDS = Object.keys(PROVIDERS);

/** The configured provider instances, in config order. */
export interface ProviderSet {
  readonly list: readonly ProviderAdapter[];
  get(id: string): ProviderAdapter | undefined;
  close(): Promise<void>;
}

/** Builds one adapter per configured instance, from `registry` (a kind it lacks is an error). */
export function createProviderSet(instances: readonly ProviderAdapterOptions[], registry: ProviderRegistry = PROVIDERS): ProviderSet {
  const list = instances.map((o) => {
    const entry = registry[o.ref.kind];
    if (!entry) throw new Error(`unknown provider kind "${o.ref.kind}"`);
    return entry.createAdapter(o);
  });
  const byId = new Map(list.map((a) => [a.ref.id, a]));
  return {
    list,
    get: (id) => byId.get(id),
    close: async () => {
      await Promise.allSettled(list.map((a) => a.close()));
    },
  };
}
