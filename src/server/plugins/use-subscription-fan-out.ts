/**
 * Subscription fan-out: subscribers of the same progress subscription (same caller and grants,
 * same document, operation and variables) share one execution. The first one runs as any
 * subscription does, through every plugin; its results, serialized once, are written to the
 * response of every later subscriber of the same key (see fan-out/event-stream-group.ts). A later
 * subscriber still goes through authentication, limits, validation and cost like any request; only
 * its execution is skipped, so an event costs one execution and one serialization however many
 * subscribers wait for it, and a subscriber holds a stream, not an execution.
 *
 * Only root fields whose every event carries the whole current state are grouped (the progress
 * subscriptions: a late subscriber's first event is the latest state, as the progress hub gives it
 * anyway); `jobUpdates` sends changes and per-subscriber initial events, so it is not.
 * Only yoga's distinct-connections streams are grouped (the single-connection plugin runs its own).
 *
 * A later subscriber's own result, as the plugins before this one see it, is a single empty
 * result answered with an event stream (as a stream answered by another plugin): metrics count
 * its request, the access log writes its line when the stream's socket closes, and nothing holds
 * its request's execution state (context, loaders, envelop's wrappers: some 10 KiB a subscriber)
 * while it streams. Graceful shutdown counts each group's execution, and ends it on drain, which
 * completes every member; {@link SubscriptionFanOutPlugin.members} counts the subscribers.
 * Put it after the plugins that count, log or end subscriptions.
 */
import { getOperationAST, Kind, type DocumentNode, type ExecutionResult } from 'graphql';
import { isAsyncIterable, type Plugin } from 'graphql-yoga';
import type { Caller } from '../../access/caller.ts';
import { createEventStreamGroup, type EventStreamGroup, type EventStreamMember } from '../fan-out/event-stream-group.ts';

/** Options of {@link useSubscriptionFanOut}. */
export interface SubscriptionFanOutOptions {
  /** Subscription root fields that may be grouped: every event of theirs is the whole current state. */
  fields: readonly string[];
  /** Time between two keep-alive pings on a stream, in ms. @default 12_000 (yoga's) */
  pingIntervalMs?: number;
}

/** The plugin, with counters for metrics, tests and benchmarks. */
export interface SubscriptionFanOutPlugin extends Plugin {
  /** Groups streaming right now (each one execution). */
  readonly groups: number;
  /** Subscribers streaming from a group right now (first subscribers included; graceful shutdown counts a group's execution once). */
  readonly members: number;
}

/** `value` as one string, object keys sorted at every level (`{a,b}` and `{b,a}` give the same string). */
export function canonicalJson(value: unknown): string {
  if (value === null || typeof value !== 'object') return JSON.stringify(value) ?? 'null';
  if (Array.isArray(value)) return `[${value.map(canonicalJson).join(',')}]`;
  const record = value as Record<string, unknown>;
  const keys = Object.keys(record).filter((k) => record[k] !== undefined).sort();
  return `{${keys.map((k) => `${JSON.stringify(k)}:${canonicalJson(record[k])}`).join(',')}}`;
}

/** Everything a caller's results depend on: who it is, its role and what it may see. */
const callerIdentity = (c: Caller | undefined) => (c ? canonicalJson([c.kind, c.id, c.role, c.providers, c.organizations]) : 'none');

/** True for a request yoga answers with a distinct-connections event stream (not graphql-sse's single-connection mode, not multipart). */
function isDistinctEventStream(request: Request): boolean {
  const accept = request.headers.get('accept') ?? '';
  if (!accept.includes('text/event-stream') || accept.includes('multipart/mixed')) return false;
  if (request.method === 'PUT' || request.headers.has('x-graphql-event-stream-token')) return false;
  return !new URL(request.url).searchParams.has('token');
}

type Plan = { kind: 'lead'; key: string; settle: (group: EventStreamGroup | undefined) => void } | { kind: 'follow'; group: EventStreamGroup };

/** A key's group, or the promise of it while its first subscriber is still subscribing. */
type Slot = { group?: EventStreamGroup; ready: Promise<EventStreamGroup | undefined> };

