import { beforeAll, afterAll, describe, expect, it } from 'vitest';
import { createClient } from 'graphql-sse';
import { OPEN_CALLER, type Caller } from '../../src/access/caller.ts';
import { encodeGlobalId } from '../../src/domain/ids.ts';
import { tgateway, type TGateway } from '../utils/tgateway.ts';
import { okOn } from '../utils/tsimulator.ts';
import { collect, sseClient, until } from './sse-client.ts';

/**
 * Subscription fan-out (use-subscription-fan-out.ts): subscribers of the same progress
 * subscription, caller and variables share one execution; anything that differs gets its own.
 */
const CALLERS: Record<string, Caller> = {
  'ocore-noc': { id: 'ocore-noc', kind: 'api-key', role: 'reader', providers: ['ocore'], organizations: null },
  'ocore-ops': { id: 'ocore-ops', kind: 'api-key', role: 'operator', providers: ['ocore'], organizations: null },
};

let t: TGateway;
beforeAll(async () => {
  // Slow simulated operations (a step each 500 ms, some 3 s a run): every subscriber joins while the backup runs.
  t = await tgateway({ stepMs: 500, gateway: { callerOf: (request) => CALLERS[request.headers.get('x-test-caller') ?? ''] ?? OPEN_CALLER } });
});
afterAll(() => t.close());

const PROGRESS = `subscription($id: ID!) { backupProgress(backupId: $id) { backupId status percent at done } }`;
const ocore = () => t.sims.get('ocore').simulator;

/** Starts an oCore backup (slow, see `stepMs`) and gives its global id. */
async function startBackup(): Promise<string> {
  const projects = await okOn(ocore(), '/api/projects');
  const env = (await okOn(ocore(), `/api/projects/${projects.projects[0].id}/environments`)).environments[0].id;
  const started = await okOn(ocore(), `/api/environments/${env}/backups`, { method: 'POST', body: { type: 'full' } });
  return encodeGlobalId('ocore', 'backup', started.backupId);
}

/** A distinct-connections graphql-sse client whose requests carry caller `who`. */
const clientAs = (who: string) => createClient({ url: `${t.url}/graphql`, singleConnection: false, retryAttempts: 0, headers: { 'x-test-caller': who } });

/** Subscribes every (client, query, variables) and resolves once each has its first event. */
async function subscribeAll(subs: Array<[ReturnType<typeof createClient>, string, Record<string, unknown>]>) {
  let first = 0;
  const running = subs.map(([c, q, v]) => collect(c, q, v, (_e, all) => {
    if (all.length === 1) first++;
  }));
  await until(() => first === subs.length, `${subs.length} first events`, 20_000);
  return running;
}

async function idle() {
  await until(() => t.gateway.fanOut.groups === 0 && t.gateway.progress.stats.subscribers === 0, 'earlier streams to end');
}

describe('subscription fan-out', () => {
  it('subscribers of the same subscription share one execution and see the same events to the end', async () => {
    await idle();
    const id = await startBackup();
    const clients = [0, 1, 2].map(() => sseClient(t.url, 'distinct'));
    const subs = await subscribeAll(clients.map((c) => [c, PROGRESS, { id }]));
    expect(t.gateway.fanOut).toMatchObject({ groups: 1, members: 3 });
    // One execution: the progress hub sees one subscriber, not three.
    expect(t.gateway.progress.stats.subscribers).toBe(1);
    const results = await Promise.all(subs.map((s) => s.done));
    for (const c of clients) c.dispose();
    expect(results.map((r) => [r.errors, r.completed])).toEqual([[[], true], [[], true], [[], true]]);
    expect(results[0].events.at(-1).backupProgress.done).toBe(true);
    // Each stream is the tail of the same sequence, from the state current when it joined.
    const keys = results.map((r) => r.events.map((e) => JSON.stringify(e)));
    const longest = keys.reduce((a, b) => (b.length > a.length ? b : a));
    for (const k of keys) expect(k).toEqual(longest.slice(longest.length - k.length));
    await until(() => t.gateway.fanOut.groups === 0, 'the group to end');
  });

  it('never shares across callers, variables or documents', async () => {
    await idle();
    const [a, b] = [await startBackup(), await startBackup()];
    const open = sseClient(t.url, 'distinct');
    const noc = clientAs('ocore-noc');
    const ops = clientAs('ocore-ops');
    const subs = await subscribeAll([
      [open, PROGRESS, { id: a }],
      [open, PROGRESS, { id: a }], // the only pair that shares
      [open, PROGRESS, { id: b }], // other variables
      [open, PROGRESS.replace('percent ', ''), { id: a }], // another document
      [noc, PROGRESS, { id: a }], // another caller
      [ops, PROGRESS, { id: a }], // another caller and role
    ]);
    expect(t.gateway.fanOut).toMatchObject({ groups: 5, members: 6 });
    expect(t.gateway.progress.stats.subscribers).toBe(5);
    for (const s of subs) s.cancel();
    for (const c of [open, noc, ops]) c.dispose();
    await until(() => t.gateway.fanOut.groups === 0, 'every group to end once its members left');
    await until(() => t.gateway.progress.stats.subscribers === 0, 'the executions to end');
  });

  it('the first subscriber leaving does not end the others\' stream', async () => {
    await idle();
    const id = await startBackup();
    const [leader, follower] = [sseClient(t.url, 'distinct'), sseClient(t.url, 'distinct')];
    const [lead] = await subscribeAll([[leader, PROGRESS, { id }]]);
    const [follow] = await subscribeAll([[follower, PROGRESS, { id }]]);
    expect(t.gateway.fanOut).toMatchObject({ groups: 1, members: 2 });
    lead.cancel();
    leader.dispose();
    await until(() => t.gateway.fanOut.members === 1, 'the leader to leave');
    expect(t.gateway.progress.stats.subscribers).toBe(1);
    const r = await follow.done;
    follower.dispose();
    expect(r.errors).toEqual([]);
    expect(r.completed).toBe(true);
    expect(r.events.at(-1).backupProgress.done).toBe(true);
  });

  it('an error is every subscriber\'s own answer, and single-connection streams run on their own', async () => {
    const missing = encodeGlobalId('ocore', 'backup', '00000000-0000-4000-8000-000000000000');
    const clients = [0, 1, 2].map(() => sseClient(t.url, 'distinct'));
    const results = await Promise.all(clients.map((c) => collect(c, PROGRESS, { id: missing }).done));
    for (const c of clients) c.dispose();
    expect(results.map((r) => (r.errors as any[]).map((e) => e.extensions?.code))).toEqual([['NOT_FOUND'], ['NOT_FOUND'], ['NOT_FOUND']]);
    expect(t.gateway.fanOut.groups).toBe(0);

    await idle();
    const id = await startBackup();
    const single = sseClient(t.url, 'single');
    const distinct = sseClient(t.url, 'distinct');
    const subs = await subscribeAll([[single, PROGRESS, { id }], [distinct, PROGRESS, { id }]]);
    expect(t.gateway.fanOut).toMatchObject({ groups: 1, members: 1 });
    expect(t.gateway.progress.stats.subscribers).toBe(2);
    for (const s of subs) s.cancel();
    single.dispose();
    distinct.dispose();
  });
});
