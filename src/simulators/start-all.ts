/**
 * Starts every provider's simulator on loopback, for `backup-graph simulate`, for
 * `backup-graph serve` without a config, for tests and benchmarks.
 */
import type { ProviderKind } from '../domain/models.ts';
import type { ProviderAdapterOptions } from '../providers/contract/index.ts';
import { PROVIDERS, type ProviderRegistry } from '../providers/registry.ts';
import { SIMULATORS, type StartSimulator } from './registry.ts';
import { resolveSimTime, type SeededSimulator, type SimDataOptions, type SimulatorOptions } from './kit/index.ts';
import type { Clock } from '../domain/clock.ts';

/** One started simulator with the provider instance that points at it. */
export interface StartedSimulator {
  kind: ProviderKind;
  simulator: SeededSimulator;
  /** Ready-made adapter options for this simulator (config id = the kind). */
  provider: ProviderAdapterOptions;
}

/**
 * Whose data each single-organization simulator holds (the demo's tenants): their APIs name no
 * organization, so the gateway is told, as a config's `organizationName` would.
 */
const DEMO_ORGANIZATION_NAMES: Readonly<Record<string, string>> = { norcube: 'Northwind Health', bycloud: 'Contoso Retail', ocore: 'Fabrikam Studios' };

/** Options of {@link startAllSimulators}. */
export interface StartAllOptions extends SimDataOptions {
  /** Simulator i (1-based, in registry order) listens on portBase + i; 0 or absent = ephemeral ports. */
  portBase?: number;
  host?: string;
  /** Options for one kind only (faults, rate limits...). */
  perKind?: Partial<Record<ProviderKind, SimulatorOptions & SimDataOptions & Record<string, unknown>>>;
  /** The simulators to start, by kind. @default SIMULATORS */
  simulators?: Readonly<Record<string, StartSimulator>>;
  /** Where display names come from. @default PROVIDERS */
  registry?: ProviderRegistry;
}

/** All started simulators. */
export interface StartedSimulators {
  list: StartedSimulator[];
  /** The one anchor every simulator's data is seeded around. */
  anchor: Date;
  /** The one clock every simulator stamps live work with. */
  clock: Clock;
  get(kind: ProviderKind): StartedSimulator;
  close(): Promise<void>;
}

/** Starts one simulator per provider kind, in registry order, all on one clock and one anchor. */
export async function startAllSimulators(options: StartAllOptions = {}): Promise<StartedSimulators> {
  const { portBase, host, perKind = {}, simulators = SIMULATORS, registry = PROVIDERS, ...rest } = options;
  const { anchor, clock } = resolveSimTime(rest);
  const data = { ...rest, anchor: new Date(anchor), clock };
  const list: StartedSimulator[] = [];
  try {
    for (const [i, [kind, start]] of Object.entries(simulators).entries()) {
      const simulator = await start({
        ...data,
        host,
        port: portBase ? portBase + i + 1 : 0,
        ...(perKind[kind] ?? {}),
      });
      list.push({
        kind,
        simulator,
        provider: { ref: { id: kind, kind, name: `${registry[kind]?.displayName ?? kind} (simulator)`, ...(DEMO_ORGANIZATION_NAMES[kind] ? { organizationName: DEMO_ORGANIZATION_NAMES[kind] } : {}) }, baseUrl: simulator.url, secret: simulator.credential },
      });
    }
  } catch (e) {
    await Promise.allSettled(list.map((s) => s.simulator.close()));
    throw e;
  }
  return {
    list,
    anchor: new Date(anchor),
    clock,
    get: (kind) => list.find((s) => s.kind === kind)!,
    close: async () => {
      await Promise.allSettled(list.map((s) => s.simulator.close()));
    },
  };
}
