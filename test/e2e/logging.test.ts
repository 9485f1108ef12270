/**
 * Logs an operator can use, over real HTTP against the simulators, with the harness's logger at
 * debug and no redaction (so what is proved here is that the gateway never writes the secret, not
 * that a redaction list caught it):
 * - a restore whose `targetUri` holds a password succeeds (Norcube refuses `new_server` without
 *   it, so it went upstream), and the password is in no log line at any level and no response body;
 *   nor when it is inside a wrong-type variable, an upstream-refused URI, a malformed document or a
 *   document that fails validation;
 * - every request to /graphql gets exactly one access line (request id, operation name and type,
 *   duration, upstream calls equal to what the simulators counted, HTTP status, outcome code);
 *   health, readiness and GraphiQL's files get none; a subscription's line is written when its
 *   stream ends;
 * - client errors write nothing at warn or error; an unexpected error is written at error with
 *   its stack, without the query text;
 * - `LOG_LEVEL` that is not a level stops `serve` with a clear message, exit 2.
 */
import { spawn } from 'node:child_process';
import { once } from 'node:events';
import { randomUUID } from 'node:crypto';
import { createClient } from 'graphql-sse';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { PROVIDERS } from '../../src/providers/registry.ts';
import { SIMULATORS } from '../../src/simulators/registry.ts';
import { RUN_SOURCES } from '../utils/run-sources.ts';
import { tgateway, upstreamCounts, type TGateway } from '../utils/tgateway.ts';
import { collect, until } from './sse-client.ts';

const SECRET = `Pa55-${randomUUID()}`;
const uriFor = (engine: string) =>
  engine === 'mongodb' ? `mongodb://restorer:${SECRET}@db.internal:27017/app` : `postgresql://restorer:${SECRET}@db.internal:5432/app`;
const RESTORE = `mutation Restore($input: RestoreBackupInput!) { restoreBackup(input: $input) { progressId job { operation } } }`;

/** pino levels. */
const WARN = 40;
const ERROR = 50;

interface Line {
  level: number;
  msg: string;
  [k: string]: any;
}

let t: TGateway;
beforeAll(async () => {
  t = await tgateway({ stepMs: 50 });
});
afterAll(() => {
  for (const line of t.logs) expect(line).not.toContain(SECRET);
  for (const body of t.bodies) expect(body).not.toContain(SECRET);
});

const parsed = (logs: string[], from = 0): Line[] => logs.slice(from).map((l) => JSON.parse(l));
const accessLines = (logs: string[], requestId: string) => parsed(logs).filter((l) => l.msg === 'request' && l.requestId === requestId);
/** The one access line of `requestId` (fails unless there is exactly one). */
function accessLine(logs: string[], requestId: string): Line {
  const found = accessLines(logs, requestId);
  expect(found, `access lines of ${requestId}`).toHaveLength(1);
  return found[0];
}
const totalUpstream = () => Object.values(upstreamCounts(t)).reduce((a, b) => a + b, 0);
/** The simulators' non-zero request counts by provider id (= kind in the harness). */
const nonZero = (counts: Record<string, number>) => Object.fromEntries(Object.entries(counts).filter(([, n]) => n > 0));

/** A Norcube backup that can be restored, and its data source's engine. */
async function restorableNorcubeBackup(skip = 0): Promise<{ id: string; engine: string }> {
  const res = await t.gql(`{ backups(first: 20, filter: { providers: ["norcube"], status: [AVAILABLE] }) { nodes { id resource { id ... on NorcubeDataSource { engine } } } } }`);
  expect(res.errors).toBeUndefined();
  // One backup per data source: a data source takes one manual restore at a time.
  const seen = new Set<string>();
  const perSource = res.data.backups.nodes.filter((n: any) => !seen.has(n.resource.id) && seen.add(n.resource.id));
  const node = perSource[skip];
  expect(node, 'a restorable Norcube backup').toBeDefined();
  return { id: node.id, engine: node.resource.engine };
}

