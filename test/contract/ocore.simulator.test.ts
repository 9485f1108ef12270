/**
 * The oCore simulator over real HTTP: auth, limit/offset paging and its 400s, filters, details and
 * 404s, schedules (404 when none, cron/retention/timezone validation, computed next runs),
 * retention preview, PITR coverage, alerts, operation steps, triggered backups / restores /
 * deletions progressing on timers, scheduled work, throttling, and the SSE progress streams read
 * with a real stream reader (ids, Last-Event-ID replay, finished operations, drop fault,
 * keep-alives, open-stream counter).
 */
import { createParser } from 'eventsource-parser';
import { beforeAll, describe, expect, it } from 'vitest';
import { disposeAfterAll, disposeAfterEach } from '../utils/leftovers.ts';
import { callOn, collectPages, pollUntil, withQuery, type CallInit, type Json } from '../utils/tsimulator.ts';
import { FIXED_ANCHOR } from '../../src/simulators/kit/index.ts';
import { createOcoreSeed } from '../../src/simulators/ocore/seed.ts';
import { startOcoreSimulator, type OcoreSimulator } from '../../src/simulators/ocore/index.ts';

let sim: OcoreSimulator;
/** Operations take a minute per step here: states stay put and streams stay open until the client leaves. */
let slow: OcoreSimulator;

const call = (path: string, init: CallInit = {}) => callOn(sim, path, init);

/** Every item of a limit/offset list, page by page, to `total`. */
const allPages = async (path: string, key: string, limit = 100): Promise<Json[]> =>
  (await collectPages(async (offset: number | null) => {
    const from = offset ?? 0;
    const r = await call(withQuery(path, { limit, offset: from }));
    expect(r.status).toBe(200);
    expect(r.body[key].length).toBeLessThanOrEqual(limit);
    const to = from + r.body[key].length;
    return { items: r.body[key] as Json[], next: r.body[key].length === 0 || to >= r.body.total ? null : to };
  }, { what: path })).items;

interface SseEvent {
  id: string | undefined;
  event: string | undefined;
  data: Json;
}

interface SseRead {
  status: number;
  contentType: string | null;
  /** Parsed JSON body when the answer was not a stream. */
  body?: Json;
  events: SseEvent[];
  comments: string[];
  /** `closed`: the server ended the stream; `aborted`: we left; `error`: the connection broke. */
  outcome: 'closed' | 'aborted' | 'error';
}

interface SseOptions {
  target?: OcoreSimulator;
  lastEventId?: string;
  /** Leave (abort) once this holds. */
  stopWhen?: (r: SseRead) => boolean;
  signal?: AbortSignal;
  timeoutMs?: number;
}

/** Opens a progress stream with fetch and parses it with eventsource-parser until it ends. */
async function readSse(path: string, opts: SseOptions = {}): Promise<SseRead> {
  const target = opts.target ?? sim;
  const ac = new AbortController();
  opts.signal?.addEventListener('abort', () => ac.abort(), { once: true });
  const timer = setTimeout(() => ac.abort(), opts.timeoutMs ?? 5000);
  const headers: Record<string, string> = { authorization: `Bearer ${target.credential}`, accept: 'text/event-stream' };
  if (opts.lastEventId !== undefined) headers['last-event-id'] = opts.lastEventId;
  const out: SseRead = { status: 0, contentType: null, events: [], comments: [], outcome: 'closed' };
  try {
    const res = await fetch(target.url + path, { headers, signal: ac.signal });
    out.status = res.status;
    out.contentType = res.headers.get('content-type');
    if (!out.contentType?.startsWith('text/event-stream')) {
      out.body = await res.json();
      return out;
    }
    const check = () => {
      if (opts.stopWhen?.(out)) ac.abort();
    };
    const parser = createParser({
      onEvent: (e) => {
        out.events.push({ id: e.id, event: e.event, data: JSON.parse(e.data) });
        check();
      },
      onComment: (c) => {
        out.comments.push(c.trim());
        check();
      },
    });
    const reader = res.body!.getReader();
    const decoder = new TextDecoder();
    for (;;) {
      const { done, value } = await reader.read();
      if (done) break;
      parser.feed(decoder.decode(value, { stream: true }));
    }
  } catch {
    out.outcome = ac.signal.aborted ? 'aborted' : 'error';
  } finally {
    clearTimeout(timer);
  }
  return out;
}

async function triggerBackup(envId: string, type: 'db' | 'full' = 'db', target = sim): Promise<string> {
  const r = await callOn(target, `/api/environments/${envId}/backups`, { method: 'POST', body: { type } });
  expect(r.status).toBe(202);
  return r.body.backupId;
}

async function backupUntilDone(id: string): Promise<Json> {
  const r = await pollUntil(() => call(`/api/backups/${id}`), (x) => x.body?.status === 'completed' || x.body?.status === 'failed');
  return r.body;
}

const fx = () => sim.fixtures();
const BACKUP_EVENT_KEYS = ['at', 'backupId', 'bytesDone', 'bytesTotal', 'message', 'percent', 'phase', 'status'];

beforeAll(async () => {
  sim = disposeAfterAll(await startOcoreSimulator({ stepMs: 50, scheduleEveryMs: 0 }));
  slow = disposeAfterAll(await startOcoreSimulator({ stepMs: 60_000, scheduleEveryMs: 0, keepAliveMs: 20 }));
});

describe('auth and errors', () => {
  it.each([
    ['no header', null],
    ['a wrong token', 'Bearer not-the-token'],
    ['the token without the Bearer scheme', 'ocore-demo-token'],
  ])('answers 401 { error: "unauthorized" } with %s', async (_, authorization) => {
    const r = await call('/api/projects', authorization === null ? { auth: null } : { headers: { authorization } });
    expect(r.status).toBe(401);
    expect(r.body).toEqual({ error: 'unauthorized' });
  });

  it('authenticates with the default demo token', async () => {
    expect(sim.credential).toBe('ocore-demo-token');
    expect((await call('/api/projects')).status).toBe(200);
  });

  it('answers unknown routes with 404 in the { error } shape', async () => {
    const r = await call('/api/nope');
    expect(r.status).toBe(404);
    expect(r.body).toEqual({ error: expect.any(String) });
  });

  it('answers a malformed JSON body with 400', async () => {
    const r = await call(`/api/environments/${fx().productionEnvironmentId}/backups`, { method: 'POST', body: '{not json' });
    expect(r.status).toBe(400);
    expect(r.body.error).toMatch(/json/i);
  });
});

