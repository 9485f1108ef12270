import { beforeAll, beforeEach, describe, expect, it } from 'vitest';
import { decodeGlobalId, encodeGlobalId } from '../../src/domain/ids.ts';
import { tgateway, type TGateway } from '../utils/tgateway.ts';
import { collect, sseClient, until } from './sse-client.ts';
import { okOn } from '../utils/tsimulator.ts';
import type { NorcubeSimulator } from '../../src/simulators/norcube/index.ts';

let t: TGateway;
beforeAll(async () => {
  t = await tgateway({ stepMs: 60 });
});
beforeEach(() => {
  for (const s of t.sims.list) s.simulator.clearFaults();
});

const PROGRESS = `subscription($id: ID!) { backupProgress(backupId: $id) { backupId operation status providerStatus percent phase message at done error } }`;
const RESTORE = PROGRESS.replace('backupProgress', 'restoreProgress');

/** Calls a simulator directly (the mutations issue adds these to the schema). */
const sim = (kind: 'ocore' | 'norcube' | 'bycloud', method: string, path: string, body?: unknown): Promise<any> =>
  okOn(t.sims.get(kind).simulator, path, { method, body });

async function ocoreEnvironment(): Promise<string> {
  const projects = await sim('ocore', 'GET', '/api/projects');
  const envs = await sim('ocore', 'GET', `/api/projects/${projects.projects[0].id}/environments`);
  return envs.environments[0].id;
}

async function triggerOcoreBackup(): Promise<string> {
  const res = await sim('ocore', 'POST', `/api/environments/${await ocoreEnvironment()}/backups`, { type: 'db' });
  return encodeGlobalId('ocore', 'backup', res.backupId);
}

function expectWellFormedRun(events: any[], field: 'backupProgress' | 'restoreProgress') {
  const updates = events.map((e) => e[field]);
  expect(updates.length).toBeGreaterThan(1);
  expect(updates.filter((u) => u.done)).toHaveLength(1);
  expect(updates.at(-1).done).toBe(true);
  expect(['SUCCEEDED', 'FAILED', 'PARTIAL']).toContain(updates.at(-1).status);
  const percents = updates.map((u) => u.percent).filter((p) => p !== null);
  expect(percents).toEqual([...percents].sort((a, b) => a - b));
  return updates;
}

describe.each(['distinct', 'single'] as const)('progress subscriptions over graphql-sse (%s connections mode)', (mode) => {
  it('follows an oCore backup to the end (relayed SSE)', async () => {
    const id = await triggerOcoreBackup();
    const client = sseClient(t.url, mode);
    const { done } = collect(client, PROGRESS, { id });
    const r = await done;
    client.dispose();
    expect(r.errors).toEqual([]);
    expect(r.completed).toBe(true);
    const updates = expectWellFormedRun(r.events, 'backupProgress');
    expect(updates.every((u) => u.backupId === id && u.operation === 'BACKUP')).toBe(true);
  });

  it('follows an oCore restore to the end', async () => {
    const list = await t.gql(`{ backups(first: 1, filter: { providers: ["ocore"], status: [AVAILABLE] }) { nodes { id nativeId } } }`);
    const backup = list.data.backups.nodes[0];
    await sim('ocore', 'POST', `/api/backups/${backup.nativeId}/restore`, { targetType: 'same' });
    const client = sseClient(t.url, mode);
    const r = await collect(client, RESTORE, { id: backup.id }).done;
    client.dispose();
    expect(r.errors).toEqual([]);
    const updates = expectWellFormedRun(r.events, 'restoreProgress');
    expect(updates.every((u) => u.operation === 'RESTORE')).toBe(true);
  });

  it('follows a Norcube run-now job to the end (polled)', async () => {
    const ds = await t.gql(`{ resources(first: 1, filter: { providers: ["norcube"] }) { nodes { nativeId } } }`);
    const dsId = ds.data.resources.nodes[0].nativeId;
    // Norcube is polled: a poll that a loaded machine delays past a step could miss the run between
    // queued and done (CI once saw QUEUED then SUCCEEDED). The simulator holds the job running
    // until the subscription has shown it, then lets it end.
    const release = (t.sims.get('norcube').simulator as NorcubeSimulator).holdRunning();
    try {
      const run = await sim('norcube', 'POST', `/datasources/${dsId}/backups/run-now`, {});
      const id = encodeGlobalId('norcube', 'job', `${dsId}/${run.jobId}`);
      const client = sseClient(t.url, mode);
      const r = await collect<any>(client, PROGRESS, { id }, (e) => {
        if (e.backupProgress.status === 'RUNNING') release();
      }).done;
      client.dispose();
      expect(r.errors).toEqual([]);
      const updates = expectWellFormedRun(r.events, 'backupProgress');
      expect(updates.map((u) => u.status)).toContain('RUNNING');
    } finally {
      release();
    }
  });

  it('follows a ByCloud volume backup to the end (polled)', async () => {
    const vol = await t.gql(`{ resources(first: 50, filter: { providers: ["bycloud"] }) { nodes { nativeId type } } }`);
    const volume = vol.data.resources.nodes.find((n: any) => n.nativeId.startsWith('vol:'));
    const created = await sim('bycloud', 'POST', '/v1/backups', { volume_id: volume.nativeId.slice(4), force: true });
    const backup = created.backup ?? created;
    const id = encodeGlobalId('bycloud', 'backup', `vol:${backup.id}`);
    const client = sseClient(t.url, mode);
    const r = await collect(client, PROGRESS, { id }).done;
    client.dispose();
    expect(r.errors).toEqual([]);
    const updates = r.events.map((e) => e.backupProgress);
    expect(updates.at(-1).done).toBe(true);
    expect(updates.at(-1).providerStatus.toLowerCase()).toBe('available');
  });
});

