/**
 * Backup and restore progress subscriptions: one upstream stream (oCore) or poller (the others) per
 * operation, shared through the progress hub.
 */
import { randomUUID } from 'node:crypto';
import { GatewayError, unsupportedByProvider } from '../../domain/errors.ts';
import { decodeGlobalId } from '../../domain/ids.ts';
import type { JobOperation } from '../../domain/models.ts';
import type { ProgressOperation, ProgressUpdate, ProviderAdapter, RequestContext } from '../../providers/contract/index.ts';
import type { GatewayContext } from '../../server/context.ts';
import { pollProgress } from '../../progress/poller.ts';
import { relayProgressEvents } from '../../progress/relay.ts';
import type { IdentifiedProgressValue, ProgressResume } from '../../progress/resumable.ts';

/** A progress update with what the subscription was about: the `ProgressEvent` resolvers hand over. */
export type ProgressEventModel = ProgressUpdate & { backupId: string; operation: JobOperation };

/** The request context of one upstream progress read: its own id and the source's abort signal (a progress source outlives the request that opened it). */
const freshContext = (signal: AbortSignal): RequestContext => ({ requestId: `progress-${randomUUID()}`, signal });

/** The upstream source of one operation's progress. */
function openSource(adapter: ProviderAdapter, op: ProgressOperation, nativeId: string, ctx: GatewayContext) {
  const progress = adapter.progress!;
  // A stream resumes after the last event id an earlier reader stored (another replica, with Redis);
  // a poller just polls again (the hub drops a repeated snapshot).
  return (signal: AbortSignal, resume: ProgressResume<ProgressUpdate>): AsyncIterable<ProgressUpdate | IdentifiedProgressValue<ProgressUpdate>> =>
    progress.stream
      ? relayProgressEvents((last, s) => progress.stream!(op, nativeId, last, s, freshContext(s)), signal, ctx.progressOptions.relay, resume.lastEventId)
      : pollProgress(() => progress.snapshot!(op, nativeId, freshContext(signal)), signal, ctx.progressOptions.poll);
}

/** Subscribes to the progress of `op` on a backup (or job) id, after checking it exists; events end with a `done` one. */
async function subscribeTo(op: ProgressOperation, backupId: string, ctx: GatewayContext): Promise<AsyncGenerator<ProgressEventModel>> {
  const d = decodeGlobalId(backupId, 'backupId');
  const kind = d.kind;
  if (kind !== 'backup' && kind !== 'job') {
    throw new GatewayError('BAD_USER_INPUT', `backupId must be the id of a backup or a job, got the id of a ${kind}`, { field: 'backupId' });
  }
  const adapter = ctx.providers.get(d.providerId);
  if (!adapter) throw new GatewayError('NOT_FOUND', 'no such backup', { field: 'backupId' });
  if (!adapter.progress) throw unsupportedByProvider(adapter.ref.id, `${op} progress`);
  const key = `${adapter.ref.id}\u0000${op}\u0000${d.nativeId}`;
  const missing = () => new GatewayError('NOT_FOUND', `no ${kind} with this id at provider "${adapter.ref.id}"`, { provider: adapter.ref.id, field: 'backupId' });
  if (ctx.scope.organizationsAt(adapter.ref.id) !== null) {
    // A caller limited to some organizations: its own lookup, every time (through its scope, so
    // another organization's backup is NOT_FOUND even while someone else's stream of it is open).
    if (!(await ctx.loaders.load(kind, adapter.ref.id, d.nativeId))) throw missing();
  } else if (!ctx.progress.isOpen(key)) {
    // Check the operation exists before anyone waits on it (skipped when a source is already open);
    // shared only by callers who see all of this provider, so the answer is the same for each.
    const found = await ctx.progress.checkOnce(key, () => ctx.loaders.load(kind, adapter.ref.id, d.nativeId));
    if (!found) throw missing();
  }
  const source = ctx.progress.subscribe(key, openSource(adapter, op, d.nativeId, ctx));
  return (async function* () {
    for await (const update of source) yield { ...update, backupId, operation: op } satisfies ProgressEventModel;
  })();
}

/** The resolver of a progress subscription field (`backupProgress`, `restoreProgress`) for `op`. */
export function progressSubscription(op: ProgressOperation) {
  return {
    subscribe: (_p: unknown, { backupId }: { backupId: string }, ctx: GatewayContext) => subscribeTo(op, backupId, ctx),
    resolve: (e: ProgressEventModel) => e,
  };
}