describe('projects and environments', () => {
  it('lists 4 projects (the last one holds the known environments), one with a unicode name', async () => {
    const r = await call('/api/projects');
    expect(r.status).toBe(200);
    expect(r.body.total).toBe(4);
    expect(r.body.projects).toHaveLength(4);
    for (const p of r.body.projects) expect(Object.keys(p).sort()).toEqual(['id', 'name']);
    expect(r.body.projects.some((p: Json) => /[^\x00-\x7f]/.test(p.name))).toBe(true);
  });

  it('pages projects with limit and offset', async () => {
    const all = (await call('/api/projects')).body.projects;
    const r = await call('/api/projects?limit=1&offset=1');
    expect(r.body).toEqual({ projects: [all[1]], total: 4 });
    expect((await call('/api/projects?offset=5')).body).toEqual({ projects: [], total: 4 });
  });

  it.each(['limit=0', 'limit=101', 'limit=-1', 'limit=abc', 'offset=-1', 'offset=1.5'])('answers 400 for %s', async (q) => {
    const r = await call(`/api/projects?${q}`);
    expect(r.status).toBe(400);
    expect(r.body.error).toEqual(expect.any(String));
  });

  it('lists each project\'s environments with their types', async () => {
    for (const id of fx().projectIds) {
      const r = await call(`/api/projects/${id}/environments`);
      expect(r.status).toBe(200);
      expect(r.body.total).toBe(4);
      for (const e of r.body.environments) {
        expect(Object.keys(e).sort()).toEqual(['id', 'name', 'type']);
        expect(['production', 'staging', 'development']).toContain(e.type);
      }
    }
    const page = await call(`/api/projects/${fx().projectIds[0]}/environments?limit=2&offset=2`);
    expect(page.body.environments).toHaveLength(2);
    expect(page.body.total).toBe(4);
  });

  it('answers 404 for an unknown project and 400 for a bad limit', async () => {
    expect((await call('/api/projects/00000000-0000-4000-8000-000000000000/environments')).status).toBe(404);
    expect((await call('/api/projects/00000000-0000-4000-8000-000000000000/backups')).status).toBe(404);
    expect((await call(`/api/projects/${fx().projectIds[0]}/environments?limit=500`)).status).toBe(400);
  });
});

describe('backups', () => {
  it('pages every backup of every project exactly once, newest first (~600 over 30 days)', async () => {
    let sum = 0;
    for (const id of fx().projectIds) {
      const first = await call(`/api/projects/${id}/backups`);
      expect(first.body.backups).toHaveLength(50);
      const items = await allPages(`/api/projects/${id}/backups`, 'backups');
      expect(items).toHaveLength(first.body.total);
      expect(new Set(items.map((b) => b.id)).size).toBe(items.length);
      const times = items.map((b) => Date.parse(b.createdAt));
      expect(times).toEqual([...times].sort((a, b) => b - a));
      expect(Math.min(...times)).toBeGreaterThanOrEqual(sim.anchor.getTime() - 30 * 86_400_000);
      sum += items.length;
    }
    expect(sum).toBeGreaterThan(500);
    expect(sum).toBeLessThan(800);
  });

  it('filters project backups by status; a bad status is 400', async () => {
    const r = await call(`/api/projects/${fx().projectIds[0]}/backups?status=failed&limit=100`);
    expect(r.body.total).toBeGreaterThan(0);
    for (const b of r.body.backups) {
      expect(b.status).toBe('failed');
      expect(b.errorMessage).toEqual(expect.any(String));
    }
    expect((await call(`/api/projects/${fx().projectIds[0]}/backups?status=FAILURE`)).status).toBe(400);
    expect((await call(`/api/projects/${fx().projectIds[0]}/backups?limit=101`)).status).toBe(400);
  });

  it('lists an environment\'s backups (default limit 20) with status and type filters', async () => {
    const env = fx().productionEnvironmentId;
    const r = await call(`/api/environments/${env}/backups`);
    expect(r.status).toBe(200);
    expect(r.body.backups).toHaveLength(20);
    const full = await call(`/api/environments/${env}/backups?type=full&limit=100`);
    expect(full.body.total).toBeGreaterThan(5);
    expect(full.body.total).toBeLessThan(r.body.total);
    for (const b of full.body.backups) expect(b.backupType).toBe('full');
    const both = await call(`/api/environments/${env}/backups?type=db&status=completed&limit=100`);
    for (const b of both.body.backups) expect([b.backupType, b.status]).toEqual(['db', 'completed']);
    const all = await allPages(`/api/environments/${env}/backups`, 'backups', 7);
    expect(all).toHaveLength(r.body.total);
    expect(new Set(all.map((b) => b.id)).size).toBe(all.length);
  });

  it.each(['type=weekly', 'status=done', 'limit=0', 'offset=x'])('answers 400 on the environment list for %s', async (q) => {
    expect((await call(`/api/environments/${fx().productionEnvironmentId}/backups?${q}`)).status).toBe(400);
  });

  it('answers 404 for an unknown environment or backup', async () => {
    const env = await call('/api/environments/00000000-0000-4000-8000-000000000000/backups');
    expect(env.status).toBe(404);
    expect(env.body).toEqual({ error: 'environment not found' });
    const b = await call('/api/backups/00000000-0000-4000-8000-000000000000');
    expect(b.status).toBe(404);
    expect(b.body).toEqual({ error: 'backup not found' });
  });

  it('returns a completed backup with checksums, remote paths, GFS tiers and green evidence', async () => {
    const r = await call(`/api/backups/${fx().completedBackupId}`);
    expect(r.status).toBe(200);
    const b = r.body;
    expect(b).toMatchObject({ status: 'completed', environmentId: fx().productionEnvironmentId, environmentType: 'production', errorMessage: null });
    expect(b.dbChecksum).toMatch(/^[0-9a-f]{64}$/);
    expect(b.configChecksum).toMatch(/^[0-9a-f]{64}$/);
    expect(b.sizeBytes).toBeGreaterThan(0);
    expect(Object.keys(b.remotePaths).length).toBeGreaterThan(0);
    expect(b.gfsTiers.length).toBeGreaterThan(0);
    expect(b.recoveryEvidence).toMatchObject({
      operation: 'backup', status: 'green', canWriteCleanSuccess: true, missingSteps: [], blockingSteps: [],
      requiredSteps: expect.arrayContaining(['snapshot', 'dump', 'upload', 'verify']),
    });
    expect(Object.values(b.recoveryEvidence.artifactChecksums)).toContain(b.dbChecksum);
    expect(Date.parse(b.completedAt)).toBeGreaterThan(Date.parse(b.startedAt));
  });

  it('returns full backups with a filestore checksum and db backups without', async () => {
    const r = await call(`/api/environments/${fx().productionEnvironmentId}/backups?status=completed&limit=100`);
    const full = r.body.backups.find((b: Json) => b.backupType === 'full');
    const db = r.body.backups.find((b: Json) => b.backupType === 'db');
    expect(full.filestoreChecksum).toMatch(/^[0-9a-f]{64}$/);
    expect(db.filestoreChecksum).toBeNull();
  });

  it('returns a failed backup with its error and red evidence blocking on the failed step', async () => {
    const b = (await call(`/api/backups/${fx().failedBackupId}`)).body;
    expect(b.status).toBe('failed');
    expect(b.errorMessage).toEqual(expect.any(String));
    expect(b.dbChecksum).toBeNull();
    expect(b.gfsTiers).toEqual([]);
    expect(b.recoveryEvidence.status).toBe('red');
    expect(b.recoveryEvidence.canWriteCleanSuccess).toBe(false);
    expect(b.recoveryEvidence.blockingSteps).toHaveLength(1);
  });
});

