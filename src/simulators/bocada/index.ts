/**
 * A strict simulator of Bocada Cloud's read-only v1 API (PROVIDERS.md): `X-Api-Key` auth,
 * `pageSize`/`cursor` paging (1..200), filters, detail and timeline endpoints, `X-Request-Id`
 * echo, `RateLimit-*` headers and 429 with `RateLimit-Reset` + `Retry-After`. Scheduled work keeps
 * adding jobs that go queued -> running -> terminal.
 */
import {
  SimHttpError, asSeededSimulator, createRandom, createTimers, resolveSimTime, retryAfterHeader, secondsUntil, startSimulator,
  type SeededSimulator, type SimDataOptions, type SimTimers, type SimulatorOptions,
} from '../kit/index.ts';
import type { Clock } from '../../domain/clock.ts';
import { seedBocada, seededUuid, timelineOf, type BocadaKnownResources } from './seed.ts';
import { createBocadaJobStore, type BocadaJobStore } from './jobs.ts';
import { dateParam, jobPage, offsetPage } from './paging.ts';
import {
  BOCADA_JOB_STATUSES, BOCADA_RESOURCE_TYPES,
  type BocadaConnectionRecord, type BocadaErrorBody, type BocadaJobRecord, type BocadaOrganizationRecord, type BocadaResourceRecord,
  type BocadaStatusRecord,
} from './dto.ts';

/** Options of {@link startBocadaSimulator}. */
export interface BocadaSimulatorOptions extends SimulatorOptions, SimDataOptions {
  /** The API key that authenticates. @default 'bocada-demo-key' */
  credential?: string;
}

/** The simulator's dataset, for tests to know the truth (do not mutate). */
export interface BocadaData {
  organizations: readonly BocadaOrganizationRecord[];
  connections: readonly BocadaConnectionRecord[];
  resources: readonly BocadaResourceRecord[];
  /** Every job, newest first (ties by id); a fresh array per read, built from the job store. */
  readonly jobs: BocadaJobRecord[];
}

/** A running Bocada simulator. */
export interface BocadaSimulator extends SeededSimulator {
  /** The live dataset (tests read it to know the truth; do not mutate). */
  readonly data: BocadaData;
  /** The job store behind `/backup-jobs` (cheap lookups and counts at any scale). */
  readonly jobStore: BocadaJobStore;
  /** The known resources, one per protection status (README "Protection and RPO"). */
  readonly known: BocadaKnownResources;
}

const JOB_STATUSES: ReadonlySet<string> = new Set(BOCADA_JOB_STATUSES);
const RESOURCE_TYPES: ReadonlySet<string> = new Set(BOCADA_RESOURCE_TYPES);
const SORTS = new Set(['startedAt', '-startedAt']);
const PREFIX = '/api/v1';

