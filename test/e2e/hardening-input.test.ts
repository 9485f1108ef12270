/**
 * Hostile input over real HTTP: native ids that could traverse an upstream path are refused before
 * any upstream call, variables of the wrong type are HTTP 400 BAD_USER_INPUT (never
 * INTERNAL_SERVER_ERROR, never an error log), each query limit answers its own code, and yoga's
 * 415/406 answers carry a coded GraphQL error body.
 */
import { beforeAll, describe, expect, it } from 'vitest';
import { encodeGlobalId } from '../../src/domain/ids.ts';
import { QUERY_LIMIT_CODES } from '../../src/server/plugins/use-query-limits.ts';
import { tgateway, upstreamCounts, type GqlResponse, type TGateway } from '../utils/tgateway.ts';

let t: TGateway;
let norcubeResource: string;
beforeAll(async () => {
  t = await tgateway();
  const res = await t.gql(`{ resources(first: 1, filter: { providers: ["norcube"] }) { nodes { id } } }`);
  norcubeResource = res.data.resources.nodes[0].id;
});

const GRAPHQL_RESPONSE = { accept: 'application/graphql-response+json' };
const UUID = '0f0e0d0c-0b0a-4908-8706-050403020100';
const noCalls = () => Object.fromEntries(t.sims.list.map((s) => [s.kind, 0]));

/** Log lines at level error (50) or above written while `fn` ran. */
async function errorLogsDuring<T>(fn: () => Promise<T>): Promise<{ result: T; errorLogs: string[] }> {
  const from = t.logs.length;
  const result = await fn();
  const errorLogs = t.logs.slice(from).filter((line) => (JSON.parse(line) as { level: number }).level >= 50);
  return { result, errorLogs };
}

/** Runs a request after zeroing the simulators' counters; the response and the upstream calls it made. */
async function counted(query: string, variables?: Record<string, unknown>, headers?: Record<string, string>): Promise<{ res: GqlResponse; calls: Record<string, number> }> {
  t.resetStats();
  const res = await t.gql(query, variables, headers);
  return { res, calls: upstreamCounts(t) };
}

/** A response's failures as [code, field]: its top-level errors, or, for a mutation that failed alone, its payload's user errors (then there is no top-level error). */
function failuresOf(res: GqlResponse): Array<[unknown, unknown]> | undefined {
  const userErrors = Object.values(res.data ?? {}).flatMap((payload: any) => payload?.userErrors ?? []);
  if (userErrors.length === 0) return res.errors?.map((e) => [e.extensions?.code, e.extensions?.field]);
  expect(res.errors, res.raw).toBeUndefined();
  return userErrors.map((u: any) => [u.code, u.field?.join('.')]);
}

// ---- native ids --------------------------------------------------------------------------------

/** Native ids no provider ever has, each of them able to reach another route if interpolated raw. */
const BAD_NATIVE_IDS: Array<[string, string]> = [
  ['..', '..'],
  ['.', '.'],
  ['/', '/'],
  ['a/../b', 'a/../b'],
  ['%2F', '%2F'],
  ['%2e%2e', '%2e%2e'],
  ['double-encoded %252F', 'x%252Fy'],
  ['NUL', 'a\u0000b'],
  ['newline', 'a\nb'],
  ['DEL', '\u007f'],
  ['backslash', '..\\x'],
  ['empty', ''],
  ['.. after a prefix', 'backup:..'],
];

