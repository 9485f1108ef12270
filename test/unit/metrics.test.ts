/**
 * The pure parts of the metrics: request outcomes and operation types, label shapes, the registry
 * and what it reads at scrape time, the config section, and the idempotency store's replay hook.
 */
import { parse } from 'graphql';
import { describe, expect, it } from 'vitest';
import { createIdempotencyStore } from '../../src/mutations/idempotency.ts';
import { createGatewayMetrics, type GatewayMetricsSources } from '../../src/server/metrics/create-gateway-metrics.ts';
import { boundedLabel, nameLabel } from '../../src/server/metrics/labels.ts';
import { operationTypeOf, outcomeOf } from '../../src/server/metrics/request-outcome.ts';
import { ConfigError, gatewayOptionsFrom, parseConfig } from '../../src/server/config.ts';
import type { UpstreamState } from '../../src/upstream/guard.ts';
import { parseMetrics } from '../utils/tmetrics.ts';

describe('outcomeOf', () => {
  const coded = (code: unknown) => ({ message: 'x', extensions: { code } });
  it.each([
    ['no errors', { data: { a: 1 } }, 'OK'],
    ['an empty error list', { data: null, errors: [] }, 'OK'],
    ['the first error\'s code', { data: null, errors: [coded('BAD_USER_INPUT'), coded('UPSTREAM_ERROR')] }, 'BAD_USER_INPUT'],
    ['partial data with a provider error', { data: { a: 1 }, errors: [coded('UPSTREAM_UNAVAILABLE')] }, 'UPSTREAM_UNAVAILABLE'],
    ['an error without a code', { errors: [{ message: 'x' }] }, 'UNCODED'],
    ['a code that is not of the shape of one', { errors: [coded('https://x.example/?token=abc')] }, 'UNCODED'],
    ['a non-string code', { errors: [coded(42)] }, 'UNCODED'],
    ['a stream', { [Symbol.asyncIterator]: () => undefined }, 'OK'],
    ['a batch: its first failed result', [{ data: {} }, { errors: [coded('COST_LIMIT_EXCEEDED')] }], 'COST_LIMIT_EXCEEDED'],
    ['nothing', undefined, 'OK'],
  ])('%s', (_name, result, outcome) => {
    expect(outcomeOf(result)).toBe(outcome);
  });
});

describe('operationTypeOf', () => {
  it.each([
    ['{ a }', undefined, 'query'],
    ['mutation M { a }', undefined, 'mutation'],
    ['subscription { a }', null, 'subscription'],
    ['query A { a } mutation B { b }', 'B', 'mutation'],
    ['query A { a } mutation B { b }', undefined, 'unknown'],
    ['query A { a }', 'Nope', 'unknown'],
  ])('%s (operation %s) is %s', (doc, name, type) => {
    expect(operationTypeOf(parse(doc), name)).toBe(type);
  });
});

describe('nameLabel', () => {
  it.each([['triggerBackup', 'triggerBackup'], ['api-key:noc', 'other'], ['1abc', 'other'], ['', 'other']])('%s -> %s', (value, label) => {
    expect(nameLabel(value)).toBe(label);
  });
});

describe('boundedLabel', () => {
  it.each([
    ['/datasources/:id/backups/:id', '/datasources/:id/backups/:id'],
    ['UPSTREAM_ERROR', 'UPSTREAM_ERROR'],
    ['bocada-eu_2', 'bocada-eu_2'],
    ['http://h/x?token=1', 'other'],
    ['a b', 'other'],
    ['', 'other'],
    ['x'.repeat(101), 'other'],
  ])('%s -> %s', (value, label) => {
    expect(boundedLabel(value)).toBe(label);
  });
});

const state = (circuit: UpstreamState['circuit']): UpstreamState => ({ circuit, retryAfterMs: 0, consecutiveFailures: 0, inFlight: 0, queued: 0, retryTokens: 10 });

