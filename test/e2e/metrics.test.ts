/**
 * `/metrics` over real HTTP against the simulators: after a scripted run (queries with nested
 * lookups, a mutation and its idempotent replay, request errors, a subscription, a 429 with
 * `RateLimit-Reset`, one provider failing until its breaker opens) the upstream counters equal the
 * simulators' own request counters, per provider and per route template; client requests are counted
 * once each by operation type and outcome; the breaker shows open; nothing secret or id-like is in
 * the text. Then: the endpoint's options (path, off) and answering while draining.
 */
import pino from 'pino';
import { beforeAll, describe, expect, it } from 'vitest';
import { createGateway } from '../../src/server/gateway.ts';
import { disposeAfterEach } from '../utils/leftovers.ts';
import { tgateway, type TGateway } from '../utils/tgateway.ts';
import { parseMetrics, scrape, type Scrape } from '../utils/tmetrics.ts';
import { collect, sseClient, until } from './sse-client.ts';

/** The path each simulator serves a provider client's routes under (its base URL's API root). */
const SIM_PREFIX: Record<string, string> = { bocada: '/api/v1', norcube: '', bycloud: '/v1', ocore: '/api' };
const REQUEST_ID = 'metrics-e2e-request-7f3a';

let t: TGateway;
beforeAll(async () => {
  // oCore: three failures open its breaker, which then stays open for the rest of the file; short backoff.
  t = await tgateway({
    stepMs: 150,
    providers: (ps) =>
      ps.map((p) =>
        p.ref.id === 'ocore'
          ? { ...p, upstream: { ...p.upstream, breaker: { consecutiveFailures: 3, halfOpenAfterMs: 600_000 }, retry: { baseDelayMs: 5, maxDelayMs: 20 } } }
          : p,
      ),
  });
});

const ok = (res: { errors?: unknown[] }) => expect(res.errors, JSON.stringify(res.errors)).toBeUndefined();

/** POSTs a raw body; the status and the first error's code. */
async function raw(body: string, contentType: string) {
  const res = await fetch(`${t.url}/graphql`, { method: 'POST', headers: { 'content-type': contentType, accept: 'application/graphql-response+json' }, body });
  const text = await res.text();
  return { status: res.status, code: (JSON.parse(text) as any).errors?.[0]?.extensions?.code as string | undefined };
}

/** `GET /api/v1/backup-jobs/:job_id` of simulator `kind` as the gateway labels it: `GET /backup-jobs/:id`. */
function asGatewayRoute(kind: string, simKey: string): string {
  const [method, path] = simKey.split(' ');
  const prefix = SIM_PREFIX[kind];
  expect(path.startsWith(prefix), `${kind} route ${simKey} under ${prefix}`).toBe(true);
  return `${method} ${path.slice(prefix.length).replace(/:[A-Za-z_]+/g, ':id') || '/'}`;
}

/** Upstream request counts of the metrics since `before`, for provider `id`, by `METHOD route`. */
function upstreamByRoute(after: Scrape, before: Scrape, id: string): Record<string, number> {
  const out: Record<string, number> = {};
  for (const s of after.select('backup_graph_upstream_requests_total', { provider: id })) {
    const key = `${s.labels.method} ${s.labels.route}`;
    const was = before.sum('backup_graph_upstream_requests_total', s.labels);
    if (s.value - was > 0) out[key] = (out[key] ?? 0) + s.value - was;
  }
  return out;
}