describe('operation steps', () => {
  it('derives a failed backup\'s steps from its history: completed, one failed, then skipped', async () => {
    const r = await call(`/api/operations/backup/${fx().failedBackupId}/steps`);
    expect(r.status).toBe(200);
    const statuses = r.body.steps.map((s: Json) => s.status);
    expect(r.body.total).toBe(r.body.steps.length);
    const failedAt = statuses.indexOf('failed');
    expect(failedAt).toBeGreaterThanOrEqual(0);
    expect(statuses.slice(0, failedAt).every((s: string) => s === 'completed')).toBe(true);
    expect(statuses.slice(failedAt + 1).every((s: string) => s === 'skipped')).toBe(true);
    const backup = (await call(`/api/backups/${fx().failedBackupId}`)).body;
    expect(r.body.steps[failedAt].output).toBe(backup.errorMessage);
    expect(backup.recoveryEvidence.blockingSteps).toEqual([r.body.steps[failedAt].name]);
  });

  it('lists a completed backup\'s steps in order with timings', async () => {
    const r = await call(`/api/operations/backup/${fx().completedBackupId}/steps`);
    const steps = r.body.steps;
    const { backupType } = (await call(`/api/backups/${fx().completedBackupId}`)).body;
    const names = backupType === 'full' ? ['snapshot', 'dump', 'filestore', 'upload', 'verify', 'notify'] : ['snapshot', 'dump', 'upload', 'verify', 'notify'];
    expect(steps.map((s: Json) => s.name)).toEqual(names);
    expect(steps.map((s: Json) => s.sortOrder)).toEqual(names.map((_, i) => i + 1));
    for (const s of steps) {
      expect(['completed', 'failed']).toContain(s.status);
      expect(s.durationMs).toBe(Date.parse(s.completedAt) - Date.parse(s.startedAt));
      expect(Object.keys(s).sort()).toEqual(['completedAt', 'durationMs', 'id', 'name', 'output', 'sortOrder', 'startedAt', 'status']);
    }
  });

  it('lists a failed restore\'s steps', async () => {
    const r = await call(`/api/operations/restore/${fx().failedRestoreLogId}/steps`);
    expect(r.status).toBe(200);
    expect(r.body.steps.map((s: Json) => s.status)).toContain('failed');
    expect(r.body.steps[0].name).toBe('download');
  });

  it('answers 400 for an unknown operation type and 404 for unknown ids', async () => {
    expect((await call(`/api/operations/deploy/${fx().completedBackupId}/steps`)).status).toBe(400);
    expect((await call('/api/operations/backup/00000000-0000-4000-8000-000000000000/steps')).status).toBe(404);
    // A restore is addressed by its restore log id, not by the backup id.
    expect((await call(`/api/operations/restore/${fx().completedBackupId}/steps`)).status).toBe(404);
  });
});

