/**
 * `Subscription`: backup and restore progress. One upstream stream (oCore) or poller (the others)
 * per operation, shared through the progress hub.
 */
import { randomUUID } from 'node:crypto';
import { GatewayError, unsupportedByProvider } from '../domain/errors.ts';
import { decodeGlobalId } from '../domain/ids.ts';
import type { SubscriptionResolvers } from '../generated/graphql.ts';
import type { ProgressOperation, ProgressUpdate, ProviderAdapter } from '../providers/provider.ts';
import type { GatewayContext } from '../server/context.ts';
import { pollProgress } from '../progress/poller.ts';
import { relayProgressStream } from '../progress/relay.ts';

/** A progress update with what the subscription was about. */
export type ProgressEventModel = ProgressUpdate & { backupId: string; operation: 'BACKUP' | 'RESTORE' };

const freshContext = (signal: AbortSignal) => ({ requestId: `progress-${randomUUID()}`, signal, memo: new Map<string, Promise<unknown>>() });

/** The upstream source of one operation's progress. */
function openSource(adapter: ProviderAdapter, op: ProgressOperation, nativeId: string, ctx: GatewayContext) {
  const progress = adapter.progress!;
  return (signal: AbortSignal): AsyncIterable<ProgressUpdate> =>
    progress.stream
      ? relayProgressStream((last, s) => progress.stream!(op, nativeId, last, s, freshContext(s)), signal, ctx.progressOptions.relay)
      : pollProgress(() => progress.snapshot!(op, nativeId, freshContext(signal)), signal, ctx.progressOptions.poll);
}

function subscribeTo(op: ProgressOperation) {
  return async (_: unknown, { backupId }: { backupId: string }, ctx: GatewayContext) => {
    const d = decodeGlobalId(backupId, 'backupId');
    if (d.kind !== 'backup' && d.kind !== 'job') {
      throw new GatewayError('BAD_USER_INPUT', `backupId must be the id of a backup or a job, got the id of a ${d.kind}`, { field: 'backupId' });
    }
    const adapter = ctx.providers.get(d.providerId);
    if (!adapter) throw new GatewayError('NOT_FOUND', 'no such backup', { field: 'backupId' });
    if (!adapter.progress) throw unsupportedByProvider(adapter.ref.id, `${op} progress`);
    const key = `${adapter.ref.id}\u0000${op}\u0000${d.nativeId}`;
    // Check the operation exists before anyone waits on it (skipped when a source is already open).
    if (!ctx.progress.isOpen(key)) {
      const found = await ctx.progress.checkOnce(key, () => ctx.loaders.load(d.kind as 'backup' | 'job', adapter.ref.id, d.nativeId));
      if (!found) throw new GatewayError('NOT_FOUND', `no ${d.kind} with this id at provider "${adapter.ref.id}"`, { provider: adapter.ref.id, field: 'backupId' });
    }
    const source = ctx.progress.subscribe(key, openSource(adapter, op, d.nativeId, ctx));
    return (async function* () {
      for await (const update of source) yield { ...update, backupId, operation: op.toUpperCase() as 'BACKUP' | 'RESTORE' } satisfies ProgressEventModel;
    })();
  };
}

/** Resolvers of `Subscription`. */
export const Subscription: SubscriptionResolvers = {
  backupProgress: { subscribe: subscribeTo('backup') as never, resolve: (e: ProgressEventModel) => e as never },
  restoreProgress: { subscribe: subscribeTo('restore') as never, resolve: (e: ProgressEventModel) => e as never },
};
