/**
 * Subscribers of the fan-out benchmark, in a process of their own (the bench starts several, so
 * the load generator is not what is measured). Each subscriber is one graphql-sse
 * distinct-connections subscription on its own HTTP connection (`POST` with
 * `Accept: text/event-stream`), read with node:http and a minimal SSE parser: the protocol a
 * graphql-sse client speaks, without its fetch/web-streams overhead per event (with 1,000
 * graphql-sse clients in one process, the clients took longer per event than the gateway).
 *
 * Child side: `node --import tsx bench/fanout-client.ts` with an IPC channel and
 * `FANOUT_CLIENT={ url, query, variables, subscribers }` in the environment. It sends
 * `{ type: 'joined' }` once every subscriber has its first event, then `{ type: 'done', events,
 * errors }` when every subscription has completed: `events` as `[at, receivedAt]` pairs (the
 * event's `at` field and `Date.now()` on receipt, both in ms) for every event after each
 * subscriber's first. Parent side: {@link startFanoutClients}.
 */
import { fork, type ChildProcess } from 'node:child_process';
import { once } from 'node:events';
import { request } from 'node:http';
import { fileURLToPath } from 'node:url';

const SELF = fileURLToPath(import.meta.url);

/** What one client process is asked to do. */
interface ClientJob {
  url: string;
  query: string;
  variables: Record<string, unknown>;
  subscribers: number;
}

/** What the clients measured: every live event's `[at, receivedAt]`, and the errors seen. */
export interface FanoutClientResults {
  events: Array<[number, number]>;
  errors: string[];
}

/** Several client processes sharing `subscribers` between them. */
export interface FanoutClients {
  /** Resolves once every subscriber has its first event. */
  joined: Promise<void>;
  /** Resolves once every subscription has completed, with what every process measured. */
  done: Promise<FanoutClientResults>;
  stop(): Promise<void>;
}

/** Starts `processes` client processes for `subscribers` subscriptions in all. */
export function startFanoutClients(job: ClientJob, processes: number): FanoutClients {
  const k = Math.max(1, Math.min(processes, job.subscribers));
  const counts = Array.from({ length: k }, (_, i) => Math.floor(job.subscribers / k) + (i < job.subscribers % k ? 1 : 0));
  const children: ChildProcess[] = counts.map((n) =>
    fork(SELF, [], { execArgv: ['--import', 'tsx', ...(process.env.FANOUT_CLIENT_NODE_ARGS?.split(' ').filter(Boolean) ?? [])], env: { ...process.env, FANOUT_CLIENT: JSON.stringify({ ...job, subscribers: n }) }, stdio: ['ignore', 'inherit', 'inherit', 'ipc'] }));
  const message = (child: ChildProcess, type: string) =>
    new Promise<any>((resolve) => {
      const on = (m: { type: string }) => {
        if (m.type !== type) return;
        child.off('message', on);
        resolve(m);
      };
      child.on('message', on);
    });
  const joined = Promise.all(children.map((c) => message(c, 'joined'))).then(() => undefined);
  const done = Promise.all(children.map((c) => message(c, 'done'))).then((all: FanoutClientResults[]) => ({
    events: all.flatMap((r) => r.events),
    errors: all.flatMap((r) => r.errors),
  }));
  return {
    joined,
    done,
    async stop() {
      await Promise.all(children.filter((c) => c.exitCode === null).map(async (c) => {
        c.kill('SIGTERM');
        await once(c, 'exit');
      }));
    },
  };
}

/** One subscription: calls `onEvent` with each `next` payload, `onEnd` once it ends (with an error message when it failed). */
function subscribe(job: ClientJob, onEvent: (payload: any) => void, onEnd: (error?: string) => void): void {
  const body = JSON.stringify({ query: job.query, variables: job.variables });
  let ended = false;
  const end = (error?: string) => {
    if (ended) return;
    ended = true;
    onEnd(error);
  };
  const req = request(`${job.url}/graphql`, {
    method: 'POST',
    agent: false,
    headers: { 'content-type': 'application/json', accept: 'text/event-stream', 'content-length': Buffer.byteLength(body) },
  }, (res) => {
    if (res.statusCode !== 200) {
      end(`HTTP ${res.statusCode}`);
      res.resume();
      return;
    }
    res.setEncoding('utf8');
    let buffered = '';
    res.on('data', (chunk: string) => {
      buffered += chunk;
      for (let i = buffered.indexOf('\n\n'); i >= 0; i = buffered.indexOf('\n\n')) {
        const block = buffered.slice(0, i);
        buffered = buffered.slice(i + 2);
        if (block.startsWith('event: next\ndata: ')) onEvent(JSON.parse(block.slice(18)));
        else if (block.startsWith('event: complete')) {
          end();
          req.destroy();
        }
      }
    });
    res.on('end', () => end());
    res.on('error', (e) => end(e.message));
  });
  req.on('error', (e) => end(e.message));
  req.end(body);
}

/** The child: runs its subscriptions and reports. */
async function runChild(job: ClientJob): Promise<void> {
  const events: Array<[number, number]> = [];
  const errors: string[] = [];
  let joined = 0;
  let ended = 0;
  const allEnded = new Promise<void>((resolve) => {
    for (let i = 0; i < job.subscribers; i++) {
      let first = true;
      subscribe(job, (payload) => {
        const receivedAt = Date.now();
        if (payload.errors) errors.push(JSON.stringify(payload.errors));
        const at = payload.data?.backupProgress?.at;
        if (first) {
          first = false;
          if (++joined === job.subscribers) process.send!({ type: 'joined' });
          return;
        }
        if (typeof at === 'string') events.push([Date.parse(at), receivedAt]);
      }, (error) => {
        if (error) errors.push(error);
        if (first && ++joined === job.subscribers) process.send!({ type: 'joined' }); // it never got an event: do not wait for it
        first = false;
        if (++ended === job.subscribers) resolve();
      });
    }
  });
  await allEnded;
  process.send!({ type: 'done', events, errors });
}

if (process.env.FANOUT_CLIENT && process.send) {
  await runChild(JSON.parse(process.env.FANOUT_CLIENT) as ClientJob);
  process.disconnect();
}