describe('schedules', () => {
  it('returns the schedule with next runs in the future of its clock', async () => {
    const asked = sim.clock.now();
    const r = await call(`/api/environments/${fx().productionEnvironmentId}/backup-schedule`);
    expect(r.status).toBe(200);
    expect(r.body).toMatchObject({ environmentId: fx().productionEnvironmentId, enabled: true, paused: false, walEnabled: true, dbCron: expect.any(String) });
    for (const f of ['nextDbBackupAt', 'nextFullBackupAt']) {
      expect(Date.parse(r.body[f])).toBeGreaterThan(asked);
    }
    for (const f of ['retainDbDaily', 'retainFullMonthly', 'retainHourlyDays', 'walRetentionDays']) expect(Number.isInteger(r.body[f])).toBe(true);
  });

  it('answers 404 { error } when the environment has no schedule', async () => {
    for (const id of fx().unscheduledEnvironmentIds) {
      const r = await call(`/api/environments/${id}/backup-schedule`);
      expect(r.status).toBe(404);
      expect(r.body).toEqual({ error: expect.any(String) });
    }
    expect((await call('/api/environments/00000000-0000-4000-8000-000000000000/backup-schedule')).status).toBe(404);
  });

  it('reports no next runs for paused or disabled schedules', async () => {
    const paused = (await call(`/api/environments/${fx().pausedEnvironmentId}/backup-schedule`)).body;
    expect(paused.paused).toBe(true);
    expect(paused.nextDbBackupAt).toBeNull();
    const disabled = (await call(`/api/environments/${fx().disabledEnvironmentId}/backup-schedule`)).body;
    expect(disabled.enabled).toBe(false);
    expect(disabled.nextFullBackupAt).toBeNull();
  });

  it.each([
    [{ dbCron: '61 * * * *' }],
    [{ fullCron: '* * * *' }],
    [{ dbCron: '@daily' }],
    [{ retainDbDaily: -1 }],
    [{ retainFullWeekly: 1.5 }],
    [{ walRetentionDays: -3 }],
    [{ timezone: 'Mars/Olympus_Mons' }],
    [{ enabled: 'yes' }],
    [{ destinationIds: ['not-a-destination'] }],
  ])('rejects %j with 400', async (body) => {
    const r = await call(`/api/environments/${fx().productionEnvironmentId}/backup-schedule`, { method: 'PUT', body });
    expect(r.status).toBe(400);
    expect(r.body.error).toEqual(expect.any(String));
  });

  it('creates a schedule where none existed, computing next runs in its time zone', async () => {
    const env = fx().unscheduledEnvironmentIds[0];
    const asked = sim.clock.now();
    const r = await call(`/api/environments/${env}/backup-schedule`, {
      method: 'PUT', body: { dbCron: '0 9 * * *', fullCron: '15 2 * * 0', timezone: 'Asia/Tokyo', retainDbDaily: 3 },
    });
    expect(r.status).toBe(200);
    expect(r.body).toMatchObject({ environmentId: env, enabled: true, dbCron: '0 9 * * *', timezone: 'Asia/Tokyo', retainDbDaily: 3 });
    const nextDb = new Date(r.body.nextDbBackupAt);
    // 09:00 in Tokyo (UTC+9, no DST) is 00:00 UTC.
    expect([nextDb.getUTCHours(), nextDb.getUTCMinutes()]).toEqual([0, 0]);
    expect(nextDb.getTime() - asked).toBeLessThanOrEqual(86_400_000);
    expect(nextDb.getTime()).toBeGreaterThan(asked);
    const nextFull = new Date(r.body.nextFullBackupAt);
    expect([nextFull.getUTCDay(), nextFull.getUTCHours(), nextFull.getUTCMinutes()]).toEqual([6, 17, 15]);
    const again = await call(`/api/environments/${env}/backup-schedule`);
    expect(again.status).toBe(200);
    expect(again.body.id).toBe(r.body.id);
  });

  it('updates only the given fields', async () => {
    const env = fx().unscheduledEnvironmentIds[0];
    const before = (await call(`/api/environments/${env}/backup-schedule`)).body;
    const r = await call(`/api/environments/${env}/backup-schedule`, { method: 'PUT', body: { paused: true } });
    expect(r.body).toEqual({ ...before, paused: true, nextDbBackupAt: null, nextFullBackupAt: null });
  });

  it('lists cron presets with valid 5-field crons', async () => {
    const r = await call('/api/backup-schedule/presets');
    expect(r.status).toBe(200);
    expect(r.body.length).toBeGreaterThan(3);
    for (const p of r.body) {
      expect(p.cron.split(' ')).toHaveLength(5);
      expect(p.label).toEqual(expect.any(String));
    }
  });

  it('previews retention: a stricter policy deletes more, sizes add up', async () => {
    const path = `/api/environments/${fx().productionEnvironmentId}/backup-schedule/retention-preview`;
    const strict = await call(path, { method: 'POST', body: { retainDbHourly: 1, retainDbDaily: 1, retainDbWeekly: 1, retainDbMonthly: 1, retainDailyDays: 0 } });
    expect(strict.status).toBe(200);
    const current = await call(path, { method: 'POST', body: {} });
    expect(strict.body.items.length).toBeGreaterThan(current.body.items.length);
    expect(strict.body.totalSizeBytes).toBe(strict.body.items.reduce((s: number, i: Json) => s + i.sizeBytes, 0));
    for (const i of strict.body.items) {
      expect(Object.keys(i).sort()).toEqual(['backupId', 'backupType', 'createdAt', 'gfsTiers', 'reason', 'sizeBytes']);
    }
    expect((await call(path, { method: 'POST', body: { retainDaily: -1 } })).status).toBe(400);
    expect((await call('/api/environments/00000000-0000-4000-8000-000000000000/backup-schedule/retention-preview', { method: 'POST', body: {} })).status).toBe(404);
  });
});

describe('PITR coverage', () => {
  it('reports base backups, WAL ranges around a gap, and the recoverable window', async () => {
    const r = await call(`/api/environments/${fx().productionEnvironmentId}/pitr-coverage`);
    expect(r.status).toBe(200);
    const c = r.body;
    expect(c.baseBackups.length).toBeGreaterThan(0);
    expect(c.gaps).toHaveLength(1);
    expect(c.walRanges).toHaveLength(2);
    expect(c.walRanges[0].end).toBe(c.gaps[0].start);
    expect(c.walRanges[1].start).toBe(c.gaps[0].end);
    expect(c.earliestRecoverable).toBe(c.walRanges[0].start);
    expect(c.latestRecoverable).toBe(c.walRanges[1].end);
  });

  it('reports empty coverage without WAL archiving and 404 for an unknown environment', async () => {
    const r = await call(`/api/environments/${fx().unscheduledEnvironmentIds[1]}/pitr-coverage`);
    expect(r.body).toEqual({ baseBackups: [], earliestRecoverable: null, gaps: [], latestRecoverable: null, walRanges: [] });
    expect((await call('/api/environments/00000000-0000-4000-8000-000000000000/pitr-coverage')).status).toBe(404);
  });
});

