/**
 * A strict simulator of Bocada Cloud's read-only v1 API (PROVIDERS.md): `X-Api-Key` auth,
 * `pageSize`/`cursor` paging (1..200), filters, detail and timeline endpoints, `X-Request-Id`
 * echo, `RateLimit-*` headers and 429 with `RateLimit-Reset` + `Retry-After`. Scheduled work keeps
 * adding jobs that go queued -> running -> terminal.
 */
import {
  SEED_NOW, SimHttpError, every, intParam, simCursor, startSimulator, createRandom,
  type RunningSimulator, type SimDataOptions, type SimRequest, type SimulatorOptions,
} from '../../simulator/kit.ts';
import { compareJobs, seedBocada, timelineOf, type BocadaData } from './seed.ts';
import type { BocadaBackupJobDto } from './wire.ts';

/** Options of {@link startBocadaSimulator}. */
export interface BocadaSimulatorOptions extends SimulatorOptions, SimDataOptions {
  /** The API key that authenticates. @default 'bocada-demo-key' */
  credential?: string;
}

/** A running Bocada simulator. */
export interface BocadaSimulator extends RunningSimulator {
  readonly credential: string;
  /** The live dataset (tests read it to know the truth). */
  readonly data: BocadaData;
}

const JOB_STATUSES = new Set(['succeeded', 'succeeded_with_warnings', 'failed', 'running', 'queued', 'missed', 'canceled']);
const RESOURCE_TYPES = new Set(['vm', 'database', 'filesystem', 'application', 'saas']);
const PREFIX = '/api/v1';

function page<T>(items: T[], req: SimRequest): { status: number; body: unknown } {
  const pageSize = intParam(req.query, 'pageSize', { min: 1, max: 200 }) ?? 50;
  const raw = req.query.get('cursor');
  const offset = raw === null ? 0 : simCursor.decode(raw);
  if (offset === null || offset > items.length) throw new SimHttpError(400, 'bad_request', 'cursor is malformed');
  const data = items.slice(offset, offset + pageSize);
  const next = offset + pageSize < items.length ? simCursor.encode(offset + pageSize) : undefined;
  return { status: 200, body: { data, pagination: { pageSize, ...(next ? { nextCursor: next } : {}) } } };
}

/** Keyset paging over jobs: the cursor names the last job returned, so new jobs do not shift pages. */
function jobPage(items: BocadaBackupJobDto[], req: SimRequest, ascending: boolean) {
  const pageSize = intParam(req.query, 'pageSize', { min: 1, max: 200 }) ?? 50;
  const raw = req.query.get('cursor');
  let start = 0;
  if (raw !== null) {
    let key: { s?: unknown; i?: unknown };
    try {
      key = JSON.parse(Buffer.from(raw, 'base64url').toString('utf8'));
    } catch {
      throw new SimHttpError(400, 'bad_request', 'cursor is malformed');
    }
    if (typeof key?.s !== 'string' || typeof key?.i !== 'string') throw new SimHttpError(400, 'bad_request', 'cursor is malformed');
    const pivot = { startedAt: key.s, id: key.i } as BocadaBackupJobDto;
    const cmp = (j: BocadaBackupJobDto) => (ascending ? -compareJobs(j, pivot) : compareJobs(j, pivot));
    start = items.findIndex((j) => cmp(j) > 0);
    if (start < 0) start = items.length;
  }
  const data = items.slice(start, start + pageSize);
  const last = data.at(-1);
  const nextCursor = start + pageSize < items.length && last ? Buffer.from(JSON.stringify({ s: last.startedAt, i: last.id })).toString('base64url') : undefined;
  return { status: 200, body: { data, pagination: { pageSize, ...(nextCursor ? { nextCursor } : {}) } } };
}

function date(req: SimRequest, name: string): number | undefined {
  const v = req.query.get(name);
  if (v === null) return undefined;
  const t = Date.parse(v);
  if (!/^\d{4}-\d{2}-\d{2}/.test(v) || Number.isNaN(t)) throw new SimHttpError(400, 'bad_request', `${name} must be an ISO-8601 date-time`);
  return t;
}

