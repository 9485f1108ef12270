/**
 * A strict simulator of ByCloud's volume and database backup API (its docs; PROVIDERS.md):
 * bearer auth, `limit` (1..1000) + `marker` paging with `meta` (and the docs' misleading `links`),
 * filters, `X-RateLimit-*` headers with a Unix-time reset, 429 with `Retry-After`, mixed status
 * casing, and `POST /v1/backups` whose backup goes creating -> available.
 */
import {
  SimHttpError, asSeededSimulator, createRandom, createTimers, intParam, resolveSimTime, retryAfterHeader, startSimulator,
  type SeededSimulator, type SimDataOptions, type SimRequest, type SimulatorOptions,
} from '../kit/index.ts';
import { seedBycloud, type BycloudKnownVolumes } from './seed.ts';
import type {
  BycloudDatabaseBackupRecord, BycloudErrorBody, BycloudListLinks, BycloudListMeta, BycloudVolumeBackupRecord,
} from './dto.ts';

/** Options of {@link startBycloudSimulator}. */
export interface BycloudSimulatorOptions extends SimulatorOptions, SimDataOptions {
  /** The bearer token that authenticates. @default 'bycloud-demo-token' */
  credential?: string;
}

/** A running ByCloud simulator. */
export interface BycloudSimulator extends SeededSimulator {
  readonly volumeBackups: BycloudVolumeBackupRecord[];
  readonly databaseBackups: BycloudDatabaseBackupRecord[];
  /** The known volumes, one per protection status (README "Protection and RPO"). */
  readonly known: BycloudKnownVolumes;
}

const UUID = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/i;
function matchesName(name: string, pattern: string | null): boolean {
  if (pattern === null) return true;
  return pattern.endsWith('*') ? name.startsWith(pattern.slice(0, -1)) : name === pattern;
}

/** Statuses in lower case, by their spelling (a handful: the seed mixes casings). */
const lowerStatus = new Map<string, string>();
function lower(status: string): string {
  let l = lowerStatus.get(status);
  if (l === undefined) lowerStatus.set(status, (l = status.toLowerCase()));
  return l;
}

/**
 * One page of `items` after `marker` that pass the query's `name` and `status` and `extra` (null:
 * every item does), in one pass that copies only the page: at scale 100 a collection holds 40,000
 * backups, read a page at a time.
 */
function list<T extends { id: string; name: string; status: string }>(items: T[], req: SimRequest, key: string, extra: ((x: T) => boolean) | null) {
  const limit = intParam(req.query, 'limit', { min: 1, max: 1000 }) ?? 20;
  const marker = req.query.get('marker');
  const name = req.query.get('name');
  const status = req.query.get('status')?.toLowerCase() ?? null;
  if (marker !== null && !UUID.test(marker)) throw new SimHttpError(400, 'bad_request', 'marker must be a UUID');
  const every = name === null && status === null && extra === null;
  // `start`: the index, among the items that pass, of the first one after the marker (-1 until it is seen).
  let start = marker === null ? 0 : -1;
  let total = 0;
  const page: T[] = [];
  for (const x of items) {
    if (!every && !(matchesName(x.name, name) && (status === null || lower(x.status) === status) && (extra === null || extra(x)))) continue;
    if (start < 0) {
      if (x.id === marker) start = total + 1;
    } else if (page.length < limit) page.push(x);
    total++;
  }
  if (start < 0) throw new SimHttpError(400, 'bad_request', 'marker not found');
  const hasMore = start + limit < total;
  const last = page.at(-1)?.id ?? null;
  // The docs' links point at the wrong collection; clients must page with `meta`.
  const links: BycloudListLinks = { self: `/v1/instances?limit=${limit}`, ...(hasMore && last ? { next: `/v1/instances?limit=${limit}&marker=${last}` } : {}) };
  const meta: BycloudListMeta = { total, limit, marker: hasMore ? last : null, has_more: hasMore };
  return { status: 200, body: { [key]: page, meta, links } };
}