describe('alerts', () => {
  it('lists undismissed alerts by default and all with include_dismissed', async () => {
    const active = (await call('/api/backup-alerts?limit=100')).body;
    const all = (await call('/api/backup-alerts?include_dismissed=true&limit=100')).body;
    expect(all.total).toBeGreaterThanOrEqual(30);
    // How many depends on the seed's anchor (the demo's day): the total counts exactly what one page of 100 lists.
    expect(all.total).toBeLessThanOrEqual(100);
    expect(all.alerts).toHaveLength(all.total);
    expect(active.total).toBeLessThan(all.total);
    expect(active.alerts.every((a: Json) => a.dismissed === false)).toBe(true);
    expect(new Set(all.alerts.map((a: Json) => a.type))).toEqual(new Set(['backup_failed', 'backup_missed', 'pitr_gap', 'retention']));
    expect(new Set(all.alerts.map((a: Json) => a.severity))).toEqual(new Set(['info', 'warning', 'critical']));
    expect(all.alerts.some((a: Json) => a.backupId === null)).toBe(true);
    expect(all.alerts.some((a: Json) => a.read)).toBe(true);
    for (const a of all.alerts) {
      expect(Object.keys(a).sort()).toEqual(['backupId', 'createdAt', 'dismissed', 'environmentId', 'environmentName', 'id', 'message', 'read', 'severity', 'type']);
    }
  });

  it('takes limit (default 50) but no offset', async () => {
    const r = await call('/api/backup-alerts?limit=5&offset=3');
    const first = await call('/api/backup-alerts?limit=5');
    expect(r.body.alerts).toEqual(first.body.alerts);
    expect(r.body.alerts).toHaveLength(5);
    expect((await call('/api/backup-alerts?limit=101')).status).toBe(400);
    expect((await call('/api/backup-alerts?limit=0')).status).toBe(400);
    expect((await call('/api/backup-alerts?include_dismissed=maybe')).status).toBe(400);
  });

  it('counts unread and undismissed alerts; read and dismiss change the counts', async () => {
    const count = async () => (await call('/api/backup-alerts/count')).body;
    const list = (await call('/api/backup-alerts?limit=100')).body;
    const before = await count();
    expect(before).toEqual({ undismissed: list.total, unread: list.alerts.filter((a: Json) => !a.read).length });
    const unread = list.alerts.find((a: Json) => !a.read);
    const r = await call(`/api/backup-alerts/${unread.id}/read`, { method: 'POST' });
    expect(r).toMatchObject({ status: 200, body: { message: expect.any(String) } });
    expect(await count()).toEqual({ undismissed: before.undismissed, unread: before.unread - 1 });
    const d = await call(`/api/backup-alerts/${unread.id}/dismiss`, { method: 'POST' });
    expect(d.status).toBe(200);
    expect(await count()).toEqual({ undismissed: before.undismissed - 1, unread: before.unread - 1 });
    const after = (await call('/api/backup-alerts?limit=100')).body;
    expect(after.alerts.some((a: Json) => a.id === unread.id)).toBe(false);
    expect((await call('/api/backup-alerts?include_dismissed=true&limit=100')).body.alerts.find((a: Json) => a.id === unread.id)).toMatchObject({ read: true, dismissed: true });
  });

  it('answers 404 for an unknown alert', async () => {
    expect((await call('/api/backup-alerts/00000000-0000-4000-8000-000000000000/dismiss', { method: 'POST' })).status).toBe(404);
    expect((await call('/api/backup-alerts/00000000-0000-4000-8000-000000000000/read', { method: 'POST' })).status).toBe(404);
  });
});

describe('triggered backups and deletion', () => {
  it('answers 202 and shows the new backup pending, first in its environment', async () => {
    const env = slow.fixtures().productionEnvironmentId;
    const id = await triggerBackup(env, 'full', slow);
    const b = (await callOn(slow, `/api/backups/${id}`)).body;
    expect(b).toMatchObject({ id, status: 'pending', backupType: 'full', startedAt: null, completedAt: null, sizeBytes: 0, dbChecksum: null });
    expect(b.recoveryEvidence.status).toBe('pending');
    expect((await callOn(slow, `/api/environments/${env}/backups?limit=1`)).body.backups[0].id).toBe(id);
    const steps = (await callOn(slow, `/api/operations/backup/${id}/steps`)).body.steps;
    expect(steps.every((s: Json) => s.status === 'pending')).toBe(true);
  });

  it('moves a triggered backup pending -> running -> completed', async () => {
    const id = await triggerBackup(fx().productionEnvironmentId, 'full');
    const seen = new Set<string>();
    const done = await pollUntil(async () => {
      const b = (await call(`/api/backups/${id}`)).body;
      seen.add(b.status);
      return b;
    }, (b) => b.status === 'completed' || b.status === 'failed');
    expect(seen.has('running')).toBe(true);
    expect(done.status).toBe('completed');
    expect(done.sizeBytes).toBeGreaterThan(0);
    expect(done.filestoreChecksum).toMatch(/^[0-9a-f]{64}$/);
    expect(done.recoveryEvidence.status).toBe('green');
    const steps = (await call(`/api/operations/backup/${id}/steps`)).body.steps;
    expect(steps.map((s: Json) => s.name)).toEqual(['snapshot', 'dump', 'filestore', 'upload', 'verify', 'notify']);
    expect(steps.every((s: Json) => s.status === 'completed')).toBe(true);
    const list = (await call(`/api/environments/${fx().productionEnvironmentId}/backups?limit=1`)).body;
    expect(list.backups[0].id).toBe(id);
  });

  it('fails some triggered backups deterministically, with an error, a failed step and an alert', async () => {
    const before = (await call('/api/backup-alerts/count')).body.undismissed;
    const ids = await Promise.all([0, 1, 2, 3, 4].map(() => triggerBackup(fx().productionEnvironmentId)));
    const done = await Promise.all(ids.map(backupUntilDone));
    const failed = done.filter((b) => b.status === 'failed');
    expect(failed).toHaveLength(1);
    expect(failed[0].errorMessage).toEqual(expect.any(String));
    const steps = (await call(`/api/operations/backup/${failed[0].id}/steps`)).body.steps;
    expect(steps.filter((s: Json) => s.status === 'failed')).toHaveLength(1);
    expect((await call('/api/backup-alerts/count')).body.undismissed).toBe(before + 1);
    const alert = (await call('/api/backup-alerts?limit=1')).body.alerts[0];
    expect(alert).toMatchObject({ type: 'backup_failed', backupId: failed[0].id, read: false, dismissed: false });
  });

  it.each([[{ type: 'weekly' }], [{}], [[]]])('rejects a trigger body %j with 400', async (body) => {
    const r = await call(`/api/environments/${fx().productionEnvironmentId}/backups`, { method: 'POST', body });
    expect(r.status).toBe(400);
  });

  it('answers 404 when triggering on an unknown environment', async () => {
    const r = await call('/api/environments/00000000-0000-4000-8000-000000000000/backups', { method: 'POST', body: { type: 'db' } });
    expect(r.status).toBe(404);
  });

  it('deletes a backup asynchronously: 202, deleting, then 404', async () => {
    const id = (await call(`/api/environments/${fx().productionEnvironmentId}/backups?status=completed&limit=1&offset=40`)).body.backups[0].id;
    const r = await call(`/api/backups/${id}`, { method: 'DELETE' });
    expect(r.status).toBe(202);
    expect(r.body.message).toEqual(expect.any(String));
    const gone = await pollUntil(() => call(`/api/backups/${id}`), (x) => x.status === 404);
    expect(gone.status).toBe(404);
    expect((await call(`/api/backups/${id}`, { method: 'DELETE' })).status).toBe(404);
  });

  it('shows a deleted backup as deleting until cleanup ends, refusing a second delete', async () => {
    const env = slow.fixtures().productionEnvironmentId;
    const id = (await callOn(slow, `/api/environments/${env}/backups?status=completed&limit=1&offset=40`)).body.backups[0].id;
    expect((await callOn(slow, `/api/backups/${id}`, { method: 'DELETE' })).status).toBe(202);
    const during = (await callOn(slow, `/api/backups/${id}`)).body;
    expect(during.status).toBe('deleting');
    expect(during.recoveryEvidence.status).toBe('red');
    expect((await callOn(slow, `/api/backups/${id}`, { method: 'DELETE' })).status).toBe(409);
    expect((await callOn(slow, `/api/backups/${id}/restore`, { method: 'POST', body: { targetType: 'same' } })).status).toBe(409);
  });

  it('refuses to delete a backup in progress', async () => {
    const id = await triggerBackup(slow.fixtures().productionEnvironmentId, 'db', slow);
    expect((await callOn(slow, `/api/backups/${id}`, { method: 'DELETE' })).status).toBe(409);
  });
});