/** Starts the Bocada simulator on loopback (port 0 picks a free one). */
export async function startBocadaSimulator(options: BocadaSimulatorOptions = {}): Promise<BocadaSimulator> {
  const { credential = 'bocada-demo-key', dataSeed = 42, scale = 1, stepMs = 1500, scheduleEveryMs = 20_000 } = options;
  const time = resolveSimTime(options);
  const { anchor, clock } = time;
  const seed = seedBocada(dataSeed, scale, new Date(anchor));
  const jobStore = createBocadaJobStore(seed.jobs, seed.resources);
  const data: BocadaData = {
    organizations: seed.organizations, connections: seed.connections, resources: seed.resources,
    get jobs() {
      return jobStore.all();
    },
  };
  const resourcesById = new Map(data.resources.map((x) => [x.id, x]));
  const notFound = (what: string) => new SimHttpError(404, 'not_found', `${what} not found`);
  const jobOf = (id: string) => jobStore.get(id) ?? (() => { throw notFound('backup job'); })();

  const sim = await startSimulator(
    {
      name: 'bocada',
      echoRequestId: true,
      authenticate: (req) =>
        req.headers['x-api-key'] === credential ? null : new SimHttpError(401, 'authentication_failed', 'API key is missing or invalid'),
      errorBody: (e, req): BocadaErrorBody => ({
        code: e.code, message: e.message, ...(e.extra.details !== undefined ? { details: e.extra.details } : {}), requestId: req.requestId,
      }),
      rateLimitHeaders: (s) => ({
        'ratelimit-limit': String(s.limit),
        'ratelimit-remaining': String(s.remaining),
        'ratelimit-reset': String(secondsUntil(s.resetAtMs, s.now)),
      }),
      retryAfterHeaders: retryAfterHeader,
      routes: (r) => {
        r.get(`${PREFIX}/system/status`, () => {
          const body: BocadaStatusRecord = {
            status: 'ok', apiVersion: 'v1', keyId: 'key_demo_01', scopes: ['read:organizations', 'read:resources', 'read:jobs'], serverTime: new Date(clock.now()).toISOString(),
          };
          return { status: 200, body };
        });
        r.get(`${PREFIX}/organizations`, (req) => offsetPage(data.organizations, req));
        r.get(`${PREFIX}/organizations/:id`, (req) => {
          const o = data.organizations.find((x) => x.id === req.params.id);
          if (!o) throw notFound('organization');
          return { status: 200, body: o };
        });
        r.get(`${PREFIX}/connections`, (req) => {
          const org = req.query.get('organizationId');
          return offsetPage(org ? data.connections.filter((c) => c.organizationId === org) : data.connections, req);
        });
        r.get(`${PREFIX}/resources`, (req) => {
          const org = req.query.get('organizationId');
          const conn = req.query.get('connectionId');
          const type = req.query.get('type');
          if (type !== null && !RESOURCE_TYPES.has(type)) {
            throw new SimHttpError(400, 'bad_request', `type must be one of ${[...RESOURCE_TYPES].join(', ')}`, { details: { parameter: 'type' } });
          }
          const items = org || conn || type
            ? data.resources.filter((x) => (!org || x.organizationId === org) && (!conn || x.connectionId === conn) && (!type || x.type === type))
            : data.resources;
          return offsetPage(items, req);
        });
        r.get(`${PREFIX}/resources/:id`, (req) => {
          const x = resourcesById.get(req.params.id);
          if (!x) throw notFound('resource');
          return { status: 200, body: x };
        });
        r.get(`${PREFIX}/backup-jobs`, (req) => {
          const sort = req.query.get('sort') ?? '-startedAt';
          if (!SORTS.has(sort)) throw new SimHttpError(400, 'bad_request', 'sort must be startedAt or -startedAt', { details: { parameter: 'sort' } });
          const status = req.query.get('status');
          if (status !== null && !JOB_STATUSES.has(status)) {
            throw new SimHttpError(400, 'bad_request', `status must be one of ${[...JOB_STATUSES].join(', ')}`, { details: { parameter: 'status' } });
          }
          const refs = jobStore.query({
            organizationId: req.query.get('organizationId') || undefined,
            resourceId: req.query.get('resourceId') || undefined,
            status: status || undefined,
            startedAfterMs: dateParam(req, 'startedAfter'),
            startedBeforeMs: dateParam(req, 'startedBefore'),
          });
          const ascending = sort === 'startedAt';
          return jobPage(ascending ? refs.reverse() : refs, jobStore, req, ascending);
        });
        r.get(`${PREFIX}/backup-jobs/:id`, (req) => ({ status: 200, body: jobOf(req.params.id) }));
        r.get(`${PREFIX}/backup-jobs/:id/timeline`, (req) => offsetPage(timelineOf(jobOf(req.params.id)), req));
      },
    },
    options,
  );

  const timers = createTimers();
  startScheduledWork({ resources: seed.resources, jobStore, seed: dataSeed + 1, clock, stepMs, scheduleEveryMs, timers });
  return asSeededSimulator(sim, { credential, time, onClose: () => timers.close() }, { data, jobStore, known: seed.known });
}

/**
 * Scheduled work: every `scheduleEveryMs` a job appears `queued` on a random resource, turns
 * `running` after `stepMs` and reaches a terminal status after another `stepMs`, all on `timers`
 * (unref'd, stopped by their `close()`).
 */
function startScheduledWork(o: {
  resources: readonly BocadaResourceRecord[]; jobStore: BocadaJobStore; seed: number; clock: Clock; stepMs: number; scheduleEveryMs: number; timers: SimTimers;
}): void {
  const live = createRandom(o.seed);
  const { later } = o.timers;
  let made = 0;
  o.timers.every(o.scheduleEveryMs, () => {
    const res = o.resources[live.int(0, o.resources.length - 1)];
    const job: BocadaJobRecord = {
      id: seededUuid(live), organizationId: res.organizationId, resourceId: res.id, connectionId: res.connectionId, status: 'queued',
      startedAt: new Date(o.clock.now()).toISOString(), endedAt: null, bytesTransferred: 0, filesTransferred: 0,
    };
    o.jobStore.add(job);
    const n = ++made;
    later(o.stepMs, () => (job.status = 'running'));
    later(2 * o.stepMs, () => {
      job.status = n % 5 === 0 ? 'failed' : n % 7 === 0 ? 'succeeded_with_warnings' : 'succeeded';
      job.endedAt = new Date(Date.parse(job.startedAt) + 2 * o.stepMs).toISOString();
      job.bytesTransferred = live.int(1, 900) * 1_048_576;
      job.filesTransferred = live.int(1, 20_000);
    });
  });
}
