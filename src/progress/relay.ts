/**
 * Relays an upstream progress stream, reconnecting with `Last-Event-ID` and backoff when it drops
 * before the terminal event, and delivering each upstream event once, in order.
 */
import { GatewayError } from '../domain/errors.ts';
import { ProviderHttpError } from '../upstream/errors.ts';
import { sleep } from '../upstream/sleep.ts';
import type { ProgressStreamEvent, ProgressUpdate } from '../providers/contract/index.ts';
import { withEventId, type IdentifiedProgressValue } from './resumable.ts';

/** Reconnect tuning. */
export interface RelayOptions {
  /** Reconnects in a row without receiving an event before giving up. @default 5 */
  maxReconnects?: number;
  /** First reconnect delay in ms, doubled each time, with jitter. @default 250 */
  baseDelayMs?: number;
  /** @default 5000 */
  maxDelayMs?: number;
}

function isNewer(id: string, last: string | null, seen: Set<string>): boolean {
  if (last === null) return !seen.has(id);
  if (/^\d+$/.test(id) && /^\d+$/.test(last)) return BigInt(id) > BigInt(last);
  return !seen.has(id);
}

/** Yields the operation's updates until the terminal one; throws a GatewayError when it cannot. */
export async function* relayProgressStream(
  open: (lastEventId: string | null, signal: AbortSignal) => AsyncIterable<ProgressStreamEvent>,
  signal: AbortSignal,
  options: RelayOptions = {},
): AsyncGenerator<ProgressUpdate> {
  for await (const e of relayProgressEvents(open, signal, options)) yield e.value;
}

/**
 * As {@link relayProgressStream}, each update with its upstream event id, starting after
 * `startAfter` (the `Last-Event-ID` an earlier reader stored: a new reader continues from there).
 */
export async function* relayProgressEvents(
  open: (lastEventId: string | null, signal: AbortSignal) => AsyncIterable<ProgressStreamEvent>,
  signal: AbortSignal,
  options: RelayOptions = {},
  startAfter: string | null = null,
): AsyncGenerator<IdentifiedProgressValue<ProgressUpdate>> {
  const { maxReconnects = 5, baseDelayMs = 250, maxDelayMs = 5000 } = options;
  let lastId: string | null = startAfter;
  const seen = new Set<string>();
  let failures = 0;
  while (!signal.aborted) {
    let lastError: unknown;
    try {
      for await (const e of open(lastId, signal)) {
        if (e.id !== null) {
          if (!isNewer(e.id, lastId, seen)) continue; // a replayed event we already delivered
          lastId = e.id;
          seen.add(e.id);
        }
        failures = 0;
        yield withEventId(e.update, e.id ?? lastId);
        if (e.update.done) return;
      }
    } catch (e) {
      if (signal.aborted) return;
      // An unknown backup or bad credentials do not get better by reconnecting.
      if (e instanceof ProviderHttpError && e.status >= 400 && e.status < 500 && e.status !== 429) throw e;
      lastError = e;
    }
    if (signal.aborted) return;
    if (++failures > maxReconnects) {
      if (lastError) throw lastError;
      throw new GatewayError('UPSTREAM_UNAVAILABLE', 'the progress stream kept closing before the operation ended');
    }
    const wait = Math.min(maxDelayMs, baseDelayMs * 2 ** (failures - 1));
    await sleep(wait / 2 + Math.random() * (wait / 2), signal);
  }
}
