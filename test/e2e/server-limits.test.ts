/**
 * Client-side limits over real HTTP (and raw TCP where a well-behaved client cannot misbehave
 * enough): a body over the cap is 413 PAYLOAD_TOO_LARGE before any upstream call, whether it
 * announces its length or not; a request whose body or headers stall is answered 408
 * REQUEST_TIMEOUT and its socket closed; an idle keep-alive socket is closed; graphql-sse
 * single-connection reservations expire unused (their token then refused) and are capped per
 * client and in all, while a normal single-connection client still works.
 *
 * The limits are set short here; reservation expiries are scheduled on timers the test fires, so
 * nothing waits for real seconds.
 */
import { request as httpRequest } from 'node:http';
import { beforeAll, describe, expect, it } from 'vitest';
import type { ReservationTimers } from '../../src/server/plugins/use-graphql-sse-single-connection.ts';
import { rawExchange as rawExchangeWith } from '../utils/traw.ts';
import { tgateway, upstreamCounts, type TGateway } from '../utils/tgateway.ts';
import { collect, sseClient } from './sse-client.ts';

const MAX_BODY = 16_384;
const REQUEST_TIMEOUT_MS = 400;
const HEADERS_TIMEOUT_MS = 200;
const KEEP_ALIVE_MS = 150;
/** Far beyond every limit above, far below node's own defaults (5 s keep-alive, 60 s headers, 300 s request). */
const GUARD_MS = 3_000;

/** Expiry timers the test fires at will. */
function manualTimers() {
  const pending = new Map<number, () => void>();
  let next = 0;
  const timers: ReservationTimers = {
    set: (fn) => (pending.set(++next, fn), next),
    clear: (handle) => void pending.delete(handle as number),
  };
  return {
    timers,
    /** Fires every pending expiry. */
    fireAll() {
      const due = [...pending.values()];
      pending.clear();
      for (const fn of due) fn();
    },
  };
}

const clock = manualTimers();
/** Tokens expired so far, and who waits for which. */
const expired = new Set<string>();
const waiting = new Map<string, () => void>();
const expiryOf = (token: string) =>
  expired.has(token) ? Promise.resolve() : new Promise<void>((resolve) => waiting.set(token, resolve));

let t: TGateway;
beforeAll(async () => {
  t = await tgateway({
    gateway: {
      http: { maxBodyBytes: MAX_BODY, requestTimeoutMs: REQUEST_TIMEOUT_MS, headersTimeoutMs: HEADERS_TIMEOUT_MS, keepAliveTimeoutMs: KEEP_ALIVE_MS },
      singleConnection: {
        maxStreamsPerClient: 3,
        maxStreams: 6,
        // A test names its client in a header; without one, the remote address is the client.
        clientOf: (request) => request.headers.get('x-test-client') ?? undefined,
        timers: clock.timers,
        onReservationExpired: (token) => {
          expired.add(token);
          waiting.get(token)?.();
        },
      },
    },
  });
});

const UPSTREAM_QUERY = '{ backups(first: 1) { nodes { id } } }';
const noCalls = () => Object.fromEntries(t.sims.list.map((s) => [s.kind, 0]));
/** A JSON GraphQL request body of exactly `bytes` bytes that would call every provider. */
const bodyOf = (bytes: number) => {
  const base = JSON.stringify({ query: UPSTREAM_QUERY });
  return JSON.stringify({ query: UPSTREAM_QUERY + ' '.repeat(bytes - base.length) });
};
const errorLines = (from: number) => t.logs.slice(from).filter((line) => (JSON.parse(line) as { level: number }).level >= 50);

/** Fails with `what` unless `p` settles within {@link GUARD_MS}. */
async function within<T>(p: Promise<T>, what: string): Promise<T> {
  let timer: NodeJS.Timeout | undefined;
  const guard = new Promise<never>((_r, reject) => (timer = setTimeout(() => reject(new Error(`${what}: not within ${GUARD_MS} ms`)), GUARD_MS)));
  try {
    return await Promise.race([p, guard]);
  } finally {
    clearTimeout(timer);
  }
}

/** A raw exchange (`test/utils/traw.ts`) with this file's gateway. */
const rawExchange = (text: string) => rawExchangeWith(t.url, text);

/** The status line and JSON body of the one raw HTTP response in `data`. */
function parseRaw(data: string): { status: number; json: any; responses: number } {
  const responses = data.match(/^HTTP\/1\.1 \d{3}/gm)?.length ?? 0;
  const status = Number(/^HTTP\/1\.1 (\d{3})/.exec(data)?.[1]);
  const body = data.slice(data.indexOf('\r\n\r\n') + 4);
  try {
    return { status, json: body ? JSON.parse(body) : null, responses };
  } catch {
    throw new Error(`not one JSON response: ${JSON.stringify(data)}`);
  }
}

