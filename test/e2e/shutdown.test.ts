/**
 * Health endpoints and graceful shutdown over real HTTP and SSE: a gateway in this process (so a
 * simulator can be made slow) for the drain itself, and the CLI in a child process for the signal.
 */
import { Agent, fetch as undiciFetch } from 'undici';
import { spawn } from 'node:child_process';
import { once } from 'node:events';
import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { Client } from 'graphql-sse';
import { describe, expect, it } from 'vitest';
import { encodeGlobalId } from '../../src/domain/ids.ts';
import { startAllSimulators } from '../../src/simulators/start-all.ts';
import { disposeAfterEach } from '../utils/leftovers.ts';
import { RUN_SOURCES } from '../utils/run-sources.ts';
import { tgateway, type TGateway } from '../utils/tgateway.ts';
import { okOn } from '../utils/tsimulator.ts';
import { sseClient, until } from './sse-client.ts';

/** Long enough for the checks made while it is in flight (each takes a few milliseconds; the subscription's backup must still be running when it ends). */
const SLOW_MS = 1000;
const SLOW_QUERY = '{ backups(first: 3, filter: { providers: ["bycloud"] }) { nodes { id provider { id } } } }';
const PROGRESS = 'subscription($id: ID!) { backupProgress(backupId: $id) { backupId status percent done } }';

const json = { 'content-type': 'application/json', accept: 'application/graphql-response+json, application/json' };

/** POSTs `query` to the gateway; resolves with the status, headers and parsed body. */
/**
 * A request on a connection of its own: while draining, the server closes each keep-alive socket
 * once its response is written, and a pooled client could pick such a socket just as it closes.
 */
async function onFreshConnection<T>(run: (dispatcher: Agent) => Promise<T>): Promise<T> {
  const dispatcher = new Agent();
  try {
    return await run(dispatcher);
  } finally {
    await dispatcher.close();
  }
}

async function post(url: string, query: string) {
  return onFreshConnection(async (dispatcher) => {
    const res = await undiciFetch(`${url}/graphql`, { method: 'POST', headers: json, body: JSON.stringify({ query }), dispatcher });
    return { status: res.status, headers: res.headers, body: (await res.json()) as any };
  });
}

async function get(url: string, path: string) {
  return onFreshConnection(async (dispatcher) => {
    const res = await undiciFetch(`${url}${path}`, { dispatcher });
    return { status: res.status, type: res.headers.get('content-type'), body: (await res.json()) as any };
  });
}

/** Starts the slow bycloud query and resolves once it has reached the simulator. */
async function slowQueryInFlight(t: TGateway) {
  const bycloud = t.sims.get('bycloud').simulator;
  bycloud.setFault('*', { latencyMs: SLOW_MS });
  const before = bycloud.stats.total;
  const answer = post(t.url, SLOW_QUERY);
  await until(() => bycloud.stats.total > before, 'the slow query to reach bycloud');
  return answer;
}

/** Triggers a (slow-moving) oCore backup and returns its global id. */
async function triggerOcoreBackup(t: TGateway): Promise<string> {
  const ocore = t.sims.get('ocore').simulator;
  const projects = await okOn(ocore, '/api/projects');
  const envs = await okOn(ocore, `/api/projects/${projects.projects[0].id}/environments`);
  const res = await okOn(ocore, `/api/environments/${envs.environments[0].id}/backups`, { method: 'POST', body: { type: 'db' } });
  return encodeGlobalId('ocore', 'backup', res.backupId);
}

/**
 * Follows the backup with graphql-sse's iterator; `started` settles on the first event. `ended`
 * resolves with the events once the iterator ends (the server's `complete`), or rejects.
 */
function follow(client: Client, id: string) {
  let first!: () => void;
  const started = new Promise<void>((resolve) => (first = resolve));
  const ended = (async () => {
    const events: any[] = [];
    for await (const r of client.iterate({ query: PROGRESS, variables: { id } })) {
      expect(r.errors).toBeUndefined();
      events.push(r.data);
      first();
    }
    return events;
  })();
  return { started, ended };
}

