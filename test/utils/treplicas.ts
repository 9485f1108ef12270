/**
 * The replicas harness: N gateway PROCESSES (the real CLI, `serve --config`) over one set of
 * simulators and one Redis key prefix, as a load balancer would see them; plus a throwaway
 * `redis-server` of a test's own (to stop and restart it). Nothing here imports vitest, so the
 * bench drives the same processes: a test hands what it starts to `disposeAfterAll`.
 *
 * Every replica gets the same config file (its `cluster.replicaId` comes from `REPLICA_ID`):
 * every simulator as a provider (id = kind), `access` with the anonymous reader and one admin API
 * key (mutations), `cluster.redis` with the run's own key prefix. Closing stops every replica that
 * is still alive (SIGTERM, then SIGKILL), then deletes every key under the prefix.
 */
import { spawn, type ChildProcess } from 'node:child_process';
import { once } from 'node:events';
import { mkdtempSync, writeFileSync } from 'node:fs';
import { createServer } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { randomUUID } from 'node:crypto';
import { Redis } from 'ioredis';
import { createClient, type Client } from 'graphql-sse';
import { generateApiKey, hashApiKey } from '../../src/access/api-keys.ts';
import { PROVIDERS } from '../../src/providers/registry.ts';
import type { ProviderKind } from '../../src/domain/models.ts';
import type { StartedSimulators } from '../../src/simulators/start-all.ts';

const ROOT = fileURLToPath(new URL('../../', import.meta.url));
/** The shared Redis of the test machine (never flushed: every run writes under its own prefix). */
export const TEST_REDIS_URL = process.env.TEST_REDIS_URL ?? 'redis://127.0.0.1:6379/0';

/** A provider's quota as the config writes it. */
export type RateLimitConfig = 'none' | { requestsPerSecond: number } | { requestsPerMinute: number };

/** Options of {@link treplicas}. */
export interface TReplicasOptions {
  /** The providers every replica talks to (one config entry per simulator, id = kind). */
  sims: StartedSimulators;
  /** How many gateway processes. @default 2 */
  count?: number;
  /** @default TEST_REDIS_URL */
  redisUrl?: string;
  /** @default `bgtest:replicas:<uuid>:` */
  keyPrefix?: string;
  /** `cluster.progressLeaseMs`. @default the gateway's (5000) */
  progressLeaseMs?: number;
  /** `providers[].rateLimit` by kind. @default 'none' for every provider */
  rateLimits?: Partial<Record<ProviderKind, RateLimitConfig>>;
  /** `LOG_LEVEL` of the replicas. @default 'info' */
  logLevel?: string;
}

/** One JSON log line of a replica. */
export type LogLine = { level: number; msg: string } & Record<string, unknown>;

/** One gateway process. */
export interface TReplica {
  /** `replica-<n>`, its `cluster.replicaId` (the `replica` label of its metrics). */
  readonly id: string;
  readonly url: string;
  readonly child: ChildProcess;
  /** Every log line it wrote so far (stdout, parsed). */
  readonly logs: LogLine[];
  /** True until it exited. */
  readonly alive: boolean;
  /** POSTs a GraphQL request; `admin` sends the admin API key (mutations need it). */
  gql<T = any>(query: string, variables?: Record<string, unknown>, options?: { admin?: boolean }): Promise<{ status: number; data?: T; errors?: any[] }>;
  /** The value of one series of `/metrics` (labels other than `replica` must match), undefined when absent. */
  metric(name: string, labels?: Record<string, string>): Promise<number | undefined>;
  /** A graphql-sse client (distinct connections, no retries) as the anonymous reader. */
  sse(): Client;
  /** Sends `signal` and resolves once the process has exited. */
  kill(signal?: NodeJS.Signals): Promise<void>;
}

/** N replicas over one Redis prefix. */
export interface TReplicas {
  readonly list: TReplica[];
  readonly keyPrefix: string;
  /** Stops the live replicas, then deletes the run's keys. */
  close(): Promise<void>;
}