/** POSTs `chunks` as a chunked body (no Content-Length). */
function chunkedPost(chunks: string[]): Promise<{ status: number; body: string }> {
  return new Promise((resolve, reject) => {
    const req = httpRequest(`${t.url}/graphql`, { method: 'POST', headers: { 'content-type': 'application/json', accept: 'application/json' } }, (res) => {
      let body = '';
      res.setEncoding('utf8');
      res.on('data', (d: string) => (body += d));
      res.on('end', () => resolve({ status: res.statusCode!, body }));
    });
    req.on('error', reject);
    for (const c of chunks) req.write(c);
    req.end();
  });
}

describe('request body cap', () => {
  it('a body just within the cap runs', async () => {
    const res = await fetch(`${t.url}/graphql`, { method: 'POST', headers: { 'content-type': 'application/json' }, body: bodyOf(MAX_BODY) });
    expect(res.status).toBe(200);
    expect((await res.json()).data.backups.nodes).toHaveLength(1);
  });

  it('a Content-Length over the cap is 413 PAYLOAD_TOO_LARGE, with no upstream call and no error log', async () => {
    t.resetStats();
    const from = t.logs.length;
    const res = await fetch(`${t.url}/graphql`, { method: 'POST', headers: { 'content-type': 'application/json' }, body: bodyOf(MAX_BODY + 1) });
    expect(res.status).toBe(413);
    expect(res.headers.get('content-type')).toMatch(/^application\/json/);
    expect(await res.json()).toEqual({ errors: [{ message: `request body is larger than ${MAX_BODY} bytes`, extensions: { code: 'PAYLOAD_TOO_LARGE', limit: MAX_BODY } }] });
    expect(upstreamCounts(t)).toEqual(noCalls());
    expect(errorLines(from)).toEqual([]);
  });

  it('a chunked body (no Content-Length) is counted as it arrives: within the cap it runs', async () => {
    const body = bodyOf(MAX_BODY);
    const res = await chunkedPost([body.slice(0, 5000), body.slice(5000, 12000), body.slice(12000)]);
    expect(res.status, res.body).toBe(200);
    expect(JSON.parse(res.body).data.backups.nodes).toHaveLength(1);
  });

  it('a chunked body over the cap is 413 PAYLOAD_TOO_LARGE, with no upstream call', async () => {
    t.resetStats();
    const body = bodyOf(MAX_BODY + 1);
    const res = await chunkedPost([body.slice(0, 10000), body.slice(10000)]);
    expect(res.status).toBe(413);
    expect(JSON.parse(res.body).errors[0].extensions.code).toBe('PAYLOAD_TOO_LARGE');
    expect(upstreamCounts(t)).toEqual(noCalls());
  });
});

describe('read timeouts', () => {
  it('a body that stalls mid-way is answered 408 REQUEST_TIMEOUT and its socket closed, with no upstream call', async () => {
    t.resetStats();
    const from = t.logs.length;
    const body = JSON.stringify({ query: UPSTREAM_QUERY });
    const data = await within(
      rawExchange(`POST /graphql HTTP/1.1\r\nHost: ${new URL(t.url).host}\r\nContent-Type: application/json\r\nContent-Length: ${body.length}\r\n\r\n${body.slice(0, 10)}`),
      'the stalled body',
    );
    const { status, json } = parseRaw(data);
    expect(status, data).toBe(408);
    expect(json.errors[0].extensions.code).toBe('REQUEST_TIMEOUT');
    expect(upstreamCounts(t)).toEqual(noCalls());
    expect(errorLines(from)).toEqual([]);
  });

  it('headers that stall are answered 408 REQUEST_TIMEOUT and the socket closed', async () => {
    const data = await within(rawExchange(`POST /graphql HTTP/1.1\r\nHost: ${new URL(t.url).host}\r\nContent-Type: appl`), 'the stalled headers');
    const { status, json } = parseRaw(data);
    expect(status, data).toBe(408);
    expect(json.errors[0].extensions.code).toBe('REQUEST_TIMEOUT');
  });

  it('an idle keep-alive socket is closed after the keep-alive timeout, its one response answered', async () => {
    const data = await within(rawExchange(`GET /healthz HTTP/1.1\r\nHost: ${new URL(t.url).host}\r\nConnection: keep-alive\r\n\r\n`), 'the idle keep-alive socket');
    const { status, json, responses } = parseRaw(data);
    expect(status).toBe(200);
    expect(json).toEqual({ status: 'ok' });
    expect(data).toMatch(/^connection: keep-alive/im);
    // Closed idle, not after an error answer (a 408 would be a second response).
    expect(responses).toBe(1);
  });
});