describe('a secret in targetUri', () => {
  it('goes upstream on a restore and into no log line or response body; the restore has one access line with the upstream count the simulators saw', async () => {
    const backup = await restorableNorcubeBackup(0);
    t.resetStats();
    const mark = t.logs.length;
    const res = await t.gql(RESTORE, { input: { backupId: backup.id, mode: 'new_server', targetUri: uriFor(backup.engine) } }, { 'x-request-id': 'log-restore-1' });
    expect(res.errors, JSON.stringify(res.errors)).toBeUndefined();
    expect(res.data.restoreBackup.job.operation).toBe('RESTORE');
    expect(res.raw).not.toContain(SECRET);
    const lines = parsed(t.logs, mark);
    expect(lines.length).toBeGreaterThan(1); // upstream calls at debug, the access line
    for (const l of t.logs.slice(mark)) expect(l).not.toContain(SECRET);
    expect(lines.filter((l) => l.level >= WARN)).toEqual([]);

    const line = accessLine(t.logs, 'log-restore-1');
    const counts = upstreamCounts(t);
    expect(line).toMatchObject({
      level: 30, method: 'POST', operationName: 'Restore', operationType: 'mutation', status: 200, outcome: 'OK',
      upstreamCalls: totalUpstream(), upstreamByProvider: nonZero(counts),
    });
    expect(counts.norcube).toBeGreaterThan(0);
    expect(line.durationMs).toBeGreaterThanOrEqual(0);
    expect(line).not.toHaveProperty('errorCodes');
    expect(line).not.toHaveProperty('caller'); // no access control: no caller
    expect(Object.keys(line)).not.toContain('variables');
  });

  it.each([
    ['a wrong-type sibling (the whole input is the invalid value)', (uri: string) => ({ targetUri: uri, confirmOverwrite: `yes ${SECRET}` })],
    ['targetUri itself of the wrong type', (uri: string) => ({ targetUri: { uri } })],
    ['targetUri as a list', (uri: string) => ({ targetUri: [uri, uri] })],
  ])('inside a wrong-type variable, %s: 400 BAD_USER_INPUT, no upstream call, in no body or line, nothing at warn/error', async (_n, input) => {
    const backup = await restorableNorcubeBackup(1);
    t.resetStats();
    const mark = t.logs.length;
    const id = `log-badvar-${randomUUID()}`;
    const res = await t.gql(RESTORE, { input: { backupId: backup.id, mode: 'new_server', ...input(uriFor(backup.engine)) } }, { 'x-request-id': id });
    expect(res.status).toBe(400);
    expect(res.errors?.map((e) => e.extensions?.code)).toEqual(['BAD_USER_INPUT']);
    expect(res.raw).not.toContain(SECRET);
    for (const l of t.logs.slice(mark)) expect(l).not.toContain(SECRET);
    expect(parsed(t.logs, mark).filter((l) => l.level >= WARN)).toEqual([]);
    expect(totalUpstream()).toBe(0);
    expect(accessLine(t.logs, id)).toMatchObject({ operationName: 'Restore', operationType: 'mutation', status: 400, outcome: 'BAD_USER_INPUT', errorCodes: ['BAD_USER_INPUT'], upstreamCalls: 0 });
  });

  it('in a URI Norcube refuses (wrong engine): a user error, in no body or line, and an OK request', async () => {
    const backup = await restorableNorcubeBackup(2);
    const mark = t.logs.length;
    const wrong = uriFor(backup.engine === 'mongodb' ? 'postgres' : 'mongodb');
    const res = await t.gql(RESTORE.replace('job { operation }', 'job { operation } userErrors { code message }'), { input: { backupId: backup.id, mode: 'new_server', targetUri: wrong } }, { 'x-request-id': 'log-refused-1' });
    expect(res.errors).toBeUndefined();
    expect(res.data.restoreBackup.progressId).toBeNull();
    expect(res.data.restoreBackup.userErrors.map((u: { code: string }) => u.code)).toEqual([expect.stringMatching(/^(BAD_USER_INPUT|REFUSED_BY_PROVIDER)$/)]);
    expect(res.raw).not.toContain(SECRET);
    for (const l of t.logs.slice(mark)) expect(l).not.toContain(SECRET);
    expect(parsed(t.logs, mark).filter((l) => l.level >= WARN)).toEqual([]);
    // The request was answered as asked: a mutation that answered only user errors is an OK request.
    expect(accessLine(t.logs, 'log-refused-1')).toMatchObject({ outcome: 'OK', status: 200 });
    expect(accessLine(t.logs, 'log-refused-1').errorCodes).toBeUndefined();
  });

  it.each([
    ['a malformed document', (uri: string) => `mutation Restore { restoreBackup(input: { backupId: "x", mode: "new_server", targetUri: "${uri}" }) { progressId `, 'GRAPHQL_PARSE_FAILED'],
    ['a document failing validation', (uri: string) => `mutation Restore { restoreBackup(input: { backupId: "x", targetUri: "${uri}", confirmOverwrite: "yes" }) { progressId } }`, 'BAD_USER_INPUT'],
    ['a document with an unknown field', (uri: string) => `mutation Restore { restoreBackup(input: { backupId: "x", targetUri: "${uri}" }) { progressId nope } }`, 'BAD_USER_INPUT'],
  ])('as a string literal of %s: 400 with its code, in no body or line, nothing at warn/error', async (_n, doc, expected) => {
    const mark = t.logs.length;
    const id = `log-literal-${randomUUID()}`;
    const res = await t.gql(doc(uriFor('postgres')), undefined, { 'x-request-id': id });
    expect(res.status).toBe(400);
    expect(res.errors?.[0]?.extensions?.code).toBe(expected);
    expect(res.raw).not.toContain(SECRET);
    for (const l of t.logs.slice(mark)) expect(l).not.toContain(SECRET);
    expect(parsed(t.logs, mark).filter((l) => l.level >= WARN)).toEqual([]);
    const line = accessLine(t.logs, id);
    expect(line).toMatchObject({ status: 400, outcome: expected, upstreamCalls: 0 });
    // A document that does not parse names no operation; the others do.
    expect(line.operationName).toBe(expected === 'GRAPHQL_PARSE_FAILED' ? null : 'Restore');
  });
});