describe('a scripted run, then /metrics', () => {
  it('counts what the simulators counted, per provider and route; requests by type and outcome; the breaker open; no secrets', async () => {
    t.resetStats();
    const before = await scrape(t.url);
    const ids: string[] = [];

    // Queries: health of all four, nested lookups (job -> resource -> organization), a list over every provider, nodes by id.
    ok(await t.gql(`{ providers { id health { status } } }`));
    const jobs = await t.gql(`{ jobs(first: 20, filter: { providers: ["bocada"] }) { nodes { id nativeId resource { id nativeId name organization { nativeId name } } } } }`, undefined, { 'x-request-id': REQUEST_ID });
    ok(jobs);
    for (const j of jobs.data.jobs.nodes) ids.push(j.nativeId, j.resource.nativeId, j.resource.organization.nativeId);
    const backups = await t.gql(`{ backups(first: 30) { nodes { id nativeId provider { id } } } }`);
    ok(backups);
    ids.push(...backups.data.backups.nodes.map((n: any) => n.nativeId));
    ok(await t.gql(`query Lookup($ids: [ID!]!) { nodes(ids: $ids) { id } }`, { ids: backups.data.backups.nodes.slice(0, 5).map((n: any) => n.id) }));

    // A mutation and its replay (same idempotency key: the provider is called once).
    const env = (await t.gql(`{ resources(first: 1, filter: { providers: ["ocore"] }) { nodes { id nativeId } } }`)).data.resources.nodes[0];
    ids.push(env.nativeId);
    const trigger = `mutation($r: ID!) { triggerBackup(input: { resourceId: $r, idempotencyKey: "metrics-e2e-key" }) { progressId backup { id nativeId } } }`;
    const triggered = await t.gql(trigger, { r: env.id });
    ok(triggered);
    ok(await t.gql(trigger, { r: env.id }));
    ids.push(triggered.data.triggerBackup.backup.nativeId);

    // A subscription following the backup: open while it streams, counted once its stream starts.
    const client = sseClient(t.url, 'distinct');
    let whileOpen!: Promise<Scrape>;
    const followed = collect<any>(client, `subscription($id: ID!) { backupProgress(backupId: $id) { status done } }`, { id: triggered.data.triggerBackup.backup.id }, (_e, all) => {
      if (all.length === 1) whileOpen = scrape(t.url);
    });
    const progress = await followed.done;
    client.dispose();
    expect(progress.errors).toEqual([]);
    expect(progress.completed).toBe(true);
    const during = await whileOpen;
    expect(during.sum('backup_graph_open_subscriptions')).toBe(1);
    expect(during.sum('backup_graph_upstream_streams_open')).toBe(1);
    await until(() => t.gateway.progress.stats.openSources === 0 && t.gateway.progress.stats.subscribers === 0, 'the progress source to close');

    // Request errors: a parse error, a validation error, an unsupported media type.
    const parseError = await raw(JSON.stringify({ query: '{ backups(' }), 'application/json');
    const invalid = await raw(JSON.stringify({ query: '{ nope }' }), 'application/json');
    const unsupported = await raw('<q/>', 'application/xml');
    expect([invalid.status, invalid.code]).toEqual([400, 'BAD_USER_INPUT']);
    expect([unsupported.status, unsupported.code]).toEqual([415, 'UNSUPPORTED_MEDIA_TYPE']);
    expect(parseError.status).toBe(400);

    // A 429 with RateLimit-Reset (a one-second window) on Bocada's job list: one wait, then the retry answers.
    const bocada = t.sims.get('bocada').simulator;
    bocada.setRateLimit({ limit: 1_000_000, windowMs: 1000 });
    bocada.setFault('GET /api/v1/backup-jobs', { forceStatusTimes: 1, errorStatus: 429 });
    ok(await t.gql(`{ jobs(first: 5, filter: { providers: ["bocada"] }) { nodes { id } } }`));
    bocada.clearFaults();

    // oCore answers 503 everywhere: retries, then its breaker opens and its calls fail without going upstream.
    const ocore = t.sims.get('ocore').simulator;
    const ocoreBefore = ocore.stats.total;
    ocore.setFault('*', { forceStatus: 503 });
    const failing = `{ backups(first: 10, filter: { providers: ["ocore", "norcube"] }) { nodes { id } } }`;
    const first = await t.gql(failing);
    expect(first.errors?.[0]?.extensions?.provider).toBe('ocore');
    const ocoreCalls = ocore.stats.total;
    const fast = await t.gql(failing);
    expect(fast.errors?.[0]?.extensions).toMatchObject({ code: 'UPSTREAM_UNAVAILABLE', provider: 'ocore' });
    expect(ocore.stats.total).toBe(ocoreCalls);

    const m = await scrape(t.url);
    const delta = (name: string, where?: Record<string, string>) => m.sum(name, where) - before.sum(name, where);

    // Upstream: per provider and per route template, what each simulator counted.
    for (const s of t.sims.list) {
      expect(delta('backup_graph_upstream_requests_total', { provider: s.kind }), s.kind).toBe(s.simulator.stats.total);
      expect(s.simulator.stats.total, s.kind).toBeGreaterThan(0);
      const sim: Record<string, number> = {};
      for (const [key, n] of Object.entries(s.simulator.stats.byRoute)) {
        const route = asGatewayRoute(s.kind, key);
        sim[route] = (sim[route] ?? 0) + n;
      }
      expect(upstreamByRoute(m, before, s.kind), s.kind).toEqual(sim);
    }
    expect(m.select('backup_graph_upstream_requests_total', { route: 'other' })).toEqual([]);
    expect(delta('backup_graph_upstream_requests_total', { provider: 'ocore', status: '503' })).toBe(ocoreCalls - ocoreBefore);
    expect(delta('backup_graph_upstream_request_duration_seconds_count')).toBe(delta('backup_graph_upstream_requests_total'));

    // Retries: oCore's after 503s, Bocada's one after the 429, with its wait.
    expect(delta('backup_graph_upstream_retries_total', { provider: 'ocore', reason: 'error' })).toBeGreaterThan(0);
    expect(delta('backup_graph_upstream_retries_total', { provider: 'bocada', reason: 'rate-limited', route: '/backup-jobs' })).toBe(1);
    expect(delta('backup_graph_upstream_rate_limit_waits_total', { provider: 'bocada' })).toBe(1);
    expect(delta('backup_graph_upstream_rate_limit_waits_total')).toBe(1);
    expect(bocada.stats.rateLimited).toBe(1);
    expect(delta('backup_graph_upstream_requests_total', { provider: 'bocada', status: '429' })).toBe(1);
    expect(delta('backup_graph_upstream_rate_limit_wait_seconds_total', { provider: 'bocada' })).toBeGreaterThanOrEqual(1);

    // Breakers: oCore's open, the others closed; one series per state.
    expect(m.by('backup_graph_upstream_breaker_state', 'provider', { state: 'open' })).toEqual({ bocada: 0, norcube: 0, bycloud: 0, ocore: 1 });
    expect(m.by('backup_graph_upstream_breaker_state', 'provider', { state: 'closed' })).toEqual({ bocada: 1, norcube: 1, bycloud: 1, ocore: 0 });
    expect(m.select('backup_graph_upstream_breaker_state')).toHaveLength(12);

    // Client requests: each once, by type and outcome (the subscription once its stream started; the
    // first failing query by its first error's code, whatever oCore's 503s mapped to).
    const deltaBy = (label: string, where: Record<string, string>) => {
      const out: Record<string, number> = {};
      for (const [k, v] of Object.entries(m.by('backup_graph_requests_total', label, where))) {
        const d = v - before.sum('backup_graph_requests_total', { ...where, [label]: k });
        if (d !== 0) out[k] = d;
      }
      return out;
    };
    const firstCode = first.errors![0].extensions!.code as string;
    const queries: Record<string, number> = { OK: 6, BAD_USER_INPUT: 1, UPSTREAM_UNAVAILABLE: 1 };
    queries[firstCode] = (queries[firstCode] ?? 0) + 1;
    expect(deltaBy('outcome', { operation_type: 'query' })).toEqual(queries);
    expect(deltaBy('outcome', { operation_type: 'mutation' })).toEqual({ OK: 2 });
    expect(deltaBy('outcome', { operation_type: 'subscription' })).toEqual({ OK: 1 });
    expect(deltaBy('outcome', { operation_type: 'unknown' })).toEqual({ [parseError.code ?? 'UNCODED']: 1, UNSUPPORTED_MEDIA_TYPE: 1 });
    expect(delta('backup_graph_requests_total')).toBe(14);
    expect(delta('backup_graph_request_duration_seconds_count')).toBe(14);

    // Streams, replays, default metrics.
    expect(delta('backup_graph_upstream_streams_opened_total')).toBe(1);
    expect(m.sum('backup_graph_open_subscriptions')).toBe(0);
    expect(m.sum('backup_graph_upstream_streams_open')).toBe(0);
    expect(delta('backup_graph_idempotency_replays_total', { mutation: 'triggerBackup' })).toBe(1);
    expect(m.types['nodejs_eventloop_lag_seconds']).toBe('gauge');
    expect(m.types['backup_graph_request_duration_seconds']).toBe('histogram');

    // Nothing secret, nothing id-like: no credential, request id, idempotency key or native id anywhere in the text.
    const used = [...new Set(ids)].filter((id) => typeof id === 'string' && id.length >= 6);
    expect(used.length).toBeGreaterThan(20);
    for (const needle of [...t.secrets, REQUEST_ID, 'metrics-e2e-key', 'Lookup', ...used]) {
      expect(m.text.includes(needle), `metrics text contains ${needle.slice(0, 3)}…`).toBe(false);
    }
    for (const s of m.samples) {
      for (const v of Object.values(s.labels)) expect(v).not.toMatch(/https?:|[?=&@]/);
    }
  });
});

