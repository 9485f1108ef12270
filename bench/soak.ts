/**
 * Benchmark: the soak. The fuzz mix of test/e2e/hardening-input.test.ts (bad JSON, wrong-type
 * variables, huge documents and bodies, deep queries, bad ids, unknown fields, SSE subscribe and
 * cancel, single-connection PUTs never used, a stalled body), with some well-formed traffic, for
 * several minutes against one gateway; the gateway's RSS is sampled from /proc every few seconds
 * (no GC forced) and must level off: RSS after the soak within 15% of RSS after the warm-up.
 *
 * Three processes, so neither the load nor the simulators share the gateway's heap or CPU: this
 * one (the load and the sampling), `--role=sims` (the four simulators) and `--role=gateway` (the
 * gateway alone, with its default limits).
 */
import { fork, type ChildProcess } from 'node:child_process';
import { once } from 'node:events';
import { readFileSync } from 'node:fs';
import { rawExchange } from '../test/utils/traw.ts';
import { Writable } from 'node:stream';
import { fileURLToPath } from 'node:url';
import { encodeGlobalId } from '../src/domain/ids.ts';

/** Options of {@link soakScenario}. */
export interface SoakOptions {
  /** Length of the soak after the warm-up, in ms. @default 180_000 */
  durationMs?: number;
  /**
   * Shortest warm-up (same mix, not judged), in ms. The heap reaches its working size after some
   * thousands of requests (about 30 s at ~170 requests/s), so the warm-up lasts this long and
   * at least `warmupRequests`. @default 60_000
   */
  warmupMs?: number;
  /** Fewest requests the warm-up sends (a loaded machine sends fewer per second). @default 10_000 */
  warmupRequests?: number;
  /** How often the gateway's RSS is read, in ms. @default 5_000 */
  sampleEveryMs?: number;
  /** Each phase is judged by the median RSS of its samples over its last this many ms. @default 30_000 */
  judgeWindowMs?: number;
  /** Concurrent request loops (besides the one stalled-body loop). @default 6 */
  concurrency?: number;
  /** Most growth of RSS after the soak over RSS after the warm-up. @default 0.15 */
  maxGrowth?: number;
}

/** One RSS sample of the gateway process. */
export interface RssSample {
  /** Seconds since the warm-up began. */
  t: number;
  phase: 'warmup' | 'soak';
  /** VmRSS, MB. */
  rssMb: number;
  /** V8 heap used, MB (from the gateway, at about the same moment). */
  heapUsedMb: number;
  /** Requests answered so far. */
  requests: number;
}

/** What the soak measured. */
export interface SoakResult {
  durationS: number;
  /** How long the warm-up lasted (its time and its requests both reached), s. */
  warmupS: number;
  concurrency: number;
  requests: number;
  requestsPerSec: number;
  /** Answers by request kind and HTTP status (`error` = the request failed without an answer). */
  statuses: Record<string, Record<string, number>>;
  /** HTTP 5xx answers in all (the mix must cause none). */
  http5xx: number;
  /** Gateway log lines at warn and at error level. */
  gatewayLogs: { warn: number; error: number };
  /** Median RSS over the warm-up's last `judgeWindowMs`, MB. */
  rssAfterWarmupMb: number;
  /** Median RSS over the soak's last `judgeWindowMs`, MB. */
  rssAfterSoakMb: number;
  /** rssAfterSoak / rssAfterWarmup. */
  ratio: number;
  maxGrowth: number;
  passed: boolean;
  /** The gateway's counters at the end (what could grow without bound). */
  gatewayState: unknown;
  series: RssSample[];
}

const SELF = fileURLToPath(import.meta.url);
const MB = 1024 * 1024;
const round1 = (n: number) => Math.round(n * 10) / 10;

/** The gateway process's resident set, read from /proc (bytes). */
function vmRss(pid: number): number {
  const m = /^VmRSS:\s+(\d+) kB/m.exec(readFileSync(`/proc/${pid}/status`, 'utf8'));
  return m ? Number(m[1]) * 1024 : NaN;
}