describe('restores', () => {
  const restore = (backupId: string, body: unknown) => call(`/api/backups/${backupId}/restore`, { method: 'POST', body });

  it.each([
    [{ targetType: 'other' }, /targetEnvironmentId/],
    [{ targetType: 'new', newEnvironmentName: 'copy' }, /disabled/],
    [{ targetType: 'elsewhere' }, /targetType/],
    [{}, /targetType/],
    [{ targetType: 'same', pitrTimestamp: 'yesterday' }, /pitrTimestamp/],
    [{ targetType: 'same', backupId: '00000000-0000-4000-8000-000000000000' }, /backupId/],
  ])('rejects %j with 400', async (body, message) => {
    const r = await restore(fx().completedBackupId, body);
    expect(r.status).toBe(400);
    expect(r.body.error).toMatch(message);
  });

  it('answers 404 for an unknown backup or target environment', async () => {
    expect((await restore('00000000-0000-4000-8000-000000000000', { targetType: 'same' })).status).toBe(404);
    const r = await restore(fx().completedBackupId, { targetType: 'other', targetEnvironmentId: '00000000-0000-4000-8000-000000000000' });
    expect(r.status).toBe(404);
  });

  it('answers 409 when the backup is not completed', async () => {
    expect((await restore(fx().failedBackupId, { targetType: 'same' })).status).toBe(409);
    const id = await triggerBackup(slow.fixtures().productionEnvironmentId, 'db', slow);
    const r = await callOn(slow, `/api/backups/${id}/restore`, { method: 'POST', body: { targetType: 'same' } });
    expect(r.status).toBe(409);
    expect(r.body.error).toMatch(/pending/);
  });

  it('answers 409 while another restore into the target runs', async () => {
    const f = slow.fixtures();
    const body = { targetType: 'same' };
    expect((await callOn(slow, `/api/backups/${f.completedBackupId}/restore`, { method: 'POST', body })).status).toBe(202);
    const log = (await callOn(slow, `/api/environments/${f.productionEnvironmentId}/restore-logs?limit=1`)).body.restoreLogs[0];
    expect(log).toMatchObject({ status: 'pending', startedAt: null, completedAt: null, targetType: 'same' });
    expect(log.recoveryEvidence.status).toBe('pending');
    expect((await callOn(slow, `/api/backups/${f.completedBackupId}/restore`, { method: 'POST', body })).status).toBe(409);
  });

  it('restores into another environment, the restore log moving pending -> running -> completed', async () => {
    const staging = (await call(`/api/projects/${fx().projectIds[0]}/environments`)).body.environments.find((e: Json) => e.type === 'staging');
    const r = await restore(fx().completedBackupId, { targetType: 'other', targetEnvironmentId: staging.id });
    expect(r.status).toBe(202);
    expect(r.body).toMatchObject({ backupId: fx().completedBackupId, message: expect.any(String), target: staging.id });
    const logOf = async () => (await call(`/api/environments/${staging.id}/restore-logs?limit=1`)).body.restoreLogs[0];
    const first = await logOf();
    expect(first).toMatchObject({
      id: r.body.restoreLogId, backupId: fx().completedBackupId, targetType: 'other', sourceEnvironmentId: fx().productionEnvironmentId, targetEnvironmentId: staging.id,
    });
    const seen = new Set<string>();
    const done = await pollUntil(async () => {
      const l = await logOf();
      seen.add(l.status);
      return l;
    }, (l) => l.status === 'completed' || l.status === 'failed');
    expect(seen.has('running')).toBe(true);
    expect(done.status).toBe('completed');
    expect(done.recoveryEvidence).toMatchObject({ operation: 'restore', status: 'green' });
    const source = (await call(`/api/environments/${fx().productionEnvironmentId}/restore-logs?limit=1`)).body.restoreLogs[0];
    expect(source.id).toBe(done.id);
    const steps = (await call(`/api/operations/restore/${done.id}/steps`)).body.steps;
    expect(steps.every((s: Json) => s.status === 'completed')).toBe(true);
  });

  it('accepts a point in time inside the WAL coverage and refuses one across the gap', async () => {
    const cov = (await call(`/api/environments/${fx().productionEnvironmentId}/pitr-coverage`)).body;
    const latest = Date.parse(cov.latestRecoverable);
    const base = cov.baseBackups.filter((b: Json) => Date.parse(b.timestamp) < latest - 3_600_000).at(-1);
    const inside = new Date(Date.parse(base.timestamp) + 60_000).toISOString();
    const ok = await restore(base.backupId, { targetType: 'same', pitrTimestamp: inside });
    expect(ok.status).toBe(202);
    const beforeGap = cov.baseBackups.find((b: Json) => Date.parse(b.timestamp) < Date.parse(cov.gaps[0].start));
    const afterGap = new Date(Date.parse(cov.gaps[0].end) + 60_000).toISOString();
    const across = await restore(beforeGap.backupId, { targetType: 'same', pitrTimestamp: afterGap });
    expect(across.status).toBe(400);
    const noWal = (await call(`/api/environments/${fx().unscheduledEnvironmentIds[0]}/backups?status=completed&limit=1`)).body.backups[0];
    expect((await restore(noWal.id, { targetType: 'same', pitrTimestamp: inside })).status).toBe(400);
    const logId = ok.body.restoreLogId;
    await pollUntil(() => call(`/api/environments/${fx().productionEnvironmentId}/restore-logs?limit=5`),
      (x) => x.body.restoreLogs.some((l: Json) => l.id === logId && (l.status === 'completed' || l.status === 'failed')));
    const steps = (await call(`/api/operations/restore/${logId}/steps`)).body.steps;
    expect(steps.map((s: Json) => s.name)).toContain('replay_wal');
  });

  it('pages restore logs with limit/offset and total; 400 and 404', async () => {
    const env = fx().productionEnvironmentId;
    const all = await allPages(`/api/environments/${env}/restore-logs`, 'restoreLogs', 2);
    const first = (await call(`/api/environments/${env}/restore-logs`)).body;
    expect(all).toHaveLength(first.total);
    expect(first.total).toBeGreaterThanOrEqual(4);
    for (const l of all) expect([l.sourceEnvironmentId, l.targetEnvironmentId]).toContain(env);
    expect((await call(`/api/environments/${env}/restore-logs?limit=0`)).status).toBe(400);
    expect((await call('/api/environments/00000000-0000-4000-8000-000000000000/restore-logs')).status).toBe(404);
  });
});