function yamlOf(options: Required<Pick<TReplicasOptions, 'sims' | 'redisUrl' | 'keyPrefix'>> & TReplicasOptions, adminHash: string): string {
  const { sims, redisUrl, keyPrefix, progressLeaseMs, rateLimits = {} } = options;
  const providers = sims.list.map((s) => {
    const secretKey = PROVIDERS[s.kind].secretKey;
    const rate = rateLimits[s.kind] ?? 'none';
    return [
      `  - id: ${s.kind}`,
      `    kind: ${s.kind}`,
      `    baseUrl: ${s.simulator.url}`,
      `    auth: { ${secretKey}: ${JSON.stringify(s.simulator.credential)} }`,
      `    rateLimit: ${typeof rate === 'string' ? rate : JSON.stringify(rate)}`,
    ].join('\n');
  });
  return [
    'access:',
    '  anonymous: reader',
    `  apiKeys: [{ id: replicas-admin, sha256: ${JSON.stringify(adminHash)}, role: admin }]`,
    'cluster:',
    `  redis: { url: ${JSON.stringify(redisUrl)}, keyPrefix: ${JSON.stringify(keyPrefix)} }`,
    '  replicaId: ${REPLICA_ID}',
    ...(progressLeaseMs ? [`  progressLeaseMs: ${progressLeaseMs}`] : []),
    'providers:',
    ...providers,
    '',
  ].join('\n');
}