/** Every entry point that takes a global id: the query, its variables for a global id, and the field an error names. */
type Entry = { name: string; provider: string; kind: 'organization' | 'resource' | 'backup' | 'job' | 'alert' | 'schedule'; field: string; run: (id: string) => [string, Record<string, unknown>] };
const ENTRIES: Entry[] = [
  { name: 'node (oCore backup)', provider: 'ocore', kind: 'backup', field: 'id', run: (id) => ['query($id: ID!) { node(id: $id) { id } }', { id }] },
  { name: 'node (Norcube job)', provider: 'norcube', kind: 'job', field: 'id', run: (id) => ['query($id: ID!) { node(id: $id) { id } }', { id }] },
  { name: 'node (ByCloud resource)', provider: 'bycloud', kind: 'resource', field: 'id', run: (id) => ['query($id: ID!) { node(id: $id) { id } }', { id }] },
  { name: 'node (Bocada organization)', provider: 'bocada', kind: 'organization', field: 'id', run: (id) => ['query($id: ID!) { node(id: $id) { id } }', { id }] },
  {
    name: 'nodes', provider: 'ocore', kind: 'backup', field: 'ids[1]',
    run: (id) => ['query($ids: [ID!]!) { nodes(ids: $ids) { id } }', { ids: [encodeGlobalId('ocore', 'backup', UUID), id] }],
  },
  { name: 'backups filter.resourceId', provider: 'ocore', kind: 'resource', field: 'filter.resourceId', run: (id) => ['query($r: ID) { backups(filter: { resourceId: $r }) { nodes { id } } }', { r: id }] },
  { name: 'jobs filter.organizationId', provider: 'bocada', kind: 'organization', field: 'filter.organizationId', run: (id) => ['query($o: ID) { jobs(filter: { organizationId: $o }) { nodes { id } } }', { o: id }] },
  { name: 'resources filter.organizationId', provider: 'bocada', kind: 'organization', field: 'filter.organizationId', run: (id) => ['query($o: ID) { resources(filter: { organizationId: $o }) { nodes { id } } }', { o: id }] },
  { name: 'alerts filter.resourceId', provider: 'ocore', kind: 'resource', field: 'filter.resourceId', run: (id) => ['query($r: ID) { alerts(filter: { resourceId: $r }) { nodes { id } } }', { r: id }] },
  { name: 'schedules filter.resourceId', provider: 'norcube', kind: 'resource', field: 'filter.resourceId', run: (id) => ['query($r: ID) { schedules(filter: { resourceId: $r }) { nodes { id } } }', { r: id }] },
  { name: 'retentionPreview', provider: 'ocore', kind: 'resource', field: 'resourceId', run: (id) => ['query($r: ID!) { retentionPreview(resourceId: $r, retention: { retainDaily: 1 }) { totalSizeBytes } }', { r: id }] },
  { name: 'triggerBackup', provider: 'ocore', kind: 'resource', field: 'input.resourceId', run: (id) => ['mutation($r: ID!) { triggerBackup(input: { resourceId: $r }) { progressId userErrors { code field } } }', { r: id }] },
  { name: 'restoreBackup', provider: 'ocore', kind: 'backup', field: 'input.backupId', run: (id) => ['mutation($b: ID!) { restoreBackup(input: { backupId: $b }) { progressId userErrors { code field } } }', { b: id }] },
  {
    name: 'restoreBackup targetResourceId', provider: 'ocore', kind: 'resource', field: 'input.targetResourceId',
    run: (id) => ['mutation($b: ID!, $r: ID) { restoreBackup(input: { backupId: $b, target: OTHER, targetResourceId: $r }) { progressId userErrors { code field } } }', { b: encodeGlobalId('ocore', 'backup', UUID), r: id }],
  },
  { name: 'deleteBackup (oCore)', provider: 'ocore', kind: 'backup', field: 'input.backupId', run: (id) => ['mutation($b: ID!) { deleteBackup(input: { backupId: $b }) { deletedBackupId userErrors { code field } } }', { b: id }] },
  { name: 'deleteBackup (Norcube)', provider: 'norcube', kind: 'backup', field: 'input.backupId', run: (id) => ['mutation($b: ID!) { deleteBackup(input: { backupId: $b }) { deletedBackupId userErrors { code field } } }', { b: id }] },
  { name: 'verifyBackup', provider: 'norcube', kind: 'backup', field: 'input.backupId', run: (id) => ['mutation($b: ID!) { verifyBackup(input: { backupId: $b }) { __typename userErrors { code field } } }', { b: id }] },
  { name: 'createDownloadLink', provider: 'norcube', kind: 'backup', field: 'input.backupId', run: (id) => ['mutation($b: ID!) { createDownloadLink(input: { backupId: $b }) { __typename userErrors { code field } } }', { b: id }] },
  { name: 'dismissAlert', provider: 'ocore', kind: 'alert', field: 'input.alertId', run: (id) => ['mutation($a: ID!) { dismissAlert(input: { alertId: $a }) { alert { id } userErrors { code field } } }', { a: id }] },
  { name: 'markAlertRead', provider: 'ocore', kind: 'alert', field: 'input.alertId', run: (id) => ['mutation($a: ID!) { markAlertRead(input: { alertId: $a }) { alert { id } userErrors { code field } } }', { a: id }] },
  { name: 'upsertSchedule', provider: 'ocore', kind: 'resource', field: 'input.resourceId', run: (id) => ['mutation($r: ID!) { upsertSchedule(input: { resourceId: $r, enabled: true }) { __typename userErrors { code field } } }', { r: id }] },
  { name: 'attachPolicy', provider: 'norcube', kind: 'resource', field: 'input.resourceId', run: (id) => ['mutation($r: ID!) { attachPolicy(input: { resourceId: $r, policyId: "p" }) { __typename userErrors { code field } } }', { r: id }] },
  { name: 'detachPolicy', provider: 'norcube', kind: 'resource', field: 'input.resourceId', run: (id) => ['mutation($r: ID!) { detachPolicy(input: { resourceId: $r, policyId: "p" }) { __typename userErrors { code field } } }', { r: id }] },
  { name: 'setPolicyEnabled', provider: 'norcube', kind: 'resource', field: 'input.resourceId', run: (id) => ['mutation($r: ID!) { setPolicyEnabled(input: { resourceId: $r, policyId: "p", enabled: false }) { __typename userErrors { code field } } }', { r: id }] },
];