describe('progress streams (SSE)', () => {
  const progress = (id: string) => `/api/backups/${id}/progress`;
  let streamed: { id: string; events: SseEvent[] };

  it('streams a triggered backup to completed with ascending ids, then closes', async () => {
    const id = await triggerBackup(fx().productionEnvironmentId);
    const r = await readSse(progress(id));
    expect(r.status).toBe(200);
    expect(r.contentType).toMatch(/^text\/event-stream/);
    expect(r.outcome).toBe('closed');
    const ids = r.events.map((e) => Number(e.id));
    expect(ids).toEqual(ids.map((_, i) => i + 1));
    expect(r.events.length).toBeGreaterThanOrEqual(6);
    expect(r.events.length).toBeLessThanOrEqual(8);
    expect(r.events[0].data.status).toBe('pending');
    expect(r.events.slice(0, -1).every((e) => e.event === 'progress')).toBe(true);
    const last = r.events.at(-1)!;
    expect(last.event).toBe('completed');
    expect(last.data).toMatchObject({ backupId: id, status: 'completed', percent: 100 });
    const percents = r.events.map((e) => e.data.percent);
    expect(percents).toEqual([...percents].sort((a, b) => a - b));
    expect(r.events.map((e) => e.data.phase)).toEqual(expect.arrayContaining(['dumping database', 'uploading', 'verifying']));
    for (const e of r.events) {
      expect(Object.keys(e.data).sort()).toEqual(BACKUP_EVENT_KEYS);
      expect(e.data.bytesDone).toBeLessThanOrEqual(e.data.bytesTotal);
    }
    streamed = { id, events: r.events };
  });

  it('replays exactly the events after Last-Event-ID', async () => {
    const r = await readSse(progress(streamed.id), { lastEventId: '3' });
    expect(r.outcome).toBe('closed');
    expect(r.events).toEqual(streamed.events.slice(3));
  });

  it('resumes a live stream after a disconnect with no gap and no duplicate', async () => {
    const id = await triggerBackup(fx().productionEnvironmentId);
    const part = await readSse(progress(id), { stopWhen: (x) => x.events.length >= 2 });
    expect(part.outcome).toBe('aborted');
    expect(part.events.map((e) => e.id)).toEqual(['1', '2']);
    const rest = await readSse(progress(id), { lastEventId: '2' });
    expect(rest.outcome).toBe('closed');
    const ids = [...part.events, ...rest.events].map((e) => Number(e.id));
    expect(ids).toEqual(ids.map((_, i) => i + 1));
    expect(['completed', 'failed']).toContain(rest.events.at(-1)!.event);
    const full = await readSse(progress(id), { lastEventId: '0' });
    expect(full.events).toEqual([...part.events, ...rest.events]);
  });

  it('sends only the final event, at once, for an operation that already ended', async () => {
    // On the simulator whose operations step once a minute: a stream that waited for anything
    // would still be open when the read gives up (5 s); this one closes by itself.
    const completed = slow.fixtures().completedBackupId;
    const { backupType } = (await callOn(slow, `/api/backups/${completed}`)).body;
    const r = await readSse(progress(completed), { target: slow });
    expect(r.outcome).toBe('closed');
    expect(r.events).toHaveLength(1);
    // db: pending + 5 running phases + completed; full adds the filestore phase.
    expect(r.events[0]).toMatchObject({ id: backupType === 'full' ? '8' : '7', event: 'completed', data: { status: 'completed', percent: 100, backupId: completed } });
    const failed = await readSse(progress(fx().failedBackupId));
    expect(failed.events).toHaveLength(1);
    expect(failed.events[0].event).toBe('failed');
    expect(Object.keys(failed.events[0].data).sort()).toEqual([...BACKUP_EVENT_KEYS, 'error'].sort());
    const backup = (await call(`/api/backups/${fx().failedBackupId}`)).body;
    expect(failed.events[0].data.error).toBe(backup.errorMessage);
    const history = await readSse(progress(fx().failedBackupId), { lastEventId: '0' });
    expect(history.events.at(-1)).toEqual(failed.events[0]);
    expect(history.events.map((e) => Number(e.id))).toEqual(history.events.map((_, i) => i + 1));
  });

  it('answers 404 JSON, not a stream, for an unknown backup or a backup never restored', async () => {
    const r = await readSse(progress('00000000-0000-4000-8000-000000000000'));
    expect(r.status).toBe(404);
    expect(r.contentType).toMatch(/json/);
    expect(r.body).toEqual({ error: 'backup not found' });
    const never = await readSse(`/api/backups/${fx().failedBackupId}/restore/progress`);
    expect(never.status).toBe(404);
    expect(never.body.error).toEqual(expect.any(String));
  });

  it('streams the latest restore of a backup', async () => {
    const backupId = (await call(`/api/environments/${fx().productionEnvironmentId}/backups?status=completed&type=db&limit=1&offset=2`)).body.backups[0].id;
    const first = await call(`/api/backups/${backupId}/restore`, { method: 'POST', body: { targetType: 'same' } });
    expect(first.status).toBe(202);
    const one = await readSse(`/api/backups/${backupId}/restore/progress`);
    expect(one.outcome).toBe('closed');
    expect(['completed', 'failed']).toContain(one.events.at(-1)!.event);
    expect(one.events.every((e) => e.data.backupId === backupId)).toBe(true);
    expect(one.events.map((e) => e.data.phase)).toEqual(expect.arrayContaining(['downloading', 'restoring database']));
    const second = await call(`/api/backups/${backupId}/restore`, { method: 'POST', body: { targetType: 'same' } });
    expect(second.status).toBe(202);
    const log = (await call(`/api/environments/${fx().productionEnvironmentId}/restore-logs?limit=10`)).body.restoreLogs.find((l: Json) => l.id === second.body.restoreLogId);
    const two = await readSse(`/api/backups/${backupId}/restore/progress`, { lastEventId: '0' });
    expect(two.events[0]).toMatchObject({ id: '1', data: { status: 'pending', at: log.createdAt } });
    expect(['completed', 'failed']).toContain(two.events.at(-1)!.event);
  });

  it('the dropSseAfterEvents fault cuts the stream without a terminal event', async () => {
    sim.setFault('GET /api/backups/:id/progress', { dropSseAfterEvents: 2 });
    try {
      // A live operation: events one step apart, so the two before the cut reach the client.
      const id = await triggerBackup(fx().productionEnvironmentId);
      const r = await readSse(progress(id));
      expect(r.events.map((e) => e.id)).toEqual(['1', '2']);
      expect(r.outcome).toBe('error');
      expect(r.events.every((e) => e.event === 'progress')).toBe(true);
    } finally {
      sim.setFault('GET /api/backups/:id/progress', undefined);
    }
  });

  it('sends keep-alive comments every keepAliveMs while the operation is quiet', async () => {
    const id = await triggerBackup(fx().productionEnvironmentId, 'db', slow);
    const r = await readSse(progress(id), { target: slow, stopWhen: (x) => x.comments.length >= 3 });
    expect(r.outcome).toBe('aborted');
    expect(r.comments.slice(0, 3)).toEqual(['keep-alive', 'keep-alive', 'keep-alive']);
    expect(r.events).toHaveLength(1);
    expect(r.events[0].data.status).toBe('pending');
  });

  it('counts open streams and returns to 0 after the clients abort', async () => {
    const id = await triggerBackup(fx().productionEnvironmentId, 'db', slow);
    await pollUntil(() => slow.stats.openSseStreams, (n) => n === 0);
    const opened = slow.stats.sseStreamsOpened;
    const ac = new AbortController();
    const reads = [0, 1, 2].map(() => readSse(progress(id), { target: slow, signal: ac.signal }));
    expect(await pollUntil(() => slow.stats.openSseStreams, (n) => n === 3)).toBe(3);
    expect(slow.stats.sseStreamsOpened).toBe(opened + 3);
    expect(slow.stats.sseOpenedByRoute['GET /api/backups/:id/progress']).toBeGreaterThanOrEqual(3);
    ac.abort();
    const results = await Promise.all(reads);
    expect(results.every((x) => x.outcome === 'aborted' && x.events.length === 1)).toBe(true);
    expect(await pollUntil(() => slow.stats.openSseStreams, (n) => n === 0)).toBe(0);
  });
});