/** Starts the ByCloud simulator. */
export async function startBycloudSimulator(options: BycloudSimulatorOptions = {}): Promise<BycloudSimulator> {
  const { credential = 'bycloud-demo-token', dataSeed = 42, scale = 1, stepMs = 1500 } = options;
  const time = resolveSimTime(options);
  const { anchor, clock } = time;
  const { volumeBackups, databaseBackups, known } = seedBycloud(dataSeed + 7, scale, anchor);
  const live = createRandom(dataSeed + 8);
  const timers = createTimers();

  const sim = await startSimulator(
    {
      name: 'bycloud',
      authenticate: (req) => (req.headers.authorization === `Bearer ${credential}` ? null : new SimHttpError(401, 'unauthorized', 'Authentication required or token invalid')),
      errorBody: (e, req): BycloudErrorBody => ({
        error: { code: e.status, message: e.message, ...(e.extra.details ? { details: e.extra.details } : {}), request_id: req.requestId },
      }),
      rateLimitHeaders: (s) => ({
        'x-ratelimit-limit': String(s.limit),
        'x-ratelimit-remaining': String(s.remaining),
        'x-ratelimit-reset': String(Math.ceil(s.resetAtMs / 1000)),
      }),
      retryAfterHeaders: retryAfterHeader,
      routes: (r) => {
        r.get('/v1/backups', (req) => {
          const vol = req.query.get('volume_id');
          return list(volumeBackups, req, 'backups', vol === null ? null : (x) => x.volume_id === vol);
        });
        r.get('/v1/backups/:id', (req) => {
          const b = volumeBackups.find((x) => x.id === req.params.id);
          if (!b) throw new SimHttpError(404, 'not_found', 'backup not found');
          return { status: 200, body: b };
        });
        r.get('/v1/database-backups', (req) => {
          const inst = req.query.get('instance_id');
          const ds = req.query.get('datastore_type');
          return list(databaseBackups, req, 'database_backups', inst === null && ds === null ? null : (x) => (inst === null || x.instance_id === inst) && (ds === null || x.datastore.type === ds));
        });
        r.get('/v1/database-backups/:id', (req) => {
          const b = databaseBackups.find((x) => x.id === req.params.id);
          if (!b) throw new SimHttpError(404, 'not_found', 'database backup not found');
          return { status: 200, body: b };
        });
        // The 202 body is the new backup object itself.
        r.post('/v1/backups', (req) => {
          const body = (req.body ?? {}) as Record<string, unknown>;
          const volumeId = body.volume_id;
          if (typeof volumeId !== 'string' || !UUID.test(volumeId)) throw new SimHttpError(400, 'bad_request', 'volume_id is required and must be a UUID');
          if (!volumeBackups.some((b) => b.volume_id === volumeId)) throw new SimHttpError(404, 'not_found', 'volume not found');
          if (!body.force && volumeBackups.some((b) => b.volume_id === volumeId && b.status.toLowerCase() === 'creating')) {
            throw new SimHttpError(409, 'conflict', 'the volume already has a backup in progress; retry later or pass force');
          }
          const id = live.uuid();
          const at = new Date(clock.now()).toISOString();
          const b: BycloudVolumeBackupRecord = {
            id, crn: `crn:spo1:storage:backup:${id}`, name: typeof body.name === 'string' ? body.name : `manual-${at.slice(0, 19)}`,
            description: typeof body.description === 'string' ? body.description : null, status: 'creating', volume_id: volumeId,
            size: 0, container: null, is_incremental: body.incremental === true, has_dependent_backups: false,
            snapshot_id: typeof body.snapshot_id === 'string' ? body.snapshot_id : null,
            // The volume's own tags (its name, its scheduler's) carry over to every backup of it.
            metadata: { ...(volumeBackups.find((x) => x.volume_id === volumeId)?.metadata ?? {}) }, created_at: at, updated_at: at,
          };
          volumeBackups.unshift(b);
          timers.later(2 * stepMs, () => {
            b.status = 'available';
            b.size = live.int(1, 200);
            b.updated_at = new Date(Date.parse(at) + 2 * stepMs).toISOString();
          });
          return { status: 202, body: b };
        });
      },
    },
    options,
  );

  return asSeededSimulator(sim, { credential, time, onClose: () => timers.close() }, { volumeBackups, databaseBackups, known });
}
