/**
 * Subscribes through a real graphql-sse client and collects every event until the subscription
 * completes or errors.
 */
import { createClient, type Client } from 'graphql-sse';

/** The outcome of one subscription. */
export interface Collected<T> {
  events: T[];
  errors: unknown[];
  completed: boolean;
}

/** Creates a graphql-sse client for the gateway in the given mode. */
export function sseClient(url: string, mode: 'distinct' | 'single'): Client {
  return createClient({ url: `${url}/graphql`, singleConnection: mode === 'single', retryAttempts: 0 });
}

/** Runs `query` and resolves with every `next` payload once the server completes it. */
export function collect<T = any>(client: Client, query: string, variables: Record<string, unknown>, onEvent?: (e: T, all: T[]) => void): {
  done: Promise<Collected<T>>;
  cancel: () => void;
} {
  const out: Collected<T> = { events: [], errors: [], completed: false };
  let cancel!: () => void;
  const done = new Promise<Collected<T>>((resolve) => {
    cancel = client.subscribe<T>(
      { query, variables },
      {
        next: (r) => {
          if (r.errors) out.errors.push(...r.errors);
          if (r.data) {
            out.events.push(r.data as T);
            onEvent?.(r.data as T, out.events);
          }
        },
        error: (e) => {
          out.errors.push(e);
          resolve(out);
        },
        complete: () => {
          out.completed = true;
          resolve(out);
        },
      },
    );
  });
  return { done, cancel };
}

/** Waits until `check` holds, polling a counter the test cannot await otherwise (bounded). */
export async function until(check: () => boolean, what: string, timeoutMs = 10_000): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  while (!check()) {
    if (Date.now() > deadline) throw new Error(`timed out waiting for ${what}`);
    await new Promise((r) => setTimeout(r, 10));
  }
}
