/**
 * The listing's upstream: a static Norcube fake serving fixed `GET /backups` pages in the shapes of
 * the provider's OpenAPI spec (`response.APIResponseWithPagination` of `dto.BackupJob`), as cheaply
 * as a server can (every page serialized once, then served from memory), so the CPU a gateway
 * spends is the gateway's and the three servers of the listing scenario read the very same bytes.
 *
 * Data: `--jobs` backup jobs (default 500) over 20 data sources, newest first by `jobCreatedAt`,
 * 7 minutes apart from a fixed instant, every one a finished file (`success`, bytes written below
 * 2^31 so GraphQL's 32-bit `Int` of the Hive peer can carry them), timestamps as the spec's examples
 * write them (`2023-10-01T11:00:00Z`). Paging: `limit` (1..100, default 20), opaque `cursor`,
 * `datasourceIDs` (repeated) narrows to some data sources. Any `Authorization: Bearer <token>`
 * passes; none is a 401.
 *
 * Run as a child: `node --import tsx bench/upstream-fake.ts [--port N] [--latency-ms 0] [--jobs 500]`;
 * prints one JSON line `{"url": ...}` once it listens. Counters: `GET /__bench/stats` answers
 * `{ total, byRoute }` (not counted), `POST /__bench/reset` zeroes them.
 */