/** Mutations that take a policy's native id as such; `resource` is a real Norcube data source. */
const POLICY_ENTRIES: Array<{ name: string; run: (policyId: string, resource: string) => [string, Record<string, unknown>] }> = [
  { name: 'attachPolicy', run: (p, r) => ['mutation($r: ID!, $p: String!) { attachPolicy(input: { resourceId: $r, policyId: $p }) { __typename userErrors { code field } } }', { r, p }] },
  { name: 'detachPolicy', run: (p, r) => ['mutation($r: ID!, $p: String!) { detachPolicy(input: { resourceId: $r, policyId: $p }) { __typename userErrors { code field } } }', { r, p }] },
  { name: 'setPolicyEnabled', run: (p, r) => ['mutation($r: ID!, $p: String!) { setPolicyEnabled(input: { resourceId: $r, policyId: $p, enabled: true }) { __typename userErrors { code field } } }', { r, p }] },
  { name: 'updatePolicy', run: (p) => ['mutation($p: String!) { updatePolicy(input: { provider: "norcube", policyId: $p, name: "n" }) { __typename userErrors { code field } } }', { p }] },
  { name: 'triggerBackup', run: (p, r) => ['mutation($r: ID!, $p: String) { triggerBackup(input: { resourceId: $r, policyId: $p }) { progressId userErrors { code field } } }', { r, p }] },
];

describe('native ids that could traverse are BAD_USER_INPUT before any upstream call', () => {
  describe.each(ENTRIES)('$name', (entry) => {
    it.each(BAD_NATIVE_IDS)('%s', async (_name, nativeId) => {
      const [query, variables] = entry.run(encodeGlobalId(entry.provider, entry.kind, nativeId));
      const { res, calls } = await counted(query, variables);
      expect(failuresOf(res), res.raw).toEqual([['BAD_USER_INPUT', entry.field]]);
      expect(calls).toEqual(noCalls());
    });
  });

  describe.each(POLICY_ENTRIES)('$name input.policyId', (entry) => {
    it.each(BAD_NATIVE_IDS.filter(([, id]) => id !== '' || entry.name !== 'triggerBackup'))('%s', async (_name, policyId) => {
      const [query, variables] = entry.run(policyId, norcubeResource);
      const { res, calls } = await counted(query, variables);
      expect(failuresOf(res), res.raw).toEqual([['BAD_USER_INPUT', 'input.policyId']]);
      expect(calls).toEqual(noCalls());
    });
  });

  it('a well-formed native id still goes upstream (the checks above are not vacuous)', async () => {
    const { res, calls } = await counted('query($id: ID!) { node(id: $id) { id } }', { id: encodeGlobalId('ocore', 'backup', UUID) });
    expect(res.errors).toBeUndefined();
    expect(res.data.node).toBeNull();
    expect(calls.ocore).toBeGreaterThan(0);
  });

  it('a Norcube pair id with its "/" is accepted and looked up', async () => {
    const { res, calls } = await counted('query($id: ID!) { node(id: $id) { id } }', { id: encodeGlobalId('norcube', 'backup', `${UUID}/${UUID}`) });
    expect(res.errors).toBeUndefined();
    expect(calls.norcube).toBeGreaterThan(0);
  });
});

