/**
 * How an adapter reports live progress: an upstream stream to relay, or a state to poll.
 */
import type { JobStatus } from '../../domain/statuses.ts';
import type { RequestContext } from '../../upstream/request-context.ts';

/** Which long-running operation of a backup progress is asked for. */
export type ProgressOperation = 'backup' | 'restore';

/** One observation of an operation's progress, in domain terms. */
export interface ProgressUpdate {
  status: JobStatus;
  /** The provider's raw status. */
  providerStatus: string | null;
  /** 0-100, null when the provider does not say. */
  percent: number | null;
  /** Free text, e.g. `uploading`. */
  phase: string | null;
  message: string | null;
  bytesDone: number | null;
  bytesTotal: number | null;
  /** When the provider observed this state (ISO-8601). */
  at: string;
  /** True on the last update: the operation reached a terminal state. */
  done: boolean;
  /** Why it failed, when it failed. */
  error: string | null;
}

/** One event of an upstream progress stream. */
export interface ProgressStreamEvent {
  /** The upstream event id (SSE `id:`), used to resume without loss or duplicates. */
  id: string | null;
  update: ProgressUpdate;
}

/**
 * Live progress of a provider: either an upstream stream (`stream`) or a state read the gateway
 * polls (`snapshot`). The gateway shares one of these per operation among all subscribers.
 */
export interface ProviderProgress {
  /**
   * Opens the upstream progress stream of `op` on backup `nativeId`, resuming after
   * `lastEventId`. Yields events until the upstream closes the stream; throws typed upstream errors
   * (404 = unknown backup). Stops reading when `signal` aborts.
   */
  stream?(op: ProgressOperation, nativeId: string, lastEventId: string | null, signal: AbortSignal, ctx: RequestContext): AsyncIterable<ProgressStreamEvent>;
  /** Reads the current state of `op` on `nativeId` once; null when the backup/job does not exist. */
  snapshot?(op: ProgressOperation, nativeId: string, ctx: RequestContext): Promise<ProgressUpdate | null>;
}
