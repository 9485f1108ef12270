/**
 * Progress streams *(doc)*, format fixed in PROVIDERS.md: `GET /api/backups/{id}/progress` and
 * `GET /api/backups/{id}/restore/progress` (the backup's latest restore). Each event carries
 * `id: <n>` (1-based per operation), `event: progress|completed|failed` and the JSON data; the
 * server closes after the terminal event. `Last-Event-ID: n` replays the events after `n`, then
 * streams live ones; a stream opened after the operation ended (without `Last-Event-ID`) gets the
 * final event at once. `: keep-alive` comments every `keepAliveMs`. Unknown backup (or no restore
 * yet): 404 JSON, not a stream. Streams go through the kit's SSE writer (drop faults, counters).
 */
import type { Router, SimRequest, SimResult, SseWriter } from '../../kit/index.ts';
import { notFound, requireBackup, type OcoreRouteContext } from '../http.ts';
import type { OcOperation } from '../ops.ts';

function lastEventId(req: SimRequest): number | null {
  const raw = req.headers['last-event-id'];
  const v = Array.isArray(raw) ? raw[0] : raw;
  return typeof v === 'string' && /^\d{1,9}$/.test(v.trim()) ? Number(v.trim()) : null;
}

/** Resolves on the operation's next event or when the stream closes. */
function nextChange(op: OcOperation, w: SseWriter): Promise<void> {
  return new Promise((resolve) => {
    const done = () => {
      op.listeners.delete(done);
      w.signal.removeEventListener('abort', done);
      resolve();
    };
    op.listeners.add(done);
    w.signal.addEventListener('abort', done, { once: true });
  });
}

/** Streams `op` from after `Last-Event-ID` (or from its start, or its final event when it ended). */
export function progressStream(op: OcOperation, req: SimRequest, keepAliveMs: number): SimResult {
  const after = lastEventId(req);
  return {
    sse: async (w) => {
      const keepAlive = setInterval(() => w.comment('keep-alive'), keepAliveMs);
      keepAlive.unref?.();
      try {
        let next = after ?? (op.done ? op.events.length - 1 : 0);
        for (;;) {
          for (; next < op.events.length; next++) {
            const e = op.events[next];
            if (!w.event({ id: e.id, event: e.event, data: e.data })) return;
          }
          if (op.done || w.closed) return;
          await nextChange(op, w);
          if (w.closed) return;
        }
      } finally {
        clearInterval(keepAlive);
      }
    },
  };
}

/** Registers the two progress streams. */
export function registerProgressRoutes(r: Router, ctx: OcoreRouteContext): void {
  r.get('/api/backups/:id/progress', (req) => {
    const backup = requireBackup(ctx, req.params.id);
    return progressStream(ctx.live.backupOperation(backup), req, ctx.keepAliveMs);
  });

  r.get('/api/backups/:id/restore/progress', (req) => {
    const backup = requireBackup(ctx, req.params.id);
    const log = ctx.state.restoreLogs.get(ctx.state.latestRestoreByBackup.get(backup.id) ?? '');
    if (!log) throw notFound('restore of this backup');
    return progressStream(ctx.live.restoreOperation(log), req, ctx.keepAliveMs);
  });
}