// ---- variables of the wrong type ---------------------------------------------------------------

const BACKUPS = 'query($f: Int, $a: String, $filter: BackupFilter) { backups(first: $f, after: $a, filter: $filter) { totalCount } }';
const JOBS = 'query($filter: JobFilter) { jobs(filter: $filter) { totalCount } }';
const ALERTS = 'query($filter: AlertFilter) { alerts(filter: $filter) { totalCount } }';
const NODE = 'query($id: ID!) { node(id: $id) { id } }';
const NODES = 'query($ids: [ID!]!) { nodes(ids: $ids) { id } }';
const TRIGGER = 'mutation($i: TriggerBackupInput!) { triggerBackup(input: $i) { progressId } }';
const RESTORE = 'mutation($i: RestoreBackupInput!) { restoreBackup(input: $i) { progressId } }';
const UPSERT = 'mutation($i: UpsertScheduleInput!) { upsertSchedule(input: $i) { __typename } }';
const RETENTION = 'query($r: ID!, $ret: RetentionInput!) { retentionPreview(resourceId: $r, retention: $ret) { totalSizeBytes } }';
const SET_POLICY = 'mutation($i: SetPolicyEnabledInput!) { setPolicyEnabled(input: $i) { __typename } }';
const CREATE_POLICY = 'mutation($i: CreatePolicyInput!) { createPolicy(input: $i) { __typename } }';
const SOME_ID = encodeGlobalId('ocore', 'resource', UUID);

const WRONG_VARIABLES: Array<[string, string, Record<string, unknown>]> = [
  ['first: a string', BACKUPS, { f: 'x' }],
  ['first: a float', BACKUPS, { f: 1.5 }],
  ['first: a boolean', BACKUPS, { f: true }],
  ['first: beyond 32 bits', BACKUPS, { f: 2 ** 31 }],
  ['first: a list', BACKUPS, { f: [1] }],
  ['first: an object', BACKUPS, { f: {} }],
  ['after: a number', BACKUPS, { a: 5 }],
  ['filter: a string', BACKUPS, { filter: 'ocore' }],
  ['filter: an unknown field', BACKUPS, { filter: { nope: 1 } }],
  ['filter.providers: a number inside', BACKUPS, { filter: { providers: [1] } }],
  ['filter.providers: null inside', BACKUPS, { filter: { providers: [null] } }],
  ['filter.status: an unknown value', BACKUPS, { filter: { status: ['NOPE'] } }],
  ['filter.status: a number', BACKUPS, { filter: { status: [5] } }],
  ['filter.since: not a date-time', BACKUPS, { filter: { since: 'yesterday' } }],
  ['filter.since: a number', BACKUPS, { filter: { since: 1_700_000_000 } }],
  ['filter.until: an impossible date', BACKUPS, { filter: { until: '2026-13-45T00:00:00Z' } }],
  ['JobFilter.status: a BackupStatus', JOBS, { filter: { status: ['AVAILABLE'] } }],
  ['AlertFilter.includeDismissed: a string', ALERTS, { filter: { includeDismissed: 'true' } }],
  ['node id: null', NODE, { id: null }],
  ['node id: missing', NODE, {}],
  ['node id: an object', NODE, { id: {} }],
  ['node id: a boolean', NODE, { id: true }],
  ['nodes ids: null', NODES, { ids: null }],
  ['nodes ids: an object', NODES, { ids: {} }],
  ['nodes ids: a boolean inside', NODES, { ids: [true] }],
  ['nodes ids: null inside', NODES, { ids: [SOME_ID, null] }],
  ['nodes ids: a float inside', NODES, { ids: [1.5] }],
  ['triggerBackup input: a string', TRIGGER, { i: 'x' }],
  ['triggerBackup input: no resourceId', TRIGGER, { i: {} }],
  ['triggerBackup input.resourceId: null', TRIGGER, { i: { resourceId: null } }],
  ['triggerBackup input.force: a string', TRIGGER, { i: { resourceId: SOME_ID, force: 'yes' } }],
  ['restoreBackup input.target: an unknown value', RESTORE, { i: { backupId: SOME_ID, target: 'ELSEWHERE' } }],
  ['restoreBackup input.pointInTime: not a date-time', RESTORE, { i: { backupId: SOME_ID, pointInTime: 'noon' } }],
  ['restoreBackup: an unknown field next to a secret', RESTORE, { i: { backupId: SOME_ID, targetUri: 'postgres://u:hunter2@db', bogus: 1 } }],
  ['upsertSchedule input.walRetentionDays: a string', UPSERT, { i: { resourceId: SOME_ID, walRetentionDays: '7' } }],
  ['upsertSchedule input.retention.retainDaily: a float', UPSERT, { i: { resourceId: SOME_ID, retention: { retainDaily: 1.5 } } }],
  ['upsertSchedule input.destinationIds: a number inside', UPSERT, { i: { resourceId: SOME_ID, destinationIds: [1] } }],
  ['retentionPreview retention: null', RETENTION, { r: SOME_ID, ret: null }],
  ['setPolicyEnabled input.enabled: null', SET_POLICY, { i: { resourceId: SOME_ID, policyId: 'p', enabled: null } }],
  ['createPolicy input.scheduleCron: a number', CREATE_POLICY, { i: { provider: 'norcube', name: 'n', scheduleCron: 5 } }],
];