describe('graphql-sse single-connection reservations', () => {
  const TOKEN_HEADER = 'x-graphql-event-stream-token';
  const put = (client?: string) => fetch(`${t.url}/graphql`, { method: 'PUT', headers: client ? { 'x-test-client': client } : {} });
  const reserve = async (client: string) => {
    const res = await put(client);
    expect(res.status).toBe(201);
    return res.text();
  };

  it('a normal single-connection client still works', async () => {
    const client = sseClient(t.url, 'single');
    const r = await collect(client, '{ providers { id } }', {}).done;
    client.dispose();
    expect(r.errors).toEqual([]);
    expect(r.completed).toBe(true);
    expect(r.events[0].providers.map((p: { id: string }) => p.id).sort()).toEqual(t.sims.list.map((s) => s.kind).sort());
  });

  it('a reservation not used in time expires: its stream and its operations are refused with STREAM_NOT_FOUND', async () => {
    const token = await reserve('expiry');
    clock.fireAll();
    await expiryOf(token);
    const stream = await fetch(`${t.url}/graphql`, { headers: { accept: 'text/event-stream', [TOKEN_HEADER]: token } });
    expect(stream.status).toBe(404);
    expect((await stream.json()).errors[0].extensions.code).toBe('STREAM_NOT_FOUND');
    const op = await fetch(`${t.url}/graphql`, {
      method: 'POST',
      headers: { 'content-type': 'application/json', [TOKEN_HEADER]: token },
      body: JSON.stringify({ query: '{ __typename }', extensions: { operationId: '1' } }),
    });
    expect(op.status).toBe(404);
    expect((await op.json()).errors[0].extensions.code).toBe('STREAM_NOT_FOUND');
  });

  it('a flood of PUTs from one client: the per-client cap holds (429 TOO_MANY_STREAMS), others still reserve, then the total cap (503)', async () => {
    clock.fireAll();
    const flood = await Promise.all(Array.from({ length: 10 }, () => put('flood')));
    expect(flood.map((r) => r.status).sort()).toEqual([201, 201, 201, 429, 429, 429, 429, 429, 429, 429]);
    const refused = flood.find((r) => r.status === 429)!;
    expect(refused.headers.get('retry-after')).toMatch(/^\d+$/);
    expect(await refused.json()).toEqual({ errors: [{ message: expect.any(String), extensions: { code: 'TOO_MANY_STREAMS', scope: 'client', limit: 3 } }] });
    // Another client is not held back by the flood...
    const other = await Promise.all([reserve('other'), reserve('other'), reserve('other')]);
    // ...until the gateway's own cap (6) is reached.
    const third = await put('third');
    expect(third.status).toBe(503);
    expect((await third.json()).errors[0].extensions).toEqual({ code: 'TOO_MANY_STREAMS', scope: 'server', limit: 6 });
    // Expired reservations give their places back.
    const floodTokens = await Promise.all(flood.filter((r) => r.status === 201).map((r) => r.text()));
    clock.fireAll();
    await Promise.all([...floodTokens, ...other].map(expiryOf));
    expect((await put('flood')).status).toBe(201);
    expect((await put('third')).status).toBe(201);
  });

  it('without a client from clientOf, the client is the remote address (capped like any other)', async () => {
    clock.fireAll();
    const mine = await Promise.all([put(), put(), put(), put()]);
    expect(mine.map((r) => r.status).sort()).toEqual([201, 201, 201, 429]);
    clock.fireAll();
  });
  it('a reservation whose stream is open does not expire', async () => {
    const token = await reserve('open');
    const abort = new AbortController();
    const stream = await fetch(`${t.url}/graphql`, { headers: { accept: 'text/event-stream', [TOKEN_HEADER]: token }, signal: abort.signal });
    expect(stream.status).toBe(200);
    clock.fireAll();
    // The open stream still takes operations.
    const op = await fetch(`${t.url}/graphql`, {
      method: 'POST',
      headers: { 'content-type': 'application/json', [TOKEN_HEADER]: token },
      body: JSON.stringify({ query: '{ __typename }', extensions: { operationId: 'op1' } }),
    });
    expect(op.status).toBe(202);
    expect(expired.has(token)).toBe(false);
    abort.abort();
  });
});