/** Parses Prometheus text: the value of `name` whose labels include `labels`. */
function metricValue(text: string, name: string, labels: Record<string, string>): number | undefined {
  for (const line of text.split('\n')) {
    if (!line.startsWith(name) || (line[name.length] !== '{' && line[name.length] !== ' ')) continue;
    const m = /^[^{ ]+(?:\{(.*)\})? (\S+)$/.exec(line);
    if (!m) continue;
    const have = Object.fromEntries([...(m[1] ?? '').matchAll(/(\w+)="([^"]*)"/g)].map((x) => [x[1], x[2]]));
    if (Object.entries(labels).every(([k, v]) => have[k] === v)) return Number(m[2]);
  }
  return undefined;
}

function spawnReplica(id: string, file: string, adminKey: string, logLevel: string): Promise<TReplica> {
  const child = spawn(process.execPath, ['bin/backup-graph.js', 'serve', '--config', file, '--port', '0'], {
    cwd: ROOT,
    env: { ...process.env, REPLICA_ID: id, LOG_LEVEL: logLevel },
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  const logs: LogLine[] = [];
  let alive = true;
  let stderr = '';
  let buffered = '';
  const exited = once(child, 'exit').then(() => void (alive = false));
  child.stderr!.on('data', (d) => (stderr += d));
  return new Promise<TReplica>((resolve, reject) => {
    child.on('exit', (code, signal) => reject(new Error(`replica ${id} exited (${code ?? signal}) before it was ready: ${stderr.slice(-2000)}`)));
    child.stdout!.on('data', (d: Buffer) => {
      buffered += d.toString();
      const lines = buffered.split('\n');
      buffered = lines.pop()!;
      for (const raw of lines) {
        let line: LogLine;
        try {
          line = JSON.parse(raw) as LogLine;
        } catch {
          continue;
        }
        logs.push(line);
        const ready = /GraphiQL at (http:\/\/\S+)\/graphql/.exec(line.msg ?? '');
        if (ready) resolve(replica(ready[1]));
      }
    });
  });

  function replica(url: string): TReplica {
    return {
      id,
      url,
      child,
      logs,
      get alive() {
        return alive;
      },
      async gql(query, variables, { admin = false } = {}) {
        const res = await fetch(`${url}/graphql`, {
          method: 'POST',
          headers: { 'content-type': 'application/json', accept: 'application/graphql-response+json, application/json', ...(admin ? { authorization: `Bearer ${adminKey}` } : {}) },
          body: JSON.stringify({ query, variables }),
        });
        const json = (await res.json()) as { data?: any; errors?: any[] };
        return { status: res.status, data: json.data, errors: json.errors };
      },
      async metric(name, labels = {}) {
        const res = await fetch(`${url}/metrics`);
        return metricValue(await res.text(), name, labels);
      },
      sse: () => createClient({ url: `${url}/graphql`, singleConnection: false, retryAttempts: 0 }),
      async kill(signal = 'SIGTERM') {
        if (!alive) return;
        child.kill(signal);
        await exited;
      },
    };
  }
}

/** Deletes every key under `prefix` (SCAN, never FLUSHALL: the server is shared). */
export async function deleteKeys(redisUrl: string, prefix: string): Promise<void> {
  const redis = new Redis(redisUrl, { maxRetriesPerRequest: 1, lazyConnect: true });
  redis.on('error', () => undefined);
  try {
    await redis.connect();
    let cursor = '0';
    do {
      const [next, keys] = await redis.scan(cursor, 'MATCH', `${prefix.replace(/[*?[\]\\]/g, '\\$&')}*`, 'COUNT', 500);
      cursor = next;
      if (keys.length) await redis.del(...keys);
    } while (cursor !== '0');
  } catch {
    // The server is gone (a test stopped its own): nothing left to delete.
  } finally {
    redis.disconnect();
  }
}

/**
 * Starts `count` gateway processes over `sims`, sharing one Redis key prefix; resolves once every
 * one listens. Hand the result to `disposeAfterAll` (tests) or close it yourself (the bench).
 */
export async function treplicas(options: TReplicasOptions): Promise<TReplicas> {
  const { count = 2, redisUrl = TEST_REDIS_URL, keyPrefix = `bgtest:replicas:${randomUUID()}:`, logLevel = 'info' } = options;
  const adminKey = generateApiKey();
  const dir = mkdtempSync(join(tmpdir(), 'bg-replicas-'));
  const file = join(dir, 'gateway.yaml');
  writeFileSync(file, yamlOf({ ...options, redisUrl, keyPrefix }, hashApiKey(adminKey)));
  const started = await Promise.allSettled(Array.from({ length: count }, (_, i) => spawnReplica(`replica-${i}`, file, adminKey, logLevel)));
  const list = started.flatMap((s) => (s.status === 'fulfilled' ? [s.value] : []));
  let closed: Promise<void> | undefined;
  const cluster: TReplicas = {
    list,
    keyPrefix,
    close() {
      closed ??= (async () => {
        await Promise.all(
          list.map(async (r) => {
            const force = setTimeout(() => r.child.kill('SIGKILL'), 5000);
            await r.kill('SIGTERM');
            clearTimeout(force);
          }),
        );
        await deleteKeys(redisUrl, keyPrefix);
      })();
      return closed;
    },
  };
  const failed = started.find((s): s is PromiseRejectedResult => s.status === 'rejected');
  if (failed) {
    await cluster.close();
    throw failed.reason;
  }
  return cluster;
}

/** A redis-server of one test's own, on a free port: stop it and start it again on the same port. */
export interface TRedisServer {
  readonly url: string;
  readonly port: number;
  /** True while the server runs. */
  readonly running: boolean;
  /** Kills it (SIGKILL by default: no goodbye to its clients) and waits for the exit. */
  stop(signal?: NodeJS.Signals): Promise<void>;
  /** Starts it again on the same port (empty: no persistence). */
  start(): Promise<void>;
  close(): Promise<void>;
}

async function freePort(): Promise<number> {
  const server = createServer();
  server.listen(0, '127.0.0.1');
  await once(server, 'listening');
  const { port } = server.address() as { port: number };
  await new Promise((r) => server.close(r));
  return port;
}

/** Starts `/usr/bin/redis-server` without persistence on a free loopback port. */
export async function tredisServer(binary = '/usr/bin/redis-server'): Promise<TRedisServer> {
  const port = await freePort();
  let child: ChildProcess | undefined;
  let exited: Promise<unknown> = Promise.resolve();
  async function start() {
    // Redis keeps its own clock, as the shared server does: a libfaketime run (npm run test:any-day)
    // moves the gateway's time, not the server's.
    const env = Object.fromEntries(Object.entries(process.env).filter(([k]) => k !== 'LD_PRELOAD' && !k.startsWith('FAKETIME')));
    const c = spawn(binary, ['--port', String(port), '--bind', '127.0.0.1', '--save', '', '--appendonly', 'no', '--daemonize', 'no'], { stdio: ['ignore', 'pipe', 'pipe'], env });
    child = c;
    exited = once(c, 'exit').then(() => {
      if (child === c) child = undefined;
    });
    let out = '';
    await new Promise<void>((resolve, reject) => {
      c.stdout!.on('data', (d) => {
        out += d;
        if (out.includes('Ready to accept connections')) resolve();
      });
      c.on('exit', (code) => reject(new Error(`redis-server exited (${code}): ${out.slice(-1000)}`)));
    });
  }
  await start();
  const server: TRedisServer = {
    url: `redis://127.0.0.1:${port}/0`,
    port,
    get running() {
      return child !== undefined;
    },
    async stop(signal = 'SIGKILL') {
      if (!child) return;
      child.kill(signal);
      await exited;
    },
    start,
    close: () => server.stop(),
  };
  return server;
}
