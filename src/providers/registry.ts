/**
 * Provider kinds -> adapter factory, simulator and credential key; and the set of configured
 * provider instances. Adding a provider: one entry in `PROVIDERS`.
 */
import type { ProviderKind } from '../domain/models.ts';
import type { SeededSimulator, SimDataOptions, SimulatorOptions } from '../simulator/kit.ts';
import type { ProviderAdapter, ProviderAdapterFactory, ProviderAdapterOptions } from './provider.ts';
import { createBocadaAdapter } from './bocada/index.ts';
import { startBocadaSimulator } from './bocada/simulator.ts';
import { createNorcubeAdapter } from './norcube/index.ts';
import { startNorcubeSimulator } from './norcube/simulator.ts';
import { createBycloudAdapter } from './bycloud/index.ts';
import { startBycloudSimulator } from './bycloud/simulator.ts';
import { createOcoreAdapter } from './ocore/index.ts';
import { startOcoreSimulator } from './ocore/simulator.ts';

/** What the gateway needs to know of a provider kind. */
export interface ProviderKindEntry {
  /** Builds the adapter of one configured instance. */
  createAdapter: ProviderAdapterFactory;
  /** Starts the built-in simulator of this provider. */
  startSimulator: (options?: SimulatorOptions & SimDataOptions) => Promise<SeededSimulator>;
  /** The config key of the credential under `auth:`. */
  secretKey: 'apiKey' | 'token';
  /** Display name used when the config gives none. */
  displayName: string;
}

/** Every provider kind this build knows, in the order the embedded simulators start. */
export const PROVIDERS: Record<ProviderKind, ProviderKindEntry> = {
  bocada: { createAdapter: createBocadaAdapter, startSimulator: startBocadaSimulator, secretKey: 'apiKey', displayName: 'Bocada Cloud' },
  norcube: { createAdapter: createNorcubeAdapter, startSimulator: startNorcubeSimulator, secretKey: 'token', displayName: 'Norcube Backup' },
  bycloud: { createAdapter: createBycloudAdapter, startSimulator: startBycloudSimulator, secretKey: 'token', displayName: 'ByCloud' },
  ocore: { createAdapter: createOcoreAdapter, startSimulator: startOcoreSimulator, secretKey: 'token', displayName: 'oCore' },
};

/** The provider kinds this build knows. */
export const PROVIDER_KINDS = Object.keys(PROVIDERS) as ProviderKind[];

/** The configured provider instances, in config order. */
export interface ProviderSet {
  readonly list: readonly ProviderAdapter[];
  get(id: string): ProviderAdapter | undefined;
  close(): Promise<void>;
}

/** Builds one adapter per configured instance. */
export function createProviderSet(instances: readonly ProviderAdapterOptions[]): ProviderSet {
  const list = instances.map((o) => PROVIDERS[o.ref.kind].createAdapter(o));
  const byId = new Map(list.map((a) => [a.ref.id, a]));
  return {
    list,
    get: (id) => byId.get(id),
    close: async () => {
      await Promise.allSettled(list.map((a) => a.close()));
    },
  };
}