describe('the endpoint', () => {
  /** A second gateway over the same simulators, with `metrics` options; closed after the test. */
  async function gatewayWith(metrics: { enabled?: boolean; path?: string }) {
    const g = createGateway({ providers: t.sims.list.map((s) => s.provider), logger: pino({ level: 'silent' }), metrics });
    disposeAfterEach(g);
    return { g, url: (await g.listen(0)).url };
  }

  it('serves the text format with prom-client\'s content type and no-store; HEAD has no body, other methods 405', async () => {
    const res = await fetch(`${t.url}/metrics`);
    expect(res.headers.get('content-type')).toBe('text/plain; version=0.0.4; charset=utf-8');
    expect(res.headers.get('cache-control')).toBe('no-store');
    expect(parseMetrics(await res.text()).types['backup_graph_requests_total']).toBe('counter');
    const head = await fetch(`${t.url}/metrics`, { method: 'HEAD' });
    expect([head.status, await head.text()]).toEqual([200, '']);
    const post = await fetch(`${t.url}/metrics`, { method: 'POST', body: '{}' });
    expect([post.status, post.headers.get('allow')]).toEqual([405, 'GET, HEAD']);
  });

  it('moves to `path`, and is gone (404, no registry) when disabled; each gateway has its own registry', async () => {
    const moved = await gatewayWith({ path: '/internal/metrics' });
    expect((await fetch(`${moved.url}/metrics`)).status).toBe(404);
    const own = await scrape(moved.url, '/internal/metrics');
    expect(own.sum('backup_graph_requests_total')).toBe(0);
    expect(moved.g.metrics!.registry).not.toBe(t.gateway.metrics!.registry);

    const off = await gatewayWith({ enabled: false });
    expect(off.g.metrics).toBeUndefined();
    expect((await fetch(`${off.url}/metrics`)).status).toBe(404);
    const res = await fetch(`${off.url}/graphql`, { method: 'POST', headers: { 'content-type': 'application/json' }, body: JSON.stringify({ query: '{ __typename }' }) });
    expect(res.status).toBe(200);
  });

  it('counts an operation sent in graphql-sse single-connection mode once, not its reservation or event stream', async () => {
    const before = await scrape(t.url);
    const client = sseClient(t.url, 'single');
    const done = await collect<any>(client, '{ providers { id } }', {}).done;
    client.dispose();
    expect(done.errors).toEqual([]);
    const m = await scrape(t.url);
    const delta = (where: Record<string, string>) => m.sum('backup_graph_requests_total', where) - before.sum('backup_graph_requests_total', where);
    expect(delta({})).toBe(1);
    expect(delta({ operation_type: 'query', outcome: 'OK' })).toBe(1);
  });

  it('answers while the gateway drains, and counts the requests refused meanwhile as SHUTTING_DOWN', async () => {
    const d = await tgateway();
    const bycloud = d.sims.get('bycloud').simulator;
    bycloud.setFault('*', { latencyMs: 800 });
    const before = bycloud.stats.total;
    const slow = d.gql('{ backups(first: 3, filter: { providers: ["bycloud"] }) { nodes { id } } }');
    await until(() => bycloud.stats.total > before, 'the slow query to reach bycloud');
    const drained = d.gateway.drain();
    const refused = await fetch(`${d.url}/graphql`, { method: 'POST', headers: { 'content-type': 'application/json' }, body: JSON.stringify({ query: '{ __typename }' }) });
    expect(refused.status).toBe(503);
    const during = await scrape(d.url);
    expect(during.by('backup_graph_requests_total', 'outcome')).toEqual({ SHUTTING_DOWN: 1 });
    expect((await slow).status).toBe(200);
    expect(await drained).toEqual({ forced: false });
    const after = parseMetrics(await d.gateway.metrics!.text());
    expect(after.by('backup_graph_requests_total', 'outcome', { operation_type: 'query' })).toEqual({ OK: 1 });
  });
});