describe('progress: sharing, resume and edge cases', () => {
  it('an upstream SSE drop mid-stream loses and duplicates nothing', async () => {
    const ocore = t.sims.get('ocore').simulator;
    ocore.setFault('GET /api/backups/:id/progress', { dropSseAfterEvents: 2 });
    const opened = ocore.stats.sseStreamsOpened;
    const id = await triggerOcoreBackup();
    const client = sseClient(t.url, 'distinct');
    const r = await collect(client, PROGRESS, { id }).done;
    client.dispose();
    ocore.clearFaults();
    expect(r.errors).toEqual([]);
    const got = r.events.map((e) => e.backupProgress);
    expect(ocore.stats.sseStreamsOpened - opened).toBeGreaterThan(1); // it did reconnect
    // The truth: the whole event history, read straight from the simulator after the end.
    const res = await fetch(`${ocore.url}/api/backups/${decodeGlobalId(id).nativeId}/progress`, {
      headers: { authorization: `Bearer ${ocore.credential}`, 'last-event-id': '0' },
    });
    const text = await res.text();
    const truth = [...text.matchAll(/^data: (.*)$/gm)].map((m) => JSON.parse(m[1]));
    expect(truth.length).toBeGreaterThan(2);
    expect(got.map((u) => [u.percent, u.at])).toEqual(truth.map((u) => [u.percent ?? null, new Date(u.at).toISOString()]));
  });

  it('500 concurrent subscribers to one backup share exactly one upstream stream, closed when they leave mid-stream', async () => {
    // A slow operation (a step every 3 s, ~18 s in all), so that it is still running when all 500
    // have joined, also on a loaded machine (a subscriber joining after the end would reopen it).
    const slow = await tgateway({ stepMs: 3000 });
    const ocore = slow.sims.get('ocore').simulator;
    const route = 'GET /api/backups/:id/progress';
    const before = ocore.stats.sseOpenedByRoute[route] ?? 0;
    const projects = await (await fetch(`${ocore.url}/api/projects`, { headers: { authorization: `Bearer ${ocore.credential}` } })).json();
    const envs = await (await fetch(`${ocore.url}/api/projects/${projects.projects[0].id}/environments`, { headers: { authorization: `Bearer ${ocore.credential}` } })).json();
    const started = await (await fetch(`${ocore.url}/api/environments/${envs.environments[0].id}/backups`, {
      method: 'POST', headers: { authorization: `Bearer ${ocore.credential}`, 'content-type': 'application/json' }, body: '{"type":"full"}',
    })).json();
    const id = encodeGlobalId('ocore', 'backup', started.backupId);
    const clients = Array.from({ length: 500 }, () => sseClient(slow.url, 'distinct'));
    let firstEvents = 0;
    const subs = clients.map((c) => collect(c, PROGRESS, { id }, (_e, all) => {
      if (all.length === 1) firstEvents++;
    }));
    await until(() => firstEvents === 500, '500 subscribers to get their first event', 40_000);
    expect((ocore.stats.sseOpenedByRoute[route] ?? 0) - before).toBe(1);
    // All 500 stream from one fan-out group: one execution, so the hub sees one subscriber.
    expect(slow.gateway.fanOut).toMatchObject({ groups: 1, members: 500 });
    expect(slow.gateway.progress.stats.subscribers).toBe(1);
    expect(ocore.stats.openSseStreams).toBe(1);
    for (const s of subs) s.cancel();
    for (const c of clients) c.dispose();
    await until(() => slow.gateway.progress.stats.openSources === 0, 'the shared source to close');
    expect(slow.gateway.fanOut.groups).toBe(0);
    await until(() => ocore.stats.openSseStreams === 0, 'the upstream stream to close');
    expect(ocore.stats.openSseStreams).toBe(0);
    const results = await Promise.all(subs.map((s) => s.done));
    expect(results.every((r) => r.events.at(-1)?.backupProgress.done !== true)).toBe(true); // they left mid-stream
    await slow.close();
  }, 90_000);

  it('a late subscriber gets the latest state first; an ended operation gives its final state and completes', async () => {
    const id = await triggerOcoreBackup();
    const client = sseClient(t.url, 'distinct');
    let joinLate!: () => void;
    const twoSeen = new Promise<void>((r) => (joinLate = r));
    const early = collect(client, PROGRESS, { id }, (_e, all) => {
      if (all.length === 2) joinLate();
    });
    await twoSeen;
    const late = collect(client, PROGRESS, { id });
    const [a, b] = await Promise.all([early.done, late.done]);
    const key = (e: any) => JSON.stringify(e.backupProgress);
    const aKeys = a.events.map(key);
    const bKeys = b.events.map(key);
    // The late one starts from the state current when it joined (not from the beginning) and then
    // follows the same stream to the same end.
    expect(aKeys.indexOf(bKeys[0])).toBeGreaterThanOrEqual(1);
    expect(bKeys).toEqual(aKeys.slice(aKeys.indexOf(bKeys[0])));

    const ended = await collect(client, PROGRESS, { id }).done;
    client.dispose();
    expect(ended.completed).toBe(true);
    expect(ended.events).toHaveLength(1);
    expect(ended.events[0].backupProgress).toMatchObject({ done: true, status: a.events.at(-1).backupProgress.status });
  });

  it.each([
    ['malformed id', 'not-an-id', 'BAD_USER_INPUT'],
    ['unknown backup', encodeGlobalId('ocore', 'backup', '00000000-0000-4000-8000-000000000000'), 'NOT_FOUND'],
    ['provider without progress', encodeGlobalId('bocada', 'job', 'x'), 'UNSUPPORTED_BY_PROVIDER'],
  ])('%s is a clear error', async (_name, id, code) => {
    for (const mode of ['distinct', 'single'] as const) {
      const client = sseClient(t.url, mode);
      const r = await collect(client, PROGRESS, { id }).done;
      client.dispose();
      expect(r.events).toEqual([]);
      expect((r.errors as any[]).map((e) => e.extensions?.code), JSON.stringify(r.errors)).toEqual([code]);
    }
  });

  it('a subscription that fails validation gets a next event with the errors in single-connection mode (not HTTP 400)', async () => {
    const client = sseClient(t.url, 'single');
    const r = await collect(client, `subscription { backupProgress(backupId: "x") { nope } }`, {}).done;
    client.dispose();
    expect(r.completed).toBe(true);
    expect((r.errors as any[])[0].message).toMatch(/Cannot query field "nope"/);
  });
});