describe('createGatewayMetrics', () => {
  function metricsWith(overrides: Partial<GatewayMetricsSources> = {}) {
    const live = { subscriptions: 0, open: 0, opened: 0, groups: 0, circuit: 'closed' as UpstreamState['circuit'] };
    const metrics = createGatewayMetrics({
      defaultMetrics: false,
      providers: () => [{ id: 'a', upstreamState: () => state(live.circuit) }, { id: 'b' }],
      openSubscriptions: () => live.subscriptions,
      upstreamStreams: () => ({ openSources: live.open, sourcesOpened: live.opened }),
      subscriptionGroups: () => live.groups,
      ...overrides,
    });
    return { metrics, live, read: async () => parseMetrics(await metrics.text()) };
  }

  it('reads breakers, subscriptions and upstream streams when scraped', async () => {
    const { live, read } = metricsWith();
    let m = await read();
    expect(m.by('backup_graph_upstream_breaker_state', 'state', { provider: 'a' })).toEqual({ closed: 1, open: 0, 'half-open': 0 });
    expect(m.select('backup_graph_upstream_breaker_state', { provider: 'b' })).toEqual([]);
    expect([m.sum('backup_graph_open_subscriptions'), m.sum('backup_graph_upstream_streams_open'), m.sum('backup_graph_upstream_streams_opened_total')]).toEqual([0, 0, 0]);
    expect(m.sum('backup_graph_subscription_groups')).toBe(0);
    Object.assign(live, { subscriptions: 3, open: 2, opened: 5, groups: 1, circuit: 'open' });
    m = await read();
    expect(m.by('backup_graph_upstream_breaker_state', 'state', { provider: 'a' })).toEqual({ closed: 0, open: 1, 'half-open': 0 });
    expect([m.sum('backup_graph_open_subscriptions'), m.sum('backup_graph_upstream_streams_open'), m.sum('backup_graph_upstream_streams_opened_total')]).toEqual([3, 2, 5]);
    expect(m.types['backup_graph_subscription_groups']).toBe('gauge');
    expect(m.sum('backup_graph_subscription_groups')).toBe(1);
    live.circuit = 'half-open';
    expect((await read()).by('backup_graph_upstream_breaker_state', 'state', { provider: 'a' })).toEqual({ closed: 0, open: 0, 'half-open': 1 });
  });

  it('labels upstream attempts by provider, route template, method and status ("error" without one)', async () => {
    const { metrics, read } = metricsWith();
    const call = { provider: 'a', method: 'GET', path: '/jobs/j-1', route: '/jobs/:id', attempt: 0, durationMs: 20, requestId: 'r-1' };
    metrics.observeUpstreamCall({ ...call, status: 200 });
    metrics.observeUpstreamCall({ ...call, status: 200 });
    metrics.observeUpstreamCall({ ...call, status: null, error: 'SocketError' });
    const m = await read();
    expect(m.by('backup_graph_upstream_requests_total', 'status', { provider: 'a', route: '/jobs/:id', method: 'GET' })).toEqual({ 200: 2, error: 1 });
    expect(m.sum('backup_graph_upstream_request_duration_seconds_count', { route: '/jobs/:id' })).toBe(3);
    expect(m.sum('backup_graph_upstream_request_duration_seconds_sum')).toBeCloseTo(0.06);
    expect(m.text).not.toContain('j-1');
    expect(m.text).not.toContain('r-1');
  });

  it('counts retries by reason, and only 429 waits as rate-limit waits (with their seconds)', async () => {
    const { metrics, read } = metricsWith();
    metrics.observeRetry({ provider: 'a', route: '/jobs', reason: 'error', waitMs: 100 });
    metrics.observeRetry({ provider: 'a', route: '/jobs', reason: 'rate-limited', waitMs: 1500 });
    metrics.observeRetry({ provider: 'a', route: '/jobs', reason: 'rate-limited', waitMs: 500 });
    const m = await read();
    expect(m.by('backup_graph_upstream_retries_total', 'reason', { provider: 'a', route: '/jobs' })).toEqual({ error: 1, 'rate-limited': 2 });
    expect(m.sum('backup_graph_upstream_rate_limit_waits_total', { provider: 'a' })).toBe(2);
    expect(m.sum('backup_graph_upstream_rate_limit_wait_seconds_total', { provider: 'a' })).toBe(2);
  });

  it('counts requests with their durations, replays by mutation; odd label values become "other"', async () => {
    const { metrics, read } = metricsWith();
    metrics.observeRequest({ operationType: 'query', outcome: 'OK', durationMs: 30 });
    metrics.observeRequest({ operationType: 'query', outcome: 'OK', durationMs: 3000 });
    metrics.observeRequest({ operationType: 'query', outcome: 'secret token', durationMs: 1 });
    metrics.observeIdempotencyReplay('triggerBackup');
    metrics.observeIdempotencyReplay('api-key:noc-dashboard');
    const m = await read();
    expect(m.by('backup_graph_requests_total', 'outcome', { operation_type: 'query' })).toEqual({ OK: 2, other: 1 });
    expect(m.sum('backup_graph_request_duration_seconds_bucket', { outcome: 'OK', le: '0.05' })).toBe(1);
    expect(m.sum('backup_graph_request_duration_seconds_bucket', { outcome: 'OK', le: '5' })).toBe(2);
    expect(m.by('backup_graph_idempotency_replays_total', 'mutation')).toEqual({ triggerBackup: 1, other: 1 });
    expect(m.types['backup_graph_request_duration_seconds']).toBe('histogram');
  });

  it('keeps each gateway\'s metrics in its own registry (not the global one)', async () => {
    const one = metricsWith();
    const two = metricsWith();
    one.metrics.observeRequest({ operationType: 'query', outcome: 'OK', durationMs: 1 });
    expect((await one.read()).sum('backup_graph_requests_total')).toBe(1);
    expect((await two.read()).sum('backup_graph_requests_total')).toBe(0);
    const { register } = await import('prom-client');
    expect(register.getSingleMetric('backup_graph_requests_total')).toBeUndefined();
  });

  it('collects Node\'s default metrics, event-loop lag included, unless told not to', async () => {
    const withDefaults = createGatewayMetrics({ providers: () => [], openSubscriptions: () => 0, upstreamStreams: () => ({ openSources: 0, sourcesOpened: 0 }) });
    const m = parseMetrics(await withDefaults.text());
    expect(m.types['nodejs_eventloop_lag_seconds']).toBe('gauge');
    expect(m.types['process_resident_memory_bytes']).toBe('gauge');
    expect((await metricsWith().read()).types['nodejs_eventloop_lag_seconds']).toBeUndefined();
  });
});