function spawnRole(role: 'sims' | 'gateway'): ChildProcess {
  return fork(SELF, [`--role=${role}`], { execArgv: ['--import', 'tsx'], stdio: ['ignore', 'inherit', 'inherit', 'ipc'] });
}

/** Sends `msg` to `child` and resolves with its first answer of type `type`. */
function ask<T>(child: ChildProcess, msg: object, type: string): Promise<T> {
  return new Promise((resolve) => {
    const on = (m: { type: string }) => {
      if (m.type !== type) return;
      child.off('message', on);
      resolve(m as T);
    };
    child.on('message', on);
    child.send(msg);
  });
}

/** A small seeded PRNG, so two runs send the same mix. */
function mulberry32(seed: number): () => number {
  let a = seed >>> 0;
  return () => {
    a = (a + 0x6d2b79f5) >>> 0;
    let t = a;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}

const ofTypes = (levels: number) => `__type(name: "Query") { ${'ofType { '.repeat(levels)}name${' }'.repeat(levels)} }`;
const BACKUPS = 'query($f: Int, $a: String, $filter: BackupFilter) { backups(first: $f, after: $a, filter: $filter) { totalCount } }';
const UUID = '0f0e0d0c-0b0a-4908-8706-050403020100';
const PROGRESS = 'subscription($id: ID!) { backupProgress(backupId: $id) { status percent done } }';
const TOKEN_HEADER = 'x-graphql-event-stream-token';

/** One kind of request of the mix: its weight and how to send it (resolves with the HTTP status). */
export interface Kind {
  name: string;
  weight: number;
  send(url: string, signal: AbortSignal): Promise<number>;
}

async function post(url: string, body: string, signal: AbortSignal, headers: Record<string, string> = {}): Promise<number> {
  const res = await fetch(`${url}/graphql`, {
    method: 'POST', body, signal,
    headers: { 'content-type': 'application/json', accept: 'application/graphql-response+json, application/json', ...headers },
  });
  await res.arrayBuffer();
  return res.status;
}
const gql = (url: string, query: string, variables: Record<string, unknown> | undefined, signal: AbortSignal) => post(url, JSON.stringify({ query, variables }), signal);

/** Reads an event stream until its first `next` event (or the stream ends), then drops it. */
async function firstEventThenCancel(res: Response): Promise<number> {
  const reader = res.body!.getReader();
  const dec = new TextDecoder();
  let text = '';
  try {
    while (!text.includes('event: next')) {
      const { done, value } = await reader.read();
      if (done) break;
      text += dec.decode(value, { stream: true });
    }
  } finally {
    await reader.cancel().catch(() => undefined);
  }
  return res.status;
}

/** The request kinds of the mix, over the given oCore backup ids, drawing randomness from `pick`. */
export function fuzzMix(ocoreBackups: string[], pick: () => number): Kind[] {
  const anyBackup = () => ocoreBackups[Math.floor(pick() * ocoreBackups.length)];
  const hugeBody = JSON.stringify({ query: `{ __typename }${' '.repeat(1_100_000)}` });
  return [
    // Well-formed traffic, so the success paths soak too.
    { name: 'listing', weight: 6, send: (u, s) => gql(u, '{ backups(first: 10) { nodes { id status sizeBytes } totalCount } }', undefined, s) },
    { name: 'node', weight: 3, send: (u, s) => gql(u, 'query($id: ID!) { node(id: $id) { id } }', { id: anyBackup() }, s) },
    { name: 'providers', weight: 2, send: (u, s) => gql(u, '{ providers { id name health { status } } }', undefined, s) },
    // The fuzz mix.
    { name: 'bad-json', weight: 3, send: (u, s) => post(u, '{"query": "{ backups { nodes { id } } }", "variables": {', s) },
    { name: 'wrong-type-variables', weight: 4, send: (u, s) => gql(u, BACKUPS, [{ f: 'x' }, { f: 1.5 }, { filter: { status: ['NOPE'] } }, { filter: 'ocore' }][Math.floor(pick() * 4)], s) },
    { name: 'huge-document', weight: 2, send: (u, s) => gql(u, `{ ${'__typename '.repeat(8001)}}`, undefined, s) },
    { name: 'huge-body', weight: 1, send: (u, s) => post(u, hugeBody, s) },
    { name: 'deep-query', weight: 3, send: (u, s) => gql(u, `{ ${ofTypes(12)} }`, undefined, s) },
    { name: 'many-aliases', weight: 2, send: (u, s) => gql(u, `{ ${Array.from({ length: 31 }, (_, i) => `a${i}: providers { id }`).join(' ')} }`, undefined, s) },
    { name: 'bad-id', weight: 3, send: (u, s) => gql(u, 'query($id: ID!) { node(id: $id) { id } }', { id: encodeGlobalId('ocore', 'backup', ['..', '%2F', 'a\u0000b', ''][Math.floor(pick() * 4)]) }, s) },
    { name: 'unknown-id', weight: 2, send: (u, s) => gql(u, 'query($id: ID!) { node(id: $id) { id } }', { id: encodeGlobalId('ocore', 'backup', UUID) }, s) },
    { name: 'unknown-field', weight: 3, send: (u, s) => gql(u, '{ backups { nope } }', undefined, s) },
    {
      name: 'sse-subscribe-cancel', weight: 3,
      async send(u, s) {
        const res = await fetch(`${u}/graphql`, {
          method: 'POST', signal: s, body: JSON.stringify({ query: PROGRESS, variables: { id: anyBackup() } }),
          headers: { 'content-type': 'application/json', accept: 'text/event-stream' },
        });
        return firstEventThenCancel(res);
      },
    },
    {
      name: 'sse-single-connection', weight: 2,
      async send(u, s) {
        const put = await fetch(`${u}/graphql`, { method: 'PUT', signal: s });
        if (put.status !== 201) return put.status;
        const token = await put.text();
        const stream = await fetch(`${u}/graphql`, { signal: s, headers: { accept: 'text/event-stream', [TOKEN_HEADER]: token } });
        const op = await fetch(`${u}/graphql`, {
          method: 'POST', signal: s, headers: { 'content-type': 'application/json', [TOKEN_HEADER]: token },
          body: JSON.stringify({ query: PROGRESS, variables: { id: anyBackup() }, extensions: { operationId: 'soak' } }),
        });
        await op.arrayBuffer();
        return firstEventThenCancel(stream);
      },
    },
    {
      // Reservations never used: they must expire (clients named by a header, as a caller would be).
      name: 'put-without-use', weight: 2,
      async send(u, s) {
        const res = await fetch(`${u}/graphql`, { method: 'PUT', signal: s, headers: { 'x-soak-client': `abuser-${Math.floor(pick() * 4)}` } });
        await res.arrayBuffer();
        return res.status;
      },
    },
  ];
}

/** Sends half a body and stalls until the gateway gives up on it (its request timeout). */
async function stalledBody(url: string): Promise<number> {
  const data = await rawExchange(url, `POST /graphql HTTP/1.1\r\nHost: ${new URL(url).host}\r\nContent-Type: application/json\r\nContent-Length: 100\r\n\r\n{"query":`);
  return Number(/^HTTP\/1\.1 (\d{3})/.exec(data)?.[1] ?? 0);
}

/** Runs the soak; resolves with its figures (the caller decides what a failure does). */
export async function soakScenario(options: SoakOptions = {}): Promise<SoakResult> {
  const { durationMs = 180_000, warmupMs = 60_000, warmupRequests = 10_000, sampleEveryMs = 5_000, judgeWindowMs = 30_000, concurrency = 6, maxGrowth = 0.15 } = options;
  const sims = spawnRole('sims');
  const gatewayProc = spawnRole('gateway');
  try {
    const [simsReady] = (await once(sims, 'message')) as [{ providers: unknown[] }];
    const { url } = await ask<{ url: string }>(gatewayProc, { type: 'start', providers: simsReady.providers }, 'ready');
    const pid = gatewayProc.pid!;

    const listing = await fetch(`${url}/graphql`, {
      method: 'POST', headers: { 'content-type': 'application/json' },
      body: JSON.stringify({ query: '{ backups(first: 50, filter: { providers: ["ocore"] }) { nodes { id } } }' }),
    }).then((r) => r.json() as Promise<{ data: { backups: { nodes: Array<{ id: string }> } } }>);
    const ocoreBackups = listing.data.backups.nodes.map((n) => n.id);
    if (ocoreBackups.length === 0) throw new Error('the oCore simulator has no backups to subscribe to');

    const pick = mulberry32(11);
    const kinds = fuzzMix(ocoreBackups, pick);
    const totalWeight = kinds.reduce((n, k) => n + k.weight, 0);
    const choose = () => {
      let r = pick() * totalWeight;
      for (const k of kinds) if ((r -= k.weight) < 0) return k;
      return kinds[kinds.length - 1];
    };
    const statuses: Record<string, Record<string, number>> = {};
    const count = (kind: string, status: string) => {
      const byStatus = (statuses[kind] ??= {});
      byStatus[status] = (byStatus[status] ?? 0) + 1;
    };
    let requests = 0;
    const started = Date.now();
    // Set once the warm-up is over (both its time and its requests): the soak runs from there.
    let warmupEnds = Infinity;
    let ends = Infinity;

    const loops = Array.from({ length: concurrency }, async () => {
      while (Date.now() < ends) {
        const kind = choose();
        try {
          count(kind.name, String(await kind.send(url, AbortSignal.timeout(30_000))));
        } catch {
          count(kind.name, 'error');
        }
        requests++;
      }
    });
    const slow = (async () => {
      while (Date.now() < ends) {
        count('stalled-body', String(await stalledBody(url)));
        requests++;
      }
    })();

    const series: RssSample[] = [];
    const sample = async (at: number) => {
      const rss = vmRss(pid);
      const { heapUsed } = await ask<{ heapUsed: number }>(gatewayProc, { type: 'stats' }, 'stats');
      const s: RssSample = { t: Math.round((at - started) / 1000), phase: at <= warmupEnds ? 'warmup' : 'soak', rssMb: round1(rss / MB), heapUsedMb: round1(heapUsed / MB), requests };
      series.push(s);
      console.log(`  ${String(s.t).padStart(4)} s  ${s.phase.padEnd(6)}  rss ${s.rssMb} MB  heap ${s.heapUsedMb} MB  ${requests} requests`);
    };
    // Samples on a fixed grid; the warm-up ends on the first one past both its time and its
    // requests, the soak on the one `durationMs` later.
    for (let at = started; at <= ends; at += sampleEveryMs) {
      await new Promise((r) => setTimeout(r, Math.max(0, at - Date.now())));
      if (warmupEnds === Infinity && at - started >= warmupMs && requests >= warmupRequests) {
        warmupEnds = at;
        ends = at + durationMs;
      }
      await sample(at);
    }
    await Promise.all(loops);
    // The stalled-body loop may be mid-wait (up to the request timeout): it is not waited for.
    void slow;

    // Without a forced GC, RSS swings with the heap's sawtooth (tens of MB between major GCs): each
    // phase's figure is the median of its samples over its last `judgeWindowMs`.
    const median = (xs: number[]) => {
      const s = [...xs].sort((a, b) => a - b);
      return s.length === 0 ? NaN : round1(s.length % 2 ? s[(s.length - 1) / 2] : (s[s.length / 2 - 1] + s[s.length / 2]) / 2);
    };
    const lastOf = (phase: RssSample['phase'], endS: number) => series.filter((s) => s.phase === phase && s.t > endS - judgeWindowMs / 1000).map((s) => s.rssMb);
    const rssAfterWarmupMb = median(lastOf('warmup', (warmupEnds - started) / 1000));
    const rssAfterSoakMb = median(lastOf('soak', (ends - started) / 1000));
    const ratio = Math.round((rssAfterSoakMb / rssAfterWarmupMb) * 1000) / 1000;
    const end = await ask<{ logs: { warn: number; error: number }; state: unknown }>(gatewayProc, { type: 'stats' }, 'stats');
    const http5xx = Object.values(statuses).reduce((n, byStatus) => n + Object.entries(byStatus).filter(([s]) => s.startsWith('5')).reduce((m, [, c]) => m + c, 0), 0);
    return {
      durationS: durationMs / 1000,
      warmupS: Math.round((warmupEnds - started) / 1000),
      concurrency,
      requests,
      requestsPerSec: Math.round(requests / ((Date.now() - started) / 1000)),
      statuses,
      http5xx,
      gatewayLogs: end.logs,
      rssAfterWarmupMb,
      rssAfterSoakMb,
      ratio,
      maxGrowth,
      passed: ratio <= 1 + maxGrowth,
      gatewayState: end.state,
      series,
    };
  } finally {
    gatewayProc.kill('SIGTERM');
    sims.kill('SIGTERM');
    await Promise.all([once(gatewayProc, 'exit'), once(sims, 'exit')]);
  }
}

// ---- the child processes ------------------------------------------------------------------------

async function runSims(): Promise<void> {
  const { startAllSimulators } = await import('../src/simulators/start-all.ts');
  const sims = await startAllSimulators({ scheduleEveryMs: 0 });
  for (const s of sims.list) s.simulator.setRateLimit({ limit: 100_000_000, windowMs: 60_000 });
  process.on('SIGTERM', () => void sims.close().then(() => process.exit(0)));
  process.send!({ type: 'ready', providers: sims.list.map((s) => s.provider) });
}

async function runGateway(): Promise<void> {
  const [{ default: pino }, { createGateway }] = await Promise.all([import('pino'), import('../src/server/gateway.ts')]);
  const logs = { warn: 0, error: 0 };
  const sink = new Writable({
    write(chunk: Buffer, _enc, cb) {
      for (const line of chunk.toString().split('\n')) {
        if (!line) continue;
        const level = (JSON.parse(line) as { level: number }).level;
        if (level >= 50) logs.error++;
        else if (level >= 40) logs.warn++;
      }
      cb();
    },
  });
  const [start] = (await once(process, 'message')) as [{ providers: Parameters<typeof createGateway>[0]['providers'] }];
  const gateway = createGateway({
    // The simulators' limits are lifted, and so is the gateway's outbound budget: the soak is about memory.
    providers: start.providers.map((p) => ({ ...p, upstream: { ...p.upstream, rateLimit: 'none' as const } })),
    logger: pino({ level: 'warn' }, sink),
    graphiql: false,
    // The soak's abusers name themselves, as callers will once access control exists.
    singleConnection: { clientOf: (request) => request.headers.get('x-soak-client') ?? undefined },
  });
  const { url } = await gateway.listen(0);
  process.on('message', (msg: { type: string; gc?: boolean }) => {
    if (msg.type !== 'stats') return;
    // Only for leak hunting (run with --expose-gc): the soak itself never forces a GC.
    if (msg.gc) (globalThis as { gc?: () => void }).gc?.();
    process.send!({ type: 'stats', heapUsed: process.memoryUsage().heapUsed, logs, state: { progress: { ...gateway.progress.stats } } });
  });
  process.on('SIGTERM', () => void gateway.close().then(() => process.exit(0)));
  process.send!({ type: 'ready', url });
}

const role = process.argv.find((a) => a.startsWith('--role='))?.slice('--role='.length);
if (role === 'sims') await runSims();
else if (role === 'gateway') await runGateway();