describe('health endpoints', () => {
  it('/healthz is alive and /readyz ready, with JSON bodies; /health stays yoga\'s', async () => {
    const t = await tgateway();
    expect(await get(t.url, '/healthz')).toEqual({ status: 200, type: 'application/json; charset=utf-8', body: { status: 'ok' } });
    expect(await get(t.url, '/readyz')).toEqual({
      status: 200,
      type: 'application/json; charset=utf-8',
      body: { status: 'ready', checks: { config: 'ok', listening: 'ok', draining: 'ok' } },
    });
    const legacy = await fetch(`${t.url}/health`);
    expect([legacy.status, await legacy.text()]).toEqual([200, '']);
  });

  it('/readyz stays ready when a provider is down (provider health is a field, not readiness)', async () => {
    const t = await tgateway();
    t.sims.get('norcube').simulator.setFault('*', { forceStatus: 503 });
    const health = await t.gql('{ providers { id health { status } } }');
    expect(health.data.providers.find((p: any) => p.id === 'norcube').health.status).toBe('DOWN');
    expect((await get(t.url, '/readyz')).status).toBe(200);
  });

  it('/readyz answers 503 naming a failing readiness check, never its error', async () => {
    const t = await tgateway({
      gateway: {
        readinessChecks: {
          cache: () => false,
          vault: () => {
            throw new Error('vault token s3cr3t rejected');
          },
        },
      },
    });
    const r = await get(t.url, '/readyz');
    expect(r).toEqual({
      status: 503,
      type: 'application/json; charset=utf-8',
      body: { status: 'unready', checks: { config: 'ok', listening: 'ok', cache: 'fail', vault: 'fail', draining: 'ok' } },
    });
    expect(JSON.stringify(r.body)).not.toContain('s3cr3t');
    expect((await get(t.url, '/healthz')).status).toBe(200);
  });
});

describe.each(['distinct', 'single'] as const)('drain (graphql-sse %s connections mode)', (mode) => {
  it('finishes the query in flight, refuses new requests, completes the subscribers and closes upstream streams', async () => {
    const t = await tgateway({ stepMs: 400 });
    const ocore = t.sims.get('ocore').simulator;

    // Two subscribers of the same subscription: in distinct-connections mode they share one
    // execution (fan-out), and drain completes both.
    const [sub, other] = [sseClient(t.url, mode), sseClient(t.url, mode)];
    disposeAfterEach({ close: () => (sub.dispose(), other.dispose()) });
    const id = await triggerOcoreBackup(t);
    const progress = follow(sub, id);
    await progress.started;
    const second = follow(other, id);
    await second.started;
    await until(() => ocore.stats.openSseStreams > 0, 'the upstream progress stream to open');
    expect(t.gateway.fanOut).toMatchObject(mode === 'distinct' ? { groups: 1, members: 2 } : { groups: 0, members: 0 });
    // Counted as two subscribers either way.
    expect((await t.gateway.metrics!.registry.getSingleMetric('backup_graph_open_subscriptions')!.get()).values[0].value).toBe(2);

    const inFlight = await slowQueryInFlight(t);
    const drained = t.gateway.drain();

    // Not ready at once, still alive.
    expect(await get(t.url, '/readyz')).toMatchObject({ status: 503, body: { status: 'draining', checks: { draining: 'fail' } } });
    expect(await get(t.url, '/healthz')).toEqual({ status: 200, type: 'application/json; charset=utf-8', body: { status: 'ok' } });
    // A new request is refused, with a GraphQL error and the connection closed.
    const refused = await post(t.url, '{ providers { id } }');
    expect(refused.status).toBe(503);
    expect(refused.headers.get('connection')).toBe('close');
    expect(refused.headers.get('content-type')).toContain('application/json');
    expect(refused.body).toEqual({ errors: [{ message: expect.any(String), extensions: { code: 'SHUTTING_DOWN' } }] });

    // The query that was in flight gets its full result.
    const answer = await inFlight;
    expect(answer.status).toBe(200);
    expect(answer.body.errors).toBeUndefined();
    expect(answer.body.data.backups.nodes).toHaveLength(3);
    expect(answer.body.data.backups.nodes.every((n: any) => n.provider.id === 'bycloud')).toBe(true);

    // Each subscriber got `complete`: its iterator ended without error, before the operation's end.
    for (const events of await Promise.all([progress.ended, second.ended])) {
      expect(events.length).toBeGreaterThan(0);
      expect(events.some((e) => e.backupProgress.done)).toBe(false);
    }

    expect(await drained).toEqual({ forced: false });
    expect(t.gateway.progress.stats).toMatchObject({ openSources: 0, subscribers: 0 });
    await until(() => ocore.stats.openSseStreams === 0, 'oCore to see its progress stream closed');
    await expect(fetch(`${t.url}/healthz`)).rejects.toThrow();
  });
});

