/**
 * Leftovers: what a test file starts (simulators, gateways, adapters, child processes) is handed
 * here once and stopped by the hooks this module registers on the importing file, so no test
 * writes its own `afterAll(() => x.close())` list. Things are stopped newest first (a gateway before
 * the simulators it talks to), each once; a failure to stop one still stops the others and fails the
 * hook.
 */
import { afterAll, afterEach } from 'vitest';

/** Anything that can be stopped. */
export interface Closable {
  close(): unknown;
}

const afterTest: Closable[] = [];
const afterFile: Closable[] = [];

async function closeAll(stack: Closable[]): Promise<void> {
  const errors: unknown[] = [];
  while (stack.length > 0) {
    try {
      await stack.pop()!.close();
    } catch (e) {
      errors.push(e);
    }
  }
  if (errors.length > 0) throw new AggregateError(errors, `${errors.length} leftover(s) failed to close`);
}

// Registered on the root suite of whichever test file imports this module (vitest isolates modules
// per file, so each file gets its own stacks and hooks).
afterEach(() => closeAll(afterTest));
afterAll(() => closeAll(afterFile));

/** Stops `thing` after every test of this file has run (after the file's own `afterAll` hooks). */
export function disposeAfterAll<T extends Closable>(thing: T): T {
  afterFile.push(thing);
  return thing;
}

/** Stops `thing` when the current test ends, whether it passed or not. */
export function disposeAfterEach<T extends Closable>(thing: T): T {
  afterTest.push(thing);
  return thing;
}
