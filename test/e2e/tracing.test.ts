/**
 * Traces over OTLP/HTTP, end to end: a gateway over the four simulators exports to a test OTLP
 * receiver; a recording proxy in front of the simulators sees the `traceparent` each upstream call
 * carries. One client span per upstream call (the simulators' own counters), each in the request's
 * trace under its server span; provider and route template attributes; nothing secret or id-like in
 * any span; the incoming `traceparent` continued, a malformed one ignored; tracing off sends nothing.
 */
import { createServer, request as httpRequest } from 'node:http';
import type { AddressInfo } from 'node:net';
import { beforeAll, beforeEach, describe, expect, it } from 'vitest';
import { gatewayOptionsFrom, parseConfig } from '../../src/server/config.ts';
import { disposeAfterAll } from '../utils/leftovers.ts';
import { tgateway, type TGateway } from '../utils/tgateway.ts';
import { healthy } from '../utils/tsimulator.ts';
import { SPAN_KIND, totlp, type ReceivedSpan, type TOtlp } from '../utils/totlp.ts';

/** One request the proxy forwarded. */
interface Forwarded {
  method: string;
  /** The path as the simulator got it, query string included. */
  path: string;
  traceparent: string | undefined;
}

/**
 * A forwarding proxy on loopback: `route(baseUrl)` answers a base URL whose requests reach
 * `baseUrl` unchanged, after their method, path and `traceparent` are recorded.
 */