describe('drain timeout', () => {
  it('closes by force what is still running after drainTimeoutMs', async () => {
    const t = await tgateway({ gateway: { drainTimeoutMs: 100 } });
    const bycloud = t.sims.get('bycloud').simulator;
    bycloud.setFault('*', { latencyMs: 600_000 });
    const before = bycloud.stats.total;
    const answer = fetch(`${t.url}/graphql`, { method: 'POST', headers: json, body: JSON.stringify({ query: SLOW_QUERY }) }).then(
      () => 'answered',
      () => 'cut',
    );
    await until(() => bycloud.stats.total > before, 'the slow query to reach bycloud');
    // The provider holds the query for ten minutes: a drain that waited for it in any way would not
    // end within the test's timeout; this one gives up after its 100 ms and cuts the query.
    expect(await t.gateway.drain()).toEqual({ forced: true });
    expect(await answer).toBe('cut');
  });
});

describe('the CLI on SIGTERM', () => {
  it('lets the query in flight finish with its full result, then exits 0', async () => {
    const sims = disposeAfterEach(await startAllSimulators({ scheduleEveryMs: 0 }));
    const o = sims.get('ocore').simulator;
    const dir = mkdtempSync(join(tmpdir(), 'bg-'));
    const file = join(dir, 'gateway.yaml');
    writeFileSync(file, `server:\n  drainTimeoutMs: 20000\naccess:\n  anonymous: reader\nproviders:\n  - id: ocore\n    kind: ocore\n    baseUrl: ${o.url}\n    auth: { token: \${OCORE_TOKEN} }\n`);
    const child = spawn(process.execPath, ['bin/backup-graph.js', 'serve', '--config', file, '--port', '0'], {
      env: { ...process.env, ...RUN_SOURCES, OCORE_TOKEN: o.credential },
      stdio: 'pipe',
    });
    const exited = once(child, 'exit');
    disposeAfterEach({ close: () => (child.exitCode === null && child.signalCode === null ? (child.kill('SIGKILL'), exited) : undefined) });
    let out = '';
    child.stdout.on('data', (d) => (out += d));
    const url = await new Promise<string>((resolve, reject) => {
      const check = () => {
        const m = out.match(/GraphiQL at (http:\/\/[^\s"]+)\/graphql/);
        if (m) resolve(m[1]);
      };
      child.stdout.on('data', check);
      child.on('exit', (code) => reject(new Error(`exited ${code}: ${out}`)));
    });

    o.setFault('*', { latencyMs: SLOW_MS });
    const before = o.stats.total;
    const inFlight = post(url, '{ backups(first: 2) { nodes { id provider { id } } } }');
    await until(() => o.stats.total > before, 'the query to reach oCore');
    child.kill('SIGTERM');

    const answer = await inFlight;
    expect(answer.status).toBe(200);
    expect(answer.body.errors).toBeUndefined();
    expect(answer.body.data.backups.nodes.map((n: any) => n.provider.id)).toEqual(['ocore', 'ocore']);
    const [code, signal] = await exited;
    expect({ code, signal }).toEqual({ code: 0, signal: null });
  });
});