const WRONG_LITERALS: Array<[string, string]> = [
  ['first: a string literal', '{ backups(first: "x") { totalCount } }'],
  ['filter.status: an unknown enum literal', '{ jobs(filter: { status: [NOPE] }) { totalCount } }'],
  ['filter.since: a bad DateTime literal', '{ jobs(filter: { since: "yesterday" }) { totalCount } }'],
  ['an unknown field', '{ backups { nope } }'],
  ['a missing required argument', '{ node { id } }'],
];

describe('wrong-type variables and literals are HTTP 400 BAD_USER_INPUT, logged at no error level, with no upstream call', () => {
  it('the table is large enough', () => {
    expect(WRONG_VARIABLES.length).toBeGreaterThanOrEqual(30);
  });

  it.each(WRONG_VARIABLES)('%s', async (_name, query, variables) => {
    const { result: { res, calls }, errorLogs } = await errorLogsDuring(() => counted(query, variables, GRAPHQL_RESPONSE));
    expect(res.status, res.raw).toBe(400);
    expect(res.data).toBeUndefined();
    expect(res.errors?.length).toBeGreaterThan(0);
    for (const e of res.errors!) {
      expect(e.extensions?.code, res.raw).toBe('BAD_USER_INPUT');
      expect(e.message).toMatch(/^Variable "\$\w+"/);
    }
    expect(errorLogs).toEqual([]);
    expect(calls).toEqual(noCalls());
  });

  it.each(WRONG_LITERALS)('%s', async (_name, query) => {
    const { result: { res, calls }, errorLogs } = await errorLogsDuring(() => counted(query, undefined, GRAPHQL_RESPONSE));
    expect(res.status, res.raw).toBe(400);
    expect(res.errors?.map((e) => e.extensions?.code)).toEqual(res.errors?.map(() => 'BAD_USER_INPUT'));
    expect(errorLogs).toEqual([]);
    expect(calls).toEqual(noCalls());
  });

  it('a variable error names the variable and the path but does not echo the value', async () => {
    const res = await t.gql(RESTORE, { i: { backupId: SOME_ID, targetUri: 'postgres://u:hunter2@db', bogus: 1 } }, GRAPHQL_RESPONSE);
    expect(res.raw).not.toContain('hunter2');
    expect(res.errors?.[0]?.message).toBe('Variable "$i" got an invalid value; Field "bogus" is not defined by type "RestoreBackupInput".');
    const nested = await t.gql(BACKUPS, { filter: { status: ['NOPE'] } }, GRAPHQL_RESPONSE);
    expect(nested.errors?.[0]?.message).toBe('Variable "$filter" got an invalid value at "filter.status[0]"; Value "NOPE" does not exist in "BackupStatus" enum.');
  });

  it('a single id where a list is expected is coerced to a list of one (GraphQL input coercion), then refused as an id', async () => {
    const { result: { res, calls } } = await errorLogsDuring(() => counted(NODES, { ids: 5 }, GRAPHQL_RESPONSE));
    expect(res.errors?.map((e) => [e.extensions?.code, e.extensions?.field])).toEqual([['BAD_USER_INPUT', 'ids[0]']]);
    expect(calls).toEqual(noCalls());
  });

  it('a syntax error keeps its own code (400, GRAPHQL_PARSE_FAILED) and is not logged as an error', async () => {
    const { result: { res }, errorLogs } = await errorLogsDuring(() => counted('{ backups {', undefined, GRAPHQL_RESPONSE));
    expect(res.status).toBe(400);
    expect(res.errors?.map((e) => e.extensions?.code)).toEqual(['GRAPHQL_PARSE_FAILED']);
    expect(errorLogs).toEqual([]);
  });
});