describe('the access log', () => {
  it('one line per request, with the upstream calls each one made as the simulators counted them', async () => {
    const queries = [
      ['Overview', `query Overview { backups(first: 5) { nodes { id resource { id name } } } jobs(first: 3) { nodes { id status } } }`],
      ['Providers', `query Providers { providers { id health { status } } }`],
      ['OneProvider', `query OneProvider { resources(first: 2, filter: { providers: ["ocore"] }) { nodes { id } totalCount } }`],
      [null, `{ organizations(first: 3) { nodes { id name } } }`],
    ] as const;
    for (const [name, query] of queries) {
      t.resetStats();
      const id = `log-count-${name ?? 'anonymous'}`;
      const res = await t.gql(query, undefined, { 'x-request-id': id });
      expect(res.errors, JSON.stringify(res.errors)).toBeUndefined();
      const counts = upstreamCounts(t);
      expect(totalUpstream(), `${name} calls upstream`).toBeGreaterThan(0);
      expect(accessLine(t.logs, id)).toMatchObject({
        level: 30, requestId: id, method: 'POST', operationName: name, operationType: 'query', status: 200, outcome: 'OK',
        upstreamCalls: totalUpstream(), upstreamByProvider: nonZero(counts),
      });
    }
  });

  it('a request without an X-Request-Id gets the id the response carries', async () => {
    const res = await fetch(`${t.url}/graphql`, { method: 'POST', headers: { 'content-type': 'application/json' }, body: JSON.stringify({ query: '{ __typename }' }) });
    const id = res.headers.get('x-request-id')!;
    await res.text();
    expect(id).toMatch(/^[0-9a-f-]{36}$/);
    expect(accessLine(t.logs, id)).toMatchObject({ status: 200, outcome: 'OK', operationType: 'query', upstreamCalls: 0 });
  });

  it('health, readiness, GraphiQL and its files get no access line; a 415 and a GET mutation do, with their codes', async () => {
    const before = parsed(t.logs).filter((l) => l.msg === 'request').length;
    for (const path of ['/healthz', '/readyz', '/health', '/graphiql/assets/nope.js']) await (await fetch(`${t.url}${path}`)).text();
    await (await fetch(`${t.url}/graphql`, { headers: { accept: 'text/html' } })).text();
    expect(parsed(t.logs).filter((l) => l.msg === 'request')).toHaveLength(before);

    const unsupported = await fetch(`${t.url}/graphql`, { method: 'POST', headers: { 'content-type': 'application/xml', 'x-request-id': 'log-415' }, body: '<q/>' });
    await unsupported.text();
    expect(accessLine(t.logs, 'log-415')).toMatchObject({ status: unsupported.status, operationName: null, operationType: null });
    expect(accessLine(t.logs, 'log-415').outcome).not.toBe('OK');

    const viaGet = await fetch(`${t.url}/graphql?query=${encodeURIComponent('mutation M { dismissAlert(input: { alertId: "x" }) { alert { id } } }')}`, {
      headers: { accept: 'application/graphql-response+json', 'x-request-id': 'log-get-mutation' },
    });
    const body: any = await viaGet.json();
    expect(accessLine(t.logs, 'log-get-mutation')).toMatchObject({ method: 'GET', status: viaGet.status, outcome: body.errors?.[0]?.extensions?.code ?? 'UNCODED' });
  });

  it('a subscription gets its line when its stream ends, not before; with its status and outcome', async () => {
    const env = (await t.gql(`{ resources(first: 1, filter: { providers: ["ocore"] }) { nodes { id } } }`)).data.resources.nodes[0];
    const started = await t.gql(`mutation($r: ID!) { triggerBackup(input: { resourceId: $r, backupType: FULL }) { progressId } }`, { r: env.id });
    expect(started.errors).toBeUndefined();
    // The second subscriber joins once the first has an event: it shares the first one's execution
    // (fan-out) and still gets a line of its own, at the end of its own stream.
    const ids = ['log-subscription-1', 'log-subscription-2'];
    const clients = ids.map((id) => createClient({ url: `${t.url}/graphql`, retryAttempts: 0, headers: { 'x-request-id': id } }));
    const FOLLOW = `subscription Follow($id: ID!) { backupProgress(backupId: $id) { status done } }`;
    // Lines of the subscriptions seen by each client at each event that is not the last one.
    const seenMidStream: Array<[boolean, number]> = [];
    const membersAtSecondsEvent: number[] = [];
    let joinSecond!: () => void;
    const firstEvent = new Promise<void>((resolve) => (joinSecond = resolve));
    const runs = [clients[0], clients[1]].map((client, i) => {
      const start = () => collect<any>(client, FOLLOW, { id: started.data.triggerBackup.progressId }, (e) => {
        seenMidStream.push([e.backupProgress.done, accessLines(t.logs, ids[0]).length + accessLines(t.logs, ids[1]).length]);
        if (i === 0) joinSecond();
        else membersAtSecondsEvent.push(t.gateway.fanOut.members);
      }).done;
      return i === 0 ? start() : firstEvent.then(start);
    });
    const results = await Promise.all(runs);
    for (const c of clients) c.dispose();
    for (const r of results) {
      expect(r.errors).toEqual([]);
      expect(r.events.at(-1).backupProgress.done).toBe(true);
    }
    // While the streams run there is no line; the last event and the end of the stream arrive together.
    expect(membersAtSecondsEvent[0]).toBe(2);
    const midStream = seenMidStream.filter(([done]) => !done);
    expect(midStream.length).toBeGreaterThan(1);
    expect(midStream.every(([, lines]) => lines === 0), JSON.stringify(seenMidStream)).toBe(true);
    for (const id of ids) {
      await until(() => accessLines(t.logs, id).length > 0, `the access line of ${id}`);
      const line = accessLine(t.logs, id);
      expect(line).toMatchObject({ operationName: 'Follow', operationType: 'subscription', status: 200, outcome: 'OK' });
      expect(line.durationMs).toBeGreaterThanOrEqual(0);
      expect(typeof line.upstreamCalls).toBe('number');
    }
  });

  it.each([
    ['a wrong-type variable', `query Q($n: Int) { backups(first: $n) { nodes { id } } }`, { n: 'x' }],
    ['a bad global id', `query Q { node(id: "not-an-id") { id } }`, undefined],
    ['a first over the maximum', `query Q { backups(first: 100000) { nodes { id } } }`, undefined],
    ['too many aliases', `query Q { ${Array.from({ length: 60 }, (_, i) => `a${i}: cronPresets { label }`).join(' ')} }`, undefined],
  ])('a client error (%s) writes nothing at warn or error; its access line carries the code the client got', async (_n, query, variables) => {
    const mark = t.logs.length;
    const id = `log-client-error-${randomUUID()}`;
    const res = await t.gql(query, variables, { 'x-request-id': id });
    const code = res.errors?.[0]?.extensions?.code;
    expect(code).toBeDefined();
    expect(code).not.toBe('INTERNAL_SERVER_ERROR');
    expect(parsed(t.logs, mark).filter((l) => l.level >= WARN)).toEqual([]);
    expect(accessLine(t.logs, id)).toMatchObject({ status: res.status, outcome: code });
  });
});