import { createHash } from 'node:crypto';
import { readFileSync } from 'node:fs';
import { createServer, type IncomingMessage, type ServerResponse } from 'node:http';
import { resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import { parseArgs } from 'node:util';

/** A deterministic UUID v4-shaped id for `label`. */
function uuidOf(label: string): string {
  const h = createHash('sha256').update(label).digest('hex');
  return `${h.slice(0, 8)}-${h.slice(8, 12)}-4${h.slice(13, 16)}-8${h.slice(17, 20)}-${h.slice(20, 32)}`;
}

/** The newest job's creation instant (fixed: the fake's data never depends on today's date). */
const NEWEST = Date.parse('2026-06-01T12:00:00Z');
const rfc3339 = (ms: number) => new Date(ms).toISOString().replace('.000Z', 'Z');
const DATASOURCE_NAMES = ['billing-core', 'search-index', 'orders', 'ledger', 'inventory', 'auth', 'analytics', 'crm', 'catalog', 'payments'];

/** The fake's jobs, newest first: `dto.BackupJob` records. */
export function fakeJobs(count: number): Array<Record<string, unknown>> {
  const datasources = Array.from({ length: 20 }, (_, i) => ({
    id: uuidOf(`ds-${i}`),
    name: `${DATASOURCE_NAMES[i % DATASOURCE_NAMES.length]}-${Math.floor(i / DATASOURCE_NAMES.length) + 1}`,
    engine: i % 4 === 3 ? 'mongodb' : 'postgres',
  }));
  return Array.from({ length: count }, (_, i) => {
    const ds = datasources[(i * 7) % datasources.length];
    const created = NEWEST - i * 7 * 60_000;
    const durationMs = 60_000 + ((i * 7919) % 1_200_000);
    return {
      datasourceEngine: ds.engine,
      datasourceId: ds.id,
      datasourceName: ds.name,
      destinationId: uuidOf('dest-1'),
      destinationIsManaged: true,
      destinationRegion: 'eu-central-1',
      jobBytesWritten: 10_000_000 + ((i * 104_729) % 2_000_000_000),
      jobCreatedAt: rfc3339(created),
      jobDurationMs: durationMs,
      jobFinishedAt: rfc3339(created + 5_000 + durationMs),
      jobId: uuidOf(`job-${i}`),
      jobScheduledFor: rfc3339(created),
      jobStartedAt: rfc3339(created + 5_000),
      jobStatus: 'success',
      jobTrigger: i % 5 === 0 ? 'manual' : 'schedule',
      policyCompression: 'none',
      policyEncryption: 'sse-s3',
      policyId: uuidOf(`policy-${i % 3}`),
      policyMethod: 'logical_dump',
      policyName: ['Daily', 'Hourly', 'Weekly'][i % 3],
      policyRetentionDays: 30,
    };
  });
}

/** The page body for a `/backups` query string (without `meta`'s fixed timestamp it would vary). */
function backupsPage(jobs: Array<Record<string, unknown>>, query: URLSearchParams): { status: number; body: unknown } {
  const limitRaw = query.get('limit');
  const limit = limitRaw === null ? 20 : Number(limitRaw);
  if (!Number.isInteger(limit) || limit < 1 || limit > 100) return { status: 400, body: { type: 'VALIDATION_FAILED', msg: 'see fields', fields: { limit: 'must be 1..100' } } };
  const ids = new Set(query.getAll('datasourceIDs').map((s) => s.toLowerCase()));
  const pool = ids.size > 0 ? jobs.filter((j) => ids.has(j.datasourceId as string)) : jobs;
  let start = 0;
  const cursor = query.get('cursor');
  if (cursor) {
    const at = Number(Buffer.from(cursor, 'base64url').toString('utf8'));
    if (!Number.isInteger(at) || at < 0) return { status: 400, body: { type: 'VALIDATION_FAILED', msg: 'invalid cursor' } };
    start = at;
  }
  const list = pool.slice(start, start + limit);
  const next = start + limit < pool.length ? Buffer.from(String(start + limit)).toString('base64url') : undefined;
  return { status: 200, body: { list, cursors: next ? { next } : {}, meta: { timestamp: '2026-06-01T12:00:00.000Z' } } };
}

/** Options of {@link startUpstreamFake}. */
export interface UpstreamFakeOptions {
  port?: number;
  /** Added latency before every answer, ms. @default 0 */
  latencyMs?: number;
  /** Jobs in the fake's list. @default 500 */
  jobs?: number;
}

/** Starts the fake in this process; resolves with its URL. */
export async function startUpstreamFake(options: UpstreamFakeOptions = {}): Promise<{ url: string; close(): Promise<void> }> {
  const { port = 0, latencyMs = 0, jobs: count = 500 } = options;
  const jobs = fakeJobs(count);
  const pages = new Map<string, { status: number; bytes: Buffer }>();
  let stats = { total: 0, byRoute: {} as Record<string, number> };
  const count1 = (route: string) => {
    stats.total++;
    stats.byRoute[route] = (stats.byRoute[route] ?? 0) + 1;
  };
  const send = (res: ServerResponse, status: number, bytes: Buffer | string) => {
    res.writeHead(status, { 'content-type': 'application/json; charset=utf-8', 'content-length': Buffer.byteLength(bytes) });
    res.end(bytes);
  };
  const answer = (req: IncomingMessage, res: ServerResponse) => {
    const url = req.url ?? '/';
    const q = url.indexOf('?');
    const path = q < 0 ? url : url.slice(0, q);
    if (path === '/__bench/stats') return send(res, 200, JSON.stringify(stats));
    if (path === '/__bench/reset' && req.method === 'POST') {
      stats = { total: 0, byRoute: {} };
      return send(res, 200, '{}');
    }
    if (req.method === 'GET' && path === '/backups') {
      count1('GET /backups');
      if (!/^Bearer \S+/.test(req.headers.authorization ?? '')) return send(res, 401, JSON.stringify({ type: 'UNAUTHORIZED', msg: 'missing bearer token' }));
      const key = q < 0 ? '' : url.slice(q + 1);
      let page = pages.get(key);
      if (!page) {
        const { status, body } = backupsPage(jobs, new URLSearchParams(key));
        page = { status, bytes: Buffer.from(JSON.stringify(body)) };
        if (pages.size < 10_000) pages.set(key, page);
      }
      return send(res, page.status, page.bytes);
    }
    count1(`${req.method} (unmatched)`);
    return send(res, 404, JSON.stringify({ type: 'NOT_FOUND', msg: 'route not found' }));
  };
  const server = createServer((req, res) => {
    req.resume();
    if (latencyMs > 0) setTimeout(answer, latencyMs, req, res);
    else answer(req, res);
  });
  server.keepAliveTimeout = 60_000;
  await new Promise<void>((r) => server.listen(port, '127.0.0.1', r));
  const { port: bound } = server.address() as { port: number };
  return {
    url: `http://127.0.0.1:${bound}`,
    close: () => new Promise((r) => {
      server.closeAllConnections();
      server.close(() => r());
    }),
  };
}

/**
 * Validates a `/backups` page against the spec's response schema for `GET /backups` 200, with Ajv
 * (the spec's components registered as one document). Answers the errors, empty when valid.
 */
export async function checkAgainstSpec(body: unknown): Promise<string[]> {
  const { Ajv } = await import('ajv');
  const specPath = fileURLToPath(new URL('../specs/norcube-snapdb.openapi.json', import.meta.url));
  const spec = JSON.parse(readFileSync(specPath, 'utf8'));
  const ajv = new Ajv({ strict: false, allErrors: true });
  ajv.addSchema({ components: spec.components }, 'norcube-spec');
  const schema = JSON.parse(JSON.stringify(spec.paths['/backups'].get.responses['200'].content['application/json'].schema).replaceAll('"#/components/', '"norcube-spec#/components/'));
  const validate = ajv.compile(schema);
  return validate(body) ? [] : (validate.errors ?? []).map((e) => `${e.instancePath} ${e.message}`);
}

if (process.argv[1] && resolve(process.argv[1]) === fileURLToPath(import.meta.url)) {
  const { values } = parseArgs({ options: { port: { type: 'string' }, 'latency-ms': { type: 'string' }, jobs: { type: 'string' } } });
  const fake = await startUpstreamFake({ port: Number(values.port ?? 0), latencyMs: Number(values['latency-ms'] ?? 0), jobs: Number(values.jobs ?? 500) });
  process.stdout.write(`${JSON.stringify({ url: fake.url })}\n`);
  process.on('SIGTERM', () => void fake.close().then(() => process.exit(0)));
}
