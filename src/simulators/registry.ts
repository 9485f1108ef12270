/**
 * Provider kind -> its simulator: the test bed's side of the registry. Adding a provider: its
 * folder under `src/simulators/` and one line here.
 */
import type { SeededSimulator, SimDataOptions, SimulatorOptions } from './kit/index.ts';
import { startBocadaSimulator } from './bocada/index.ts';
import { startBycloudSimulator } from './bycloud/index.ts';
import { startNorcubeSimulator } from './norcube/index.ts';
import { startOcoreSimulator } from './ocore/index.ts';

/** Starts one simulator of a provider kind. */
export type StartSimulator = (options?: SimulatorOptions & SimDataOptions) => Promise<SeededSimulator>;

/** Every simulated provider kind, in the order they start (the product registry's order). */
export const SIMULATORS: Readonly<Record<string, StartSimulator>> = {
  bocada: startBocadaSimulator,
  norcube: startNorcubeSimulator,
  bycloud: startBycloudSimulator,
  ocore: startOcoreSimulator,
};