describe('an unexpected error', () => {
  it('is written once at error with its stack and no query text; the client and the access line see INTERNAL_SERVER_ERROR', async () => {
    // A test-only adapter: oCore whose health probe has a bug.
    const broken = {
      ...PROVIDERS.ocore,
      createAdapter: (o: Parameters<typeof PROVIDERS.ocore.createAdapter>[0]) => ({
        ...PROVIDERS.ocore.createAdapter(o),
        health: async function brokenHealthProbe(): Promise<never> {
          throw new TypeError('Cannot read properties of undefined (reading \'latencyMs\')');
        },
      }),
    };
    const b = await tgateway({ simulators: { ocore: SIMULATORS.ocore }, registry: { ocore: broken } });
    const query = `query BrokenHealth { providers { id name health { status } } }`;
    const res = await b.gql(query, undefined, { 'x-request-id': 'log-bug-1' });
    expect(res.errors?.map((e) => e.extensions?.code)).toEqual(['INTERNAL_SERVER_ERROR']);
    expect(res.raw).not.toContain('latencyMs');
    const lines = parsed(b.logs);
    const errors = lines.filter((l) => l.level >= ERROR);
    expect(errors).toHaveLength(1);
    expect(errors[0].msg).toBe('unexpected error');
    expect(errors[0].err.stack).toContain('TypeError');
    expect(errors[0].err.stack).toContain('brokenHealthProbe');
    expect(JSON.stringify(errors[0])).not.toContain('providers {');
    expect(lines.filter((l) => l.level === WARN)).toEqual([]);
    expect(accessLine(b.logs, 'log-bug-1')).toMatchObject({ operationName: 'BrokenHealth', status: 200, outcome: 'INTERNAL_SERVER_ERROR', errorCodes: ['INTERNAL_SERVER_ERROR'] });
    await b.close();
  });
});

describe('LOG_LEVEL', () => {
  it('that is not a level stops `serve` with a clear message and exit 2, before anything starts', async () => {
    const child = spawn(process.execPath, ['bin/backup-graph.js', 'serve'], { env: { ...process.env, ...RUN_SOURCES, LOG_LEVEL: 'verbose', PORT: '0' }, stdio: 'pipe' });
    let err = '';
    let out = '';
    child.stderr.on('data', (d) => (err += d));
    child.stdout.on('data', (d) => (out += d));
    const [code] = await once(child, 'exit');
    expect(code).toBe(2);
    expect(err.trim()).toBe('backup-graph: LOG_LEVEL must be one of fatal, error, warn, info, debug, trace, silent (got "verbose")');
    expect(out).toBe('');
  });
});