async function recordingProxy() {
  const targets: URL[] = [];
  const seen: Forwarded[] = [];
  const server = createServer((req, res) => {
    const m = /^\/(\d+)(\/.*)$/.exec(req.url ?? '');
    const target = m ? targets[Number(m[1])] : undefined;
    if (!m || !target) return void res.writeHead(502).end();
    const traceparent = req.headers.traceparent;
    seen.push({ method: req.method ?? 'GET', path: m[2], traceparent: typeof traceparent === 'string' ? traceparent : undefined });
    const { host: _host, ...headers } = req.headers;
    const up = httpRequest({ host: target.hostname, port: target.port, method: req.method, path: m[2], headers }, (ur) => {
      res.writeHead(ur.statusCode ?? 502, ur.headers);
      ur.pipe(res);
    });
    up.on('error', () => res.destroy());
    res.on('close', () => up.destroy());
    req.pipe(up);
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', () => resolve()));
  const url = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
  return disposeAfterAll({
    seen,
    route(baseUrl: string): string {
      targets.push(new URL(baseUrl));
      return `${url}/${targets.length - 1}`;
    },
    close: () =>
      new Promise<void>((resolve) => {
        server.closeAllConnections();
        server.close(() => resolve());
      }),
  });
}

const TRACEPARENT = /^00-([0-9a-f]{32})-([0-9a-f]{16})-0[01]$/;

/** Jobs and backups of every provider, each with its resource and (for jobs) organization looked up. */
const QUERY = `query Traced {
  jobs(first: 12) { nodes { nativeId resource { nativeId name organization { nativeId name } } } }
  backups(first: 8) { nodes { nativeId resource { nativeId name } } }
}`;

/** The spans of `traceId`, by span id. */
const byId = (spans: ReceivedSpan[]) => new Map(spans.map((s) => [s.spanId, s]));

/** The chain of parents of `span` within `spans`, nearest first (stops where a parent is missing). */
function ancestors(span: ReceivedSpan, spans: Map<string, ReceivedSpan>): ReceivedSpan[] {
  const out: ReceivedSpan[] = [];
  for (let p = spans.get(span.parentSpanId); p; p = spans.get(p.parentSpanId)) out.push(p);
  return out;
}

/** Every native id in a response, at any depth. */
function nativeIdsOf(data: unknown, out = new Set<string>()): Set<string> {
  if (Array.isArray(data)) for (const d of data) nativeIdsOf(d, out);
  else if (data && typeof data === 'object') {
    for (const [k, v] of Object.entries(data)) {
      if (k === 'nativeId' && typeof v === 'string') out.add(v);
      else nativeIdsOf(v, out);
    }
  }
  return out;
}

const totalUpstream = (t: TGateway) => t.sims.list.reduce((n, s) => n + s.simulator.stats.total, 0);

describe('traces over OTLP/HTTP (telemetry.otlpEndpoint set)', () => {
  let otlp: TOtlp;
  let proxy: Awaited<ReturnType<typeof recordingProxy>>;
  let t: TGateway;

  beforeAll(async () => {
    otlp = await totlp();
    proxy = await recordingProxy();
    // Through the config, as `serve --config` does: `${VAR}` in a header, a base URL endpoint.
    const config = parseConfig(
      `telemetry:\n  otlpEndpoint: ${otlp.url}\n  serviceName: bg-traces-test\n  headers: { x-collector-key: \${COLLECTOR_KEY} }\nproviders:\n  - { id: x, kind: bocada, baseUrl: "http://127.0.0.1:1", auth: { apiKey: k } }\n`,
      { COLLECTOR_KEY: 'collector-key-123' },
    );
    t = await tgateway({
      providers: (ps) => ps.map((p) => ({ ...p, baseUrl: proxy.route(p.baseUrl) })),
      gateway: { telemetry: gatewayOptionsFrom(config).telemetry },
    });
  });
  beforeEach(async () => {
    for (const s of t.sims.list) healthy(s.simulator);
    // Whatever an earlier test left is exported before the counters are zeroed.
    await t.gateway.tracing!.forceFlush();
    t.resetStats();
    otlp.reset();
    proxy.seen.length = 0;
  });

  it('exports a client span per upstream call, in the request trace, with provider and route template and no id or secret', async () => {
    const res = await t.gql(QUERY);
    expect(res.errors).toBeUndefined();
    await t.gateway.tracing!.forceFlush();

    const [server, ...moreServers] = otlp.spans.filter((s) => s.kind === SPAN_KIND.server);
    expect(moreServers).toEqual([]);
    expect(server.name).toBe('graphql.query Traced');
    expect(server.parentSpanId).toBe('');
    expect(server.attributes).toMatchObject({ 'graphql.operation.type': 'query', 'graphql.operation.name': 'Traced', 'http.response.status_code': 200 });
    expect(server.resource['service.name']).toBe('bg-traces-test');
    // The collector's header went with the export.
    expect(otlp.requests.every((h) => h['x-collector-key'] === 'collector-key-123')).toBe(true);

    // One client span per request a simulator counted, per provider too.
    const clients = otlp.spans.filter((s) => s.kind === SPAN_KIND.client);
    expect(clients.length).toBe(totalUpstream(t));
    expect(clients.length).toBeGreaterThanOrEqual(8);
    for (const s of t.sims.list) {
      expect(clients.filter((c) => c.attributes['backup_graph.provider'] === s.kind).length, s.kind).toBe(s.simulator.stats.total);
      expect(s.simulator.stats.total, `${s.kind} was called`).toBeGreaterThan(0);
    }

    // Every span of the request is in its trace, and every client span hangs under the server span,
    // through the root field's span and a provider list or lookup span.
    expect(new Set(otlp.spans.map((s) => s.traceId))).toEqual(new Set([server.traceId]));
    const spans = byId(otlp.spans);
    for (const c of clients) {
      const chain = ancestors(c, spans);
      expect(chain.at(-1)?.spanId, `${c.name} reaches the request span`).toBe(server.spanId);
      expect(chain[0].name).toMatch(/^backup_graph\.(list|lookup|field) /);
      expect(chain[0].attributes['backup_graph.provider']).toBe(c.attributes['backup_graph.provider']);
    }
    const names = new Set(otlp.spans.map((s) => s.name));
    for (const n of ['graphql.resolve Query.jobs', 'graphql.resolve Query.backups', 'backup_graph.list job', 'backup_graph.list backup']) expect(names).toContain(n);
    expect([...names].some((n) => n.startsWith('backup_graph.lookup '))).toBe(true);

    // The attributes of an upstream call: provider, method, route template; status.
    for (const c of clients) {
      expect(c.name).toBe(`${c.attributes['http.request.method']} ${c.attributes['url.template']}`);
      expect(c.attributes['http.response.status_code']).toBe(200);
      expect(c.status.code).toBe(0);
      expect(String(c.attributes['url.template'])).toMatch(/^\/[A-Za-z0-9/:._-]*$/);
    }

    // Each upstream request carried the traceparent of its own client span, one span per request.
    expect(proxy.seen.length).toBe(clients.length);
    const clientById = byId(clients);
    const used = new Set<string>();
    for (const f of proxy.seen) {
      const m = TRACEPARENT.exec(f.traceparent ?? '');
      expect(m, `${f.method} ${f.path} carries a traceparent`).not.toBeNull();
      expect(m![1]).toBe(server.traceId);
      const span = clientById.get(m![2]);
      expect(span, 'the traceparent names a client span').toBeDefined();
      used.add(m![2]);
      // The template stands for the path the simulator got, ids replaced.
      const template = String(span!.attributes['url.template']);
      const re = new RegExp(`${template.replace(/[.*+?^${}()|[\]\\]/g, '\\$&').replace(/:id/g, '[^/]+')}$`);
      expect(f.path.split('?')[0]).toMatch(re);
      expect(span!.attributes['http.request.method']).toBe(f.method);
    }
    expect(used.size).toBe(clients.length);

    // No native id, query string or credential anywhere in a span.
    const ids = [...nativeIdsOf(res.data)].filter((id) => id.length >= 4);
    expect(ids.length).toBeGreaterThan(10);
    const values = otlp.spans.flatMap((s) => [s.name, s.status.message ?? '', ...Object.values(s.attributes).map(String)]);
    for (const v of values) {
      expect(v.includes('?'), v).toBe(false);
      for (const id of ids) expect(v.includes(id), `${v} holds native id ${id}`).toBe(false);
    }
    for (const body of otlp.bodies) for (const secret of t.secrets) expect(body.includes(secret)).toBe(false);
  });

  it('continues an incoming traceparent; upstream calls carry the same trace id', async () => {
    const traceId = '4bf92f3577b34da6a3ce929d0e0e4736';
    const parentId = '00f067aa0ba902b7';
    const res = await t.gql(`query Continued { organizations(first: 5) { nodes { name } } }`, undefined, { traceparent: `00-${traceId}-${parentId}-01` });
    expect(res.errors).toBeUndefined();
    await t.gateway.tracing!.forceFlush();

    const server = otlp.spans.find((s) => s.kind === SPAN_KIND.server)!;
    expect(server).toMatchObject({ traceId, parentSpanId: parentId, name: 'graphql.query Continued' });
    expect(otlp.spans.every((s) => s.traceId === traceId)).toBe(true);
    expect(proxy.seen.length).toBe(totalUpstream(t));
    expect(proxy.seen.length).toBeGreaterThan(0);
    for (const f of proxy.seen) expect(TRACEPARENT.exec(f.traceparent ?? '')?.[1]).toBe(traceId);
  });

  it.each([
    ['not W3C at all', 'garbage'],
    ['an all-zero trace id', '00-00000000000000000000000000000000-00f067aa0ba902b7-01'],
    ['a too short parent id', '00-4bf92f3577b34da6a3ce929d0e0e4736-00f067aa-01'],
  ])('ignores a malformed traceparent (%s): a new trace starts', async (_what, traceparent) => {
    const res = await t.gql(`{ organizations(first: 2) { nodes { name } } }`, undefined, { traceparent });
    expect(res.errors).toBeUndefined();
    await t.gateway.tracing!.forceFlush();
    const server = otlp.spans.find((s) => s.kind === SPAN_KIND.server)!;
    expect(server.name).toBe('graphql.query');
    expect(server.parentSpanId).toBe('');
    expect(server.traceId).toMatch(/^[0-9a-f]{32}$/);
    expect(server.traceId).not.toBe('4bf92f3577b34da6a3ce929d0e0e4736');
    for (const f of proxy.seen) expect(TRACEPARENT.exec(f.traceparent ?? '')?.[1]).toBe(server.traceId);
  });

  it('a failing provider: client spans are errors with the status only, retries numbered, the request span lists the codes', async () => {
    const bycloud = t.sims.get('bycloud').simulator;
    bycloud.setFault('*', { forceStatus: 503 });
    const res = await t.gql(`query Failing { backups(first: 5, filter: { providers: ["bycloud", "norcube"] }) { nodes { nativeId } } }`);
    expect(res.errors?.map((e) => e.extensions?.code)).toContain('UPSTREAM_UNAVAILABLE');
    await t.gateway.tracing!.forceFlush();

    const failed = otlp.spans.filter((s) => s.kind === SPAN_KIND.client && s.attributes['backup_graph.provider'] === 'bycloud');
    expect(failed.length).toBe(bycloud.stats.total);
    expect(failed.length).toBeGreaterThan(1);
    for (const s of failed) {
      expect(s.status).toEqual({ code: 2, message: '503' });
      expect(s.attributes).toMatchObject({ 'http.response.status_code': 503, 'error.type': '503' });
    }
    // The first attempt has no resend count; retries count 1, 2, ... (per call: ByCloud's backups
    // read its two collections in parallel, each call retried on its own).
    const resends = failed.map((s) => Number(s.attributes['http.request.resend_count'] ?? 0));
    const tries = (n: number) => resends.filter((r) => r === n).length;
    expect(tries(0)).toBe(2);
    for (let n = 1; n <= Math.max(...resends); n++) expect(tries(n)).toBeGreaterThan(0);
    for (let n = 1; n <= Math.max(...resends); n++) expect(tries(n)).toBeLessThanOrEqual(tries(n - 1));
    const list = otlp.spans.find((s) => s.name === 'backup_graph.list backup' && s.attributes['backup_graph.provider'] === 'bycloud')!;
    expect(list.status).toEqual({ code: 2, message: 'UPSTREAM_UNAVAILABLE' });
    const server = otlp.spans.find((s) => s.kind === SPAN_KIND.server)!;
    expect(server.status).toEqual({ code: 2, message: 'UPSTREAM_UNAVAILABLE' });
    expect(server.attributes['backup_graph.error.codes']).toEqual(['UPSTREAM_UNAVAILABLE']);
    // The healthy provider's calls are fine.
    const ok = otlp.spans.filter((s) => s.kind === SPAN_KIND.client && s.attributes['backup_graph.provider'] === 'norcube');
    expect(ok.length).toBeGreaterThan(0);
    expect(ok.every((s) => s.status.code === 0)).toBe(true);
  });

  it('a mutation with a connection URI in its variables: its spans carry neither the URI nor the variables', async () => {
    const list = await t.gql(`{ backups(first: 1, filter: { providers: ["norcube"], status: [AVAILABLE] }) { nodes { id } } }`);
    const backupId = list.data.backups.nodes[0].id;
    await t.gateway.tracing!.forceFlush();
    otlp.reset();
    const secret = 'Tr4ceS3cretPw';
    const uri = `postgres://admin:${secret}@db.internal.example:5432/app`;
    const res = await t.gql(
      `mutation Restore($i: RestoreBackupInput!) { restoreBackup(input: $i) { progressId } }`,
      { i: { backupId, mode: 'new_server', targetUri: uri } },
    );
    expect(res.status).toBe(200);
    await t.gateway.tracing!.forceFlush();
    const names = otlp.spans.map((s) => s.name);
    expect(names).toContain('graphql.mutation Restore');
    expect(names).toContain('graphql.resolve Mutation.restoreBackup');
    expect(otlp.spans.some((s) => s.kind === SPAN_KIND.client && s.attributes['http.request.method'] === 'POST')).toBe(true);
    for (const body of otlp.bodies) {
      for (const needle of [secret, 'db.internal.example', backupId, 'targetUri']) expect(body.includes(needle), needle).toBe(false);
    }
  });
});

describe('tracing off (no telemetry.otlpEndpoint)', () => {
  it('exports nothing and sends no traceparent upstream, even with OTEL_* variables set', async () => {
    const otlp = await totlp();
    const proxy = await recordingProxy();
    // The gateway reads no OTEL_* variable itself: only its options turn tracing on.
    const before = process.env.OTEL_EXPORTER_OTLP_ENDPOINT;
    process.env.OTEL_EXPORTER_OTLP_ENDPOINT = otlp.url;
    let t: TGateway;
    try {
      t = await tgateway({ providers: (ps) => ps.map((p) => ({ ...p, baseUrl: proxy.route(p.baseUrl) })) });
    } finally {
      if (before === undefined) delete process.env.OTEL_EXPORTER_OTLP_ENDPOINT;
      else process.env.OTEL_EXPORTER_OTLP_ENDPOINT = before;
    }
    expect(t.gateway.tracing).toBeUndefined();
    const res = await t.gql(QUERY, undefined, { traceparent: '00-4bf92f3577b34da6a3ce929d0e0e4736-00f067aa0ba902b7-01' });
    expect(res.errors).toBeUndefined();
    expect(proxy.seen.length).toBe(totalUpstream(t));
    expect(proxy.seen.length).toBeGreaterThan(0);
    expect(proxy.seen.filter((f) => f.traceparent !== undefined)).toEqual([]);
    await t.close();
    expect(otlp.requests).toEqual([]);
  });
});