describe('scheduled work', () => {
  it('a scheduler tick queues a backup for every environment with an enabled, unpaused schedule', async () => {
    const ids = sim.runScheduleTick();
    const scheduled = await Promise.all(ids.map(async (id) => (await call(`/api/backups/${id}`)).body));
    const envs = new Set(scheduled.map((b) => b.environmentId));
    expect(envs.size).toBe(ids.length);
    expect(envs.has(fx().productionEnvironmentId)).toBe(true);
    for (const skip of [fx().pausedEnvironmentId, fx().disabledEnvironmentId, fx().unscheduledEnvironmentIds[1]]) expect(envs.has(skip)).toBe(false);
    await Promise.all(ids.map(backupUntilDone));
  });

  it('queues backups on its own every scheduleEveryMs', async () => {
    const ticking = disposeAfterEach(await startOcoreSimulator({ stepMs: 20, scheduleEveryMs: 40 }));
    const before = ticking.counts().backups;
    const after = await pollUntil(() => ticking.counts().backups, (n) => n > before);
    expect(after).toBeGreaterThan(before);
  });
});

describe('dataset', () => {
  it('is deterministic per dataSeed and scales environments and backups', () => {
    const now = FIXED_ANCHOR.getTime();
    const a = createOcoreSeed({ dataSeed: 42, scale: 1, now });
    const b = createOcoreSeed({ dataSeed: 42, scale: 1, now });
    expect(b.fixtures).toEqual(a.fixtures);
    expect([...b.state.backups.keys()]).toEqual([...a.state.backups.keys()]);
    const c = createOcoreSeed({ dataSeed: 7, scale: 1, now });
    expect(c.fixtures.completedBackupId).not.toBe(a.fixtures.completedBackupId);
    const double = createOcoreSeed({ dataSeed: 42, scale: 2, now });
    expect(double.state.environments.size).toBe(2 * a.state.environments.size);
    expect(double.state.backups.size / a.state.backups.size).toBeGreaterThan(1.8);
    expect(double.state.projects).toHaveLength(4);
  });
});

describe('throttling', () => {
  it('answers 429 { error } with Retry-After once the window is used up', async () => {
    const throttled = disposeAfterEach(await startOcoreSimulator({ stepMs: 30, scheduleEveryMs: 0 }));
    throttled.setRateLimit({ limit: 2, windowMs: 60_000 });
    expect((await callOn(throttled, '/api/projects')).status).toBe(200);
    const second = await callOn(throttled, '/api/backup-alerts/count');
    expect(second.status).toBe(200);
    expect(second.headers.get('retry-after')).toBeNull();
    const r = await callOn(throttled, '/api/projects');
    expect(r.status).toBe(429);
    expect(r.body).toEqual({ error: expect.any(String) });
    const retryAfter = Number(r.headers.get('retry-after'));
    expect(retryAfter).toBeGreaterThanOrEqual(1);
    expect(retryAfter).toBeLessThanOrEqual(60);
    expect(throttled.stats.rateLimited).toBe(1);
  });

  it('answers a forced fault status in the { error } shape and serves garbage bodies on demand', async () => {
    sim.setFault('GET /api/backup-alerts/count', { forceStatusTimes: 1, errorStatus: 503 });
    const failed = await call('/api/backup-alerts/count');
    expect(failed.status).toBe(503);
    expect(failed.body).toEqual({ error: expect.any(String) });
    expect((await call('/api/backup-alerts/count')).status).toBe(200);
    sim.setFault('GET /api/projects', { garbageBody: '<html>oops' });
    const garbage = await call('/api/projects');
    expect(garbage.body).toBe('<html>oops');
    sim.clearFaults();
  });
});