/** The SSE response of a member, with yoga's distinct-connections headers. */
const responseOf = (fetchAPI: { Response: typeof Response }, member: EventStreamMember) =>
  new fetchAPI.Response(member.body as never, {
    status: 200,
    headers: { 'Content-Type': 'text/event-stream', Connection: 'keep-alive', 'Cache-Control': 'no-cache', 'Content-Encoding': 'none' },
  });

/** Groups the subscribers of the same progress subscription onto one execution. */
export function useSubscriptionFanOut(options: SubscriptionFanOutOptions): SubscriptionFanOutPlugin {
  const fields = new Set(options.fields);
  /** The group a new subscriber of a key joins (or waits for, while the key's first subscriber is still subscribing). */
  const slots = new Map<string, Slot>();
  /** Every group streaming. */
  const live = new Set<EventStreamGroup>();
  const plans = new WeakMap<Request, Plan>();

  /** The group key of a subscription, or undefined when it is not one to group. */
  function keyOf(args: { document: DocumentNode; operationName?: string | null; variableValues?: Record<string, unknown> | null; contextValue: unknown }): string | undefined {
    const ctx = args.contextValue as { request?: Request; params?: { query?: unknown }; caller?: Caller };
    if (!ctx.request || typeof ctx.params?.query !== 'string' || !isDistinctEventStream(ctx.request)) return undefined;
    const op = getOperationAST(args.document, args.operationName ?? undefined);
    if (op?.operation !== 'subscription') return undefined;
    if (!op.selectionSet.selections.every((s) => s.kind === Kind.FIELD && fields.has(s.name.value))) return undefined;
    return [callerIdentity(ctx.caller), args.operationName ?? '', canonicalJson(args.variableValues ?? {}), ctx.params.query].join('\u0000');
  }

  return {
    get groups() {
      return live.size;
    },
    get members() {
      let n = 0;
      for (const g of live) n += g.size;
      return n;
    },
    async onSubscribe({ args, setResultAndStopExecution }) {
      const key = keyOf(args);
      if (key === undefined) return;
      const request = (args.contextValue as { request: Request }).request;
      const slot = slots.get(key);
      // A first subscriber of this key is still subscribing: wait for its group (none when it
      // failed, e.g. NOT_FOUND: then this one subscribes on its own and gets its own answer).
      const group = slot && (slot.group ?? (await slot.ready));
      if (group && !group.ended) {
        plans.set(request, { kind: 'follow', group });
        // No execution of its own: a placeholder result, answered below with the group's stream.
        setResultAndStopExecution({});
        return;
      }
      if (slots.has(key) && slots.get(key) !== slot) return; // another subscriber took the lead meanwhile: this one streams on its own
      let settle!: (group: EventStreamGroup | undefined) => void;
      const next: Slot = { ready: new Promise((resolve) => (settle = resolve)) };
      slots.set(key, next);
      plans.set(request, {
        kind: 'lead',
        key,
        settle: (g) => {
          if (!g && slots.get(key) === next) slots.delete(key);
          next.group = g;
          settle(g);
        },
      });
    },
    onResultProcess({ request, result, setResultProcessor }) {
      const plan = plans.get(request);
      if (!plan) return;
      plans.delete(request);
      if (plan.kind === 'follow') {
        // Its stream is the group's (the member leaves when its client goes away).
        setResultProcessor((_r, fetchAPI) => responseOf(fetchAPI, plan.group.join()), 'text/event-stream');
        return;
      }
      if (!isAsyncIterable(result)) {
        // Refused or failed before streaming: answered as usual; whoever waited subscribes on its own.
        plan.settle(undefined);
        return;
      }
      const { key, settle } = plan;
      setResultProcessor((r, fetchAPI) => {
        const group: EventStreamGroup = createEventStreamGroup({
          source: r as AsyncIterable<ExecutionResult>,
          pingIntervalMs: options.pingIntervalMs,
          onEnd: () => {
            live.delete(group);
            if (slots.get(key)?.group === group) slots.delete(key);
          },
        });
        live.add(group);
        const member = group.join();
        settle(group);
        return responseOf(fetchAPI, member);
      }, 'text/event-stream');
    },
    // Whatever happened to a first subscriber's request (an error thrown before its result was
    // processed, a result processor that was not ours), its waiters are never left waiting.
    onResponse({ request }) {
      const plan = plans.get(request);
      if (plan?.kind !== 'lead') return;
      plans.delete(request);
      plan.settle(undefined);
    },
  };
}