describe('config `metrics`', () => {
  const base = 'providers:\n  - { id: b, kind: bocada, baseUrl: "http://127.0.0.1:1", auth: { apiKey: k } }\n';
  it('passes `enabled` and `path` to the gateway; leaves them out when absent', () => {
    expect(gatewayOptionsFrom(parseConfig(`metrics: { enabled: false, path: /internal/metrics }\n${base}`)).metrics).toEqual({ enabled: false, path: '/internal/metrics' });
    expect(gatewayOptionsFrom(parseConfig(base)).metrics).toBeUndefined();
  });
  it.each([
    ['an unknown key', 'metrics: { enabled: true, port: 9100 }', 'metrics: unknown key(s) "port"'],
    ['a path without a leading slash', 'metrics: { path: metrics }', 'metrics.path: must be a path starting with "/"'],
    ['a non-boolean enabled', 'metrics: { enabled: "yes" }', 'metrics.enabled:'],
    ['the GraphQL endpoint as its path', 'metrics: { path: /graphql }', 'metrics.path: must not be a path the gateway already serves'],
  ])('refuses %s, naming the key', (_name, line, message) => {
    expect(() => parseConfig(`${line}\n${base}`)).toThrow(ConfigError);
    expect(() => parseConfig(`${line}\n${base}`)).toThrow(message);
  });
});

describe('idempotency replays', () => {
  it('reports each call answered from the store, concurrent ones included, by scope; not first calls or misuse', async () => {
    const replays: string[] = [];
    const store = createIdempotencyStore({ onReplay: (scope) => replays.push(scope) });
    let calls = 0;
    const fn = async () => ++calls;
    await Promise.all([store.run('triggerBackup', 'k1', { a: 1 }, fn), store.run('triggerBackup', 'k1', { a: 1 }, fn)]);
    await store.run('triggerBackup', 'k1', { a: 1 }, fn);
    await store.run('deleteBackup', 'k1', { a: 1 }, fn);
    await store.run('deleteBackup', null, { a: 1 }, fn);
    expect(() => store.run('triggerBackup', 'k1', { a: 2 }, fn)).toThrow('different input');
    expect(calls).toBe(3);
    expect(replays).toEqual(['triggerBackup', 'triggerBackup']);
  });
});