// ---- query limits -----------------------------------------------------------------------------

const ofTypes = (levels: number) => `__type(name: "Query") { ${'ofType { '.repeat(levels)}name${' }'.repeat(levels)} }`;
const LIMITS: Array<[string, string, string]> = [
  ['depth', QUERY_LIMIT_CODES.maxDepth, `{ ${ofTypes(12)} }`],
  ['aliases', QUERY_LIMIT_CODES.maxAliases, `{ ${Array.from({ length: 31 }, (_, i) => `a${i}: providers { id }`).join(' ')} }`],
  ['tokens', QUERY_LIMIT_CODES.maxTokens, `{ ${'__typename '.repeat(8001)}}`],
  ['directives', QUERY_LIMIT_CODES.maxDirectives, `{ ${'__typename @include(if: true) '.repeat(51)}}`],
  ['cost', QUERY_LIMIT_CODES.maxCost, `{ ${`${ofTypes(10)} `.repeat(60)}}`],
];

describe('each query limit answers its own code', () => {
  it.each(LIMITS)('%s: %s', async (_name, code, query) => {
    const { result: { res, calls }, errorLogs } = await errorLogsDuring(() => counted(query, undefined, GRAPHQL_RESPONSE));
    expect(res.status, res.raw).toBe(400);
    expect(res.errors?.map((e) => e.extensions?.code), res.raw).toEqual([code]);
    expect(res.errors?.[0]?.message).not.toMatch(/Syntax Error/);
    expect(errorLogs).toEqual([]);
    expect(calls).toEqual(noCalls());
  });

  it('a document just within every limit runs', async () => {
    const res = await t.gql(`{ ${ofTypes(10)} a: __typename }`, undefined, GRAPHQL_RESPONSE);
    expect(res.status).toBe(200);
    expect(res.errors).toBeUndefined();
  });

  it('the limit codes are all distinct', () => {
    expect(new Set(Object.values(QUERY_LIMIT_CODES)).size).toBe(Object.keys(QUERY_LIMIT_CODES).length);
  });
});

// ---- media types -------------------------------------------------------------------------------

describe('415 and 406 answers carry a GraphQL error body with a code', () => {
  it.each([
    ['text/plain', 'x'],
    ['application/xml', '<query/>'],
  ])('POST as %s is 415 UNSUPPORTED_MEDIA_TYPE', async (contentType, body) => {
    const res = await fetch(`${t.url}/graphql`, { method: 'POST', headers: { 'content-type': contentType }, body });
    expect(res.status).toBe(415);
    expect(res.headers.get('content-type')).toMatch(/^application\/json/);
    const json = await res.json();
    expect(json.errors).toEqual([{ message: expect.stringContaining('Unsupported Media Type'), extensions: { code: 'UNSUPPORTED_MEDIA_TYPE' } }]);
    expect(res.headers.get('x-request-id')).toBeTruthy();
  });

  it.each(['text/html', 'application/xml'])('accept: %s is 406 NOT_ACCEPTABLE', async (accept) => {
    const res = await fetch(`${t.url}/graphql`, { method: 'POST', headers: { 'content-type': 'application/json', accept }, body: JSON.stringify({ query: '{ __typename }' }) });
    expect(res.status).toBe(406);
    expect(res.headers.get('content-type')).toMatch(/^application\/json/);
    const json = await res.json();
    expect(json.errors).toEqual([{ message: expect.stringContaining('Not Acceptable'), extensions: { code: 'NOT_ACCEPTABLE' } }]);
    expect(res.headers.get('accept')).toContain('application/graphql-response+json');
  });
});