/** Starts the Bocada simulator. */
export async function startBocadaSimulator(options: BocadaSimulatorOptions = {}): Promise<BocadaSimulator> {
  const { credential = 'bocada-demo-key', dataSeed = 42, scale = 1, stepMs = 1500, scheduleEveryMs = 20_000, now = SEED_NOW } = options;
  const data = seedBocada(dataSeed, scale, now);
  const live = createRandom(dataSeed + 1);
  const stop = new AbortController();
  const timers = new Set<NodeJS.Timeout>();
  const later = (ms: number, fn: () => void) => {
    const t = setTimeout(() => {
      timers.delete(t);
      fn();
    }, ms);
    t.unref();
    timers.add(t);
  };

  const sim = await startSimulator(
    {
      name: 'bocada',
      echoRequestId: true,
      authenticate: (req) => (req.headers['x-api-key'] === credential ? null : new SimHttpError(401, 'authentication_failed', 'API key is missing or invalid')),
      errorBody: (e, req) => ({ code: e.code, message: e.message, ...(e.extra.details ? { details: e.extra.details } : {}), requestId: req.requestId }),
      rateLimitHeaders: (s) => ({
        'ratelimit-limit': String(s.limit),
        'ratelimit-remaining': String(s.remaining),
        'ratelimit-reset': String(Math.max(0, Math.ceil((s.resetAtMs - s.now) / 1000))),
      }),
      retryAfterHeaders: (s) => ({ 'retry-after': String(Math.max(1, Math.ceil((s.resetAtMs - s.now) / 1000))) }),
      routes: (r) => {
        r.get(`${PREFIX}/system/status`, () => ({
          status: 200,
          body: { status: 'ok', apiVersion: 'v1', keyId: 'key_demo_01', scopes: ['read:organizations', 'read:resources', 'read:jobs'], serverTime: new Date().toISOString() },
        }));
        r.get(`${PREFIX}/organizations`, (req) => page(data.organizations, req));
        r.get(`${PREFIX}/organizations/:id`, (req) => {
          const o = data.organizations.find((x) => x.id === req.params.id);
          if (!o) throw new SimHttpError(404, 'not_found', 'organization not found');
          return { status: 200, body: o };
        });
        r.get(`${PREFIX}/connections`, (req) => {
          const org = req.query.get('organizationId');
          return page(org ? data.connections.filter((c) => c.organizationId === org) : data.connections, req);
        });
        r.get(`${PREFIX}/resources`, (req) => {
          const org = req.query.get('organizationId');
          const conn = req.query.get('connectionId');
          const type = req.query.get('type');
          if (type !== null && !RESOURCE_TYPES.has(type)) throw new SimHttpError(400, 'bad_request', `type must be one of ${[...RESOURCE_TYPES].join(', ')}`);
          return page(data.resources.filter((x) => (!org || x.organizationId === org) && (!conn || x.connectionId === conn) && (!type || x.type === type)), req);
        });
        r.get(`${PREFIX}/resources/:id`, (req) => {
          const x = data.resources.find((y) => y.id === req.params.id);
          if (!x) throw new SimHttpError(404, 'not_found', 'resource not found');
          return { status: 200, body: x };
        });
        r.get(`${PREFIX}/backup-jobs`, (req) => {
          const sort = req.query.get('sort') ?? '-startedAt';
          if (sort !== 'startedAt' && sort !== '-startedAt') throw new SimHttpError(400, 'bad_request', 'sort must be startedAt or -startedAt');
          const status = req.query.get('status');
          if (status !== null && !JOB_STATUSES.has(status)) throw new SimHttpError(400, 'bad_request', `status must be one of ${[...JOB_STATUSES].join(', ')}`);
          const after = date(req, 'startedAfter');
          const before = date(req, 'startedBefore');
          const org = req.query.get('organizationId');
          const res = req.query.get('resourceId');
          let items = data.jobs.filter((j) => {
            const t = Date.parse(j.startedAt);
            return (!org || j.organizationId === org) && (!res || j.resourceId === res) && (!status || j.status === status) &&
              (after === undefined || t >= after) && (before === undefined || t < before);
          });
          if (sort === 'startedAt') items = items.slice().reverse();
          return jobPage(items, req, sort === 'startedAt');
        });
        r.get(`${PREFIX}/backup-jobs/:id`, (req) => {
          const j = data.jobs.find((x) => x.id === req.params.id);
          if (!j) throw new SimHttpError(404, 'not_found', 'backup job not found');
          return { status: 200, body: j };
        });
        r.get(`${PREFIX}/backup-jobs/:id/timeline`, (req) => {
          const j = data.jobs.find((x) => x.id === req.params.id);
          if (!j) throw new SimHttpError(404, 'not_found', 'backup job not found');
          return page(timelineOf(j), req);
        });
      },
    },
    options,
  );

  // Scheduled work: a new job now and then, moving through its statuses.
  let made = 0;
  every(scheduleEveryMs, () => {
    const res = data.resources[live.int(0, data.resources.length - 1)];
    const job: BocadaBackupJobDto = {
      id: live.uuid(), organizationId: res.organizationId, resourceId: res.id, connectionId: res.connectionId, status: 'queued',
      startedAt: new Date(Math.max(Date.now(), now.getTime() + 1000)).toISOString(), endedAt: null, bytesTransferred: 0, filesTransferred: 0,
    };
    data.jobs.unshift(job);
    data.jobs.sort(compareJobs);
    const n = ++made;
    later(stepMs, () => (job.status = 'running'));
    later(2 * stepMs, () => {
      job.status = n % 5 === 0 ? 'failed' : n % 7 === 0 ? 'succeeded_with_warnings' : 'succeeded';
      job.endedAt = new Date(Date.parse(job.startedAt) + 2 * stepMs).toISOString();
      job.bytesTransferred = live.int(1, 900) * 1_048_576;
      job.filesTransferred = live.int(1, 20_000);
    });
  }, stop.signal);

  return {
    name: sim.name,
    url: sim.url,
    port: sim.port,
    credential,
    data,
    get stats() {
      return sim.stats;
    },
    resetStats: () => sim.resetStats(),
    setFault: (k, f) => sim.setFault(k, f),
    clearFaults: () => sim.clearFaults(),
    setRateLimit: (s) => sim.setRateLimit(s),
    async close() {
      stop.abort();
      for (const t of timers) clearTimeout(t);
      await sim.close();
    },
  };
}
