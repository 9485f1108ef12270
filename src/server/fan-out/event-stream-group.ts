/**
 * One subscription's events written to many graphql-sse distinct-connection streams: the group
 * reads one stream of execution results (its source), serializes each result once into an SSE
 * `next` frame, and writes that same frame to every member's response body. A member joining late
 * gets the latest frame first (the subscriptions grouped this way send their whole state in every
 * event). When the source ends every member gets graphql-sse's `complete` and its body ends; when
 * the last member leaves, the source is returned (the upstream stream behind it closes).
 *
 * The bytes on the wire are yoga's own distinct-connections format: a `:` comment first (some
 * browsers wait for a first byte), `event: next` + `data: <result>` per result, `event: complete`
 * last, and a `:` ping every `pingIntervalMs` (yoga's 12 s) so idle proxies keep the stream open.
 */
import { Readable } from 'node:stream';
import type { ExecutionResult, GraphQLError } from 'graphql';

/** The first bytes of every stream, and the keep-alive ping. */
const PING = ':\n\n';
/** graphql-sse's end of a distinct-connections stream. */
const COMPLETE = 'event: complete\ndata:\n\n';

/** `error` as JSON, without the extensions that are only for the server (`http`, `unexpected`), as yoga writes it. */
function publicError(error: GraphQLError | Record<string, unknown>): unknown {
  const json = typeof (error as GraphQLError).toJSON === 'function' ? (error as GraphQLError).toJSON() : (error as Record<string, unknown>);
  const extensions = json.extensions as Record<string, unknown> | undefined;
  if (!extensions || !('http' in extensions || 'unexpected' in extensions)) return json;
  const { http: _http, unexpected: _unexpected, ...rest } = extensions;
  return { ...json, extensions: Object.keys(rest).length > 0 ? rest : undefined };
}

/** The SSE `next` frame of `result`, bytes as yoga's SSE result processor writes them. */
export function sseNextFrame(result: ExecutionResult): Buffer {
  let body: ExecutionResult | Record<string, unknown> = result;
  if (result.errors?.length || (result.extensions as Record<string, unknown> | undefined)?.http) {
    const { http: _http, ...extensions } = (result.extensions ?? {}) as Record<string, unknown>;
    body = { ...result, errors: result.errors?.map(publicError), extensions: Object.keys(extensions).length > 0 ? extensions : undefined };
  }
  return Buffer.from(`event: next\ndata: ${JSON.stringify(body)}\n\n`);
}

/** One stream of a group: the body of one subscriber's response. */
export interface EventStreamMember {
  /** The response body (a Node stream the HTTP server pipes to the socket). Destroying it leaves the group. */
  readonly body: Readable;
  /** Settles once this member's stream has ended: the source completed, the member left or was cut off. */
  readonly ended: Promise<void>;
  /** Leaves the group: `complete` is written and the body ends (when it is still open). */
  leave(): void;
}

/** Options of {@link createEventStreamGroup}. */
export interface EventStreamGroupOptions {
  /** The execution results to relay (one subscription's, with every plugin's processing applied). */
  source: AsyncIterable<ExecutionResult>;
  /** Called once when the group ends (its source ended, or its last member left). */
  onEnd?: () => void;
  /** Time between two pings on an idle stream, in ms. @default 12_000 */
  pingIntervalMs?: number;
  /**
   * Most bytes a member's body may hold unsent (its client reads slower than events come); past it
   * the member's stream is cut (the client reconnects and gets the latest state). @default 1_048_576
   */
  maxBufferedBytes?: number;
}

/** A running group. */
export interface EventStreamGroup {
  /** Members streaming right now. */
  readonly size: number;
  /** True once the source has ended or the last member has left: nobody can join any more. */
  readonly ended: boolean;
  /**
   * A new member: its body starts with a ping and the latest frame. Joining an ended group gives a
   * body with the latest frame and `complete` (the final state, for someone who came just too late).
   */
  join(): EventStreamMember;
}

/** Starts reading `source` and returns the group its results go to. */
export function createEventStreamGroup(options: EventStreamGroupOptions): EventStreamGroup {
  const { pingIntervalMs = 12_000, maxBufferedBytes = 1_048_576 } = options;
  const members = new Set<{ body: Readable; end: () => void }>();
  const iterator = options.source[Symbol.asyncIterator]();
  let latest: Buffer | undefined;
  let ended = false;

  const ping = setInterval(() => {
    for (const m of members) m.body.push(PING);
  }, pingIntervalMs);
  ping.unref();

  function finish(error?: unknown) {
    if (ended) return;
    ended = true;
    clearInterval(ping);
    options.onEnd?.();
    for (const m of [...members]) {
      if (error) m.body.destroy(error instanceof Error ? error : new Error(String(error)));
      else m.end();
    }
    members.clear();
  }

  void (async () => {
    try {
      for (;;) {
        const next = await iterator.next();
        if (next.done || ended) break;
        const frame = sseNextFrame(next.value);
        latest = frame;
        for (const m of members) {
          if (m.body.readableLength > maxBufferedBytes) m.body.destroy();
          else m.body.push(frame);
        }
        // Node's HTTP responses flush their writes on the next tick: let them go out before
        // anything else runs (the end of 1,000 streams after a final event, say).
        await new Promise<void>((resolve) => setImmediate(resolve));
      }
      finish();
    } catch (e) {
      finish(e);
    }
  })();

  function join(): EventStreamMember {
    const body = new Readable({ read() {} });
    let markEnded!: () => void;
    const endedPromise = new Promise<void>((resolve) => (markEnded = resolve));
    let endPushed = false;
    const member = {
      body,
      end() {
        if (body.destroyed || endPushed) return;
        endPushed = true;
        body.push(COMPLETE);
        body.push(null);
      },
    };
    body.push(PING);
    if (latest) body.push(latest);
    const leave = () => {
      if (!members.delete(member)) return;
      // The last one out closes the source (its upstream with it).
      if (members.size === 0 && !ended) {
        finish();
        void Promise.resolve(iterator.return?.()).catch(() => undefined);
      }
    };
    body.once('close', () => {
      leave();
      markEnded();
    });
    body.once('end', markEnded);
    if (ended) member.end();
    else members.add(member);
    return {
      body,
      ended: endedPromise,
      leave() {
        leave();
        member.end();
      },
    };
  }

  return {
    get size() {
      return members.size;
    },
    get ended() {
      return ended;
    },
    join,
  };
}
