import { beforeAll, describe, expect, it } from 'vitest';
import { tgateway, type GqlResponse, type TGateway } from '../utils/tgateway.ts';
import { callOn, okOn } from '../utils/tsimulator.ts';
import { collect, sseClient } from './sse-client.ts';

let t: TGateway;
beforeAll(async () => {
  t = await tgateway({ stepMs: 50 });
});

const ok = (res: { errors?: unknown[] }) => expect(res.errors, JSON.stringify(res.errors)).toBeUndefined();
const codeOf = (res: { errors?: Array<{ extensions?: Record<string, any> }> }) => res.errors?.map((e) => [e.extensions?.code, e.extensions?.field ?? e.extensions?.provider]);
/** The selection of a payload's user errors. */
const UE = 'userErrors { code field message provider }';
/** The payload of mutation `field` that happened: no top-level error, no user error. */
function happened(res: GqlResponse, field: string): any {
  ok(res);
  expect(res.data[field].userErrors).toEqual([]);
  return res.data[field];
}
/** The user errors of mutation `field` that failed alone, as [code, field or provider]; no top-level error, every data field of its payload null. */
function refused(res: GqlResponse, field: string): Array<[string, string | null]> {
  ok(res);
  const { userErrors, ...data } = res.data[field];
  for (const [k, v] of Object.entries(data)) if (k !== '__typename') expect(v, k).toBeNull();
  return userErrors.map((u: any) => [u.code, u.field ? u.field.join('.') : u.provider]);
}

async function first(list: string, provider: string, extra = '', select = 'id nativeId'): Promise<any> {
  const res = await t.gql(`{ ${list}(first: 1, filter: { providers: ["${provider}"] ${extra} }) { nodes { ${select} } } }`);
  ok(res);
  return res.data[list].nodes[0];
}

async function follow(id: string, field: 'backupProgress' | 'restoreProgress') {
  const client = sseClient(t.url, 'distinct');
  const r = await collect<any>(client, `subscription($id: ID!) { ${field}(backupId: $id) { status percent done } }`, { id }).done;
  client.dispose();
  expect(r.errors).toEqual([]);
  return r.events.map((e) => e[field]);
}

describe('act through one schema', () => {
  it('triggers an oCore backup, follows its progress from the payload to done, then lists it AVAILABLE', async () => {
    const env = await first('resources', 'ocore');
    const res = await t.gql(`mutation($r: ID!) { triggerBackup(input: { resourceId: $r, backupType: FULL }) { progressId backup { id status ... on OcoreBackup { backupType } } job { id status } } }`, { r: env.id });
    ok(res);
    const p = res.data.triggerBackup;
    expect(p.backup).toMatchObject({ status: 'CREATING', backupType: 'FULL' });
    const events = await follow(p.progressId, 'backupProgress');
    expect(events.at(-1).done).toBe(true);
    const after = await t.gql(`query($id: ID!) { node(id: $id) { ... on Backup { status } } }`, { id: p.backup.id });
    ok(after);
    expect(after.data.node.status).toBe(events.at(-1).status === 'SUCCEEDED' ? 'AVAILABLE' : 'FAILED');
    const listed = await t.gql(`query($r: ID!) { backups(first: 5, filter: { resourceId: $r }) { nodes { id status } } }`, { r: env.id });
    expect(listed.data.backups.nodes.map((n: any) => n.id)).toContain(p.backup.id);
  });

  it('runs a Norcube backup now, follows it through polling, and lists its backup AVAILABLE', async () => {
    const ds = await first('resources', 'norcube');
    const res = await t.gql(`mutation($r: ID!) { triggerBackup(input: { resourceId: $r }) { progressId job { id nativeId status } } }`, { r: ds.id });
    ok(res);
    const events = await follow(res.data.triggerBackup.progressId, 'backupProgress');
    expect(events.at(-1).done).toBe(true);
    const job = await t.gql(`query($id: ID!) { node(id: $id) { ... on Job { status backup { id status } } } }`, { id: res.data.triggerBackup.job.id });
    ok(job);
    if (['SUCCEEDED', 'PARTIAL'].includes(job.data.node.status)) expect(job.data.node.backup.status).toBe('AVAILABLE');
    else expect(job.data.node.status).toBe('FAILED');
  });

  it('triggers a ByCloud volume backup and reads it back', async () => {
    const vols = await t.gql(`{ resources(first: 100, filter: { providers: ["bycloud"] }) { nodes { id nativeId } } }`);
    const vol = vols.data.resources.nodes.find((n: any) => n.nativeId.startsWith('vol:'));
    const res = await t.gql(`mutation($r: ID!) { triggerBackup(input: { resourceId: $r, name: "e2e-manual", force: true }) { progressId backup { id name status } job { id operation status backup { id } } } }`, { r: vol.id });
    ok(res);
    expect(res.data.triggerBackup.backup).toMatchObject({ name: 'e2e-manual', status: 'CREATING' });
    // The creation is a job too: the same record, running, leading to the backup it makes.
    expect(res.data.triggerBackup.job).toMatchObject({ operation: 'BACKUP', status: 'RUNNING', backup: { id: res.data.triggerBackup.backup.id } });
    const events = await follow(res.data.triggerBackup.progressId, 'backupProgress');
    expect(events.at(-1)).toMatchObject({ done: true });
    const after = await t.gql(`query($id: ID!) { node(id: $id) { ... on Backup { status } } }`, { id: res.data.triggerBackup.backup.id });
    expect(after.data.node.status).toBe('AVAILABLE');
  });

  it('restores an oCore backup to another environment and follows it', async () => {
    const backup = await first('backups', 'ocore', ', status: [AVAILABLE]', 'id nativeId resource { id }');
    const envs = await t.gql(`{ resources(first: 10, filter: { providers: ["ocore"] }) { nodes { id } } }`);
    const other = envs.data.resources.nodes.find((n: any) => n.id !== backup.resource.id);
    const res = await t.gql(`mutation($b: ID!, $e: ID!) { restoreBackup(input: { backupId: $b, target: OTHER, targetResourceId: $e }) { progressId backup { id } job { id operation } } }`, { b: backup.id, e: other.id });
    ok(res);
    expect(res.data.restoreBackup.job.operation).toBe('RESTORE');
    const events = await follow(res.data.restoreBackup.progressId, 'restoreProgress');
    expect(events.at(-1).done).toBe(true);
    // The restore is now a job of the target environment, from that backup, in a final state.
    const job = await t.gql(`query($id: ID!) { node(id: $id) { ... on Job { operation status resource { id } backup { id } } } }`, { id: res.data.restoreBackup.job.id });
    ok(job);
    expect(job.data.node).toMatchObject({ operation: 'RESTORE', resource: { id: other.id }, backup: { id: backup.id } });
    expect(['SUCCEEDED', 'FAILED']).toContain(job.data.node.status);
  });

  it('deletes an oCore backup: it shows DELETING', async () => {
    const backup = await first('backups', 'ocore', ', status: [AVAILABLE]');
    const res = await t.gql(`mutation($b: ID!) { deleteBackup(input: { backupId: $b }) { deletedBackupId backup { status } } }`, { b: backup.id });
    ok(res);
    const after = await t.gql(`query($id: ID!) { node(id: $id) { ... on Backup { status } } }`, { id: backup.id });
    expect(after.data.node === null || after.data.node.status === 'DELETING').toBe(true);
  });

  it('dismisses and marks read an oCore alert, seen in a follow-up query', async () => {
    const alerts = await t.gql(`{ alerts(first: 5, filter: { providers: ["ocore"] }) { nodes { id read dismissed } } }`);
    const a = alerts.data.alerts.nodes.find((n: any) => !n.read);
    happened(await t.gql(`mutation($a: ID!) { markAlertRead(input: { alertId: $a }) { alert { read } userErrors { code } } }`, { a: a.id }), 'markAlertRead');
    const b = alerts.data.alerts.nodes.find((n: any) => n.id !== a.id);
    happened(await t.gql(`mutation($a: ID!) { dismissAlert(input: { alertId: $a }) { alert { dismissed } userErrors { code } } }`, { a: b.id }), 'dismissAlert');
    const after = await t.gql(`query($ids: [ID!]!) { nodes(ids: $ids) { ... on Alert { id read dismissed } } }`, { ids: [a.id, b.id] });
    expect(after.data.nodes).toEqual([{ id: a.id, read: true, dismissed: false }, { id: b.id, read: expect.any(Boolean), dismissed: true }]);
    const active = await t.gql(`{ alerts(first: 100, filter: { providers: ["ocore"] }) { nodes { id } } }`);
    expect(active.data.alerts.nodes.map((n: any) => n.id)).not.toContain(b.id);
  });

  it('upserts an oCore schedule, previews retention and reads cron presets', async () => {
    const env = await first('resources', 'ocore');
    const res = await t.gql(`mutation($r: ID!) { upsertSchedule(input: { resourceId: $r, enabled: true, dbCron: "15 */6 * * *", timezone: "Europe/Prague", retention: { retainDaily: 7 } }) { schedule { crons timezone enabled } } }`, { r: env.id });
    ok(res);
    const after = await t.gql(`query($r: ID!) { node(id: $r) { ... on Resource { schedules { crons timezone } } } }`, { r: env.id });
    expect(after.data.node.schedules[0]).toMatchObject({ timezone: 'Europe/Prague' });
    expect(after.data.node.schedules[0].crons).toContain('15 */6 * * *');
    const preview = await t.gql(`query($r: ID!) { retentionPreview(resourceId: $r, retention: { retainDaily: 0, retainWeekly: 0, retainMonthly: 0 }) { totalSizeBytes items { backupId reason backup { id } } } }`, { r: env.id });
    ok(preview);
    expect(Array.isArray(preview.data.retentionPreview.items)).toBe(true);
    const presets = await t.gql(`{ cronPresets(provider: "ocore") { cron label } }`);
    ok(presets);
    expect(presets.data.cronPresets.length).toBeGreaterThan(0);
  });

  it('manages Norcube policies: create, attach, disable, detach, update', async () => {
    const ds = await first('resources', 'norcube');
    const created = await t.gql(`mutation { createPolicy(input: { provider: "norcube", name: "e2e nightly", scheduleCron: "0 2 * * *", timezone: "UTC", retentionDays: 14 }) { policy { nativeId name scheduleCron } } }`);
    ok(created);
    const policyId = created.data.createPolicy.policy.nativeId;
    const attached = await t.gql(`mutation($r: ID!, $p: String!) { attachPolicy(input: { resourceId: $r, policyId: $p }) { schedule { id enabled crons } } }`, { r: ds.id, p: policyId });
    ok(attached);
    expect(attached.data.attachPolicy.schedule).toMatchObject({ enabled: true, crons: ['0 2 * * *'] });
    // Attached twice: the provider's 409 is a user error in the provider's own words, not a top-level error.
    const dup = await t.gql(`mutation($r: ID!, $p: String!) { attachPolicy(input: { resourceId: $r, policyId: $p }) { schedule { id } ${UE} } }`, { r: ds.id, p: policyId });
    expect(refused(dup, 'attachPolicy')).toEqual([['REFUSED_BY_PROVIDER', 'norcube']]);
    const direct = await callOn(t.sims.get('norcube').simulator, `/datasources/${ds.nativeId}/policies`, { method: 'POST', body: { enabled: true, policyId } });
    expect(direct.status).toBe(409);
    expect(dup.data.attachPolicy.userErrors[0].message).toContain(direct.body.msg ?? direct.body.message);
    happened(await t.gql(`mutation($r: ID!, $p: String!) { setPolicyEnabled(input: { resourceId: $r, policyId: $p, enabled: false }) { schedule { enabled } userErrors { code } } }`, { r: ds.id, p: policyId }), 'setPolicyEnabled');
    let scheds = await t.gql(`query($r: ID!) { node(id: $r) { ... on Resource { schedules { nativeId enabled } } } }`, { r: ds.id });
    expect(scheds.data.node.schedules.find((s: any) => s.nativeId.endsWith(policyId)).enabled).toBe(false);
    happened(await t.gql(`mutation($p: String!) { updatePolicy(input: { provider: "norcube", policyId: $p, scheduleCron: "30 3 * * *" }) { policy { scheduleCron } userErrors { code } } }`, { p: policyId }), 'updatePolicy');
    happened(await t.gql(`mutation($r: ID!, $p: String!) { detachPolicy(input: { resourceId: $r, policyId: $p }) { resource { id } userErrors { code } } }`, { r: ds.id, p: policyId }), 'detachPolicy');
    scheds = await t.gql(`query($r: ID!) { node(id: $r) { ... on Resource { schedules { nativeId } } } }`, { r: ds.id });
    expect(scheds.data.node.schedules.map((s: any) => s.nativeId)).not.toContain(`${ds.nativeId}/${policyId}`);
  });

  it('verifies a Norcube backup and creates a download link; an expired one is a user error, not a link', async () => {
    const avail = await first('backups', 'norcube', ', status: [AVAILABLE]');
    const v = await t.gql(`mutation($b: ID!) { verifyBackup(input: { backupId: $b }) { accepted } }`, { b: avail.id });
    ok(v);
    expect(v.data.verifyBackup.accepted).toBe(true);
    const link = await t.gql(`mutation($b: ID!) { createDownloadLink(input: { backupId: $b }) { url expiresAt } }`, { b: avail.id });
    ok(link);
    expect(link.data.createDownloadLink.url).toMatch(/^https?:\/\//);
    const expired = await first('backups', 'norcube', ', status: [EXPIRED]');
    const bad = await t.gql(`mutation($b: ID!) { createDownloadLink(input: { backupId: $b }) { url expiresAt ${UE} } }`, { b: expired.id });
    const [[code, provider]] = refused(bad, 'createDownloadLink');
    expect(['REFUSED_BY_PROVIDER', 'NOT_FOUND']).toContain(code);
    expect(provider).toBe('norcube');
  });

  it('restores a Norcube backup; a deployment answering 501 is UNSUPPORTED_BY_PROVIDER', async () => {
    const avail = await first('backups', 'norcube', ', status: [AVAILABLE]');
    const res = await t.gql(`mutation($b: ID!) { restoreBackup(input: { backupId: $b, mode: "overwrite", confirmOverwrite: true }) { progressId job { operation } } }`, { b: avail.id });
    ok(res);
    expect(res.data.restoreBackup.job.operation).toBe('RESTORE');
    (t.sims.get('norcube').simulator as any).setRestoresUnsupported(true);
    try {
      const off = await t.gql(`mutation($b: ID!) { restoreBackup(input: { backupId: $b, mode: "overwrite", confirmOverwrite: true }) { progressId ${UE} } }`, { b: avail.id });
      expect(refused(off, 'restoreBackup')).toEqual([['UNSUPPORTED_BY_PROVIDER', 'norcube']]);
    } finally {
      (t.sims.get('norcube').simulator as any).setRestoresUnsupported(false);
    }
  });

  it.each([
    ['Bocada is read-only', 'bocada', 'triggerBackup', `mutation($r: ID!) { triggerBackup(input: { resourceId: $r }) { progressId job { id } backup { id } ${UE} } }`, 'resources'],
    ['ByCloud database backups have no create call', 'bycloud-db', 'triggerBackup', `mutation($r: ID!) { triggerBackup(input: { resourceId: $r }) { progressId ${UE} } }`, 'resources'],
    ['ByCloud cannot delete', 'bycloud', 'deleteBackup', `mutation($r: ID!) { deleteBackup(input: { backupId: $r }) { deletedBackupId backup { id } ${UE} } }`, 'backups'],
  ])('%s: a user error UNSUPPORTED_BY_PROVIDER naming the provider', async (_n, which, field, mutation, list) => {
    const provider = which.replace('-db', '');
    const nodes = await t.gql(`{ ${list}(first: 100, filter: { providers: ["${provider}"] }) { nodes { id nativeId } } }`);
    const node = which === 'bycloud-db' ? nodes.data[list].nodes.find((n: any) => n.nativeId.startsWith('db:')) : nodes.data[list].nodes[0];
    const res = await t.gql(mutation, { r: node.id });
    expect(refused(res, field)).toEqual([['UNSUPPORTED_BY_PROVIDER', provider]]);
    expect(res.data[field].userErrors[0].message).toContain(`"${provider}"`);
  });

  it.each([
    ['bad cron', `upsertSchedule(input: { resourceId: $r, dbCron: "61 * * * *" }) { schedule { id } ${UE} }`, 'input.dbCron'],
    ['bad time zone', `upsertSchedule(input: { resourceId: $r, timezone: "Mars/Base" }) { schedule { id } ${UE} }`, 'input.timezone'],
    ['negative retention', `upsertSchedule(input: { resourceId: $r, retention: { retainDaily: -1 } }) { schedule { id } ${UE} }`, 'input.retention.retainDaily'],
    ['restore OTHER without a target', `restoreBackup(input: { backupId: $b, target: OTHER }) { progressId ${UE} }`, 'input.targetResourceId'],
    ['malformed id', `deleteBackup(input: { backupId: "nope" }) { deletedBackupId ${UE} }`, 'input.backupId'],
    ['resource id where a backup id is needed', `deleteBackup(input: { backupId: $r }) { deletedBackupId ${UE} }`, 'input.backupId'],
  ])('%s is a user error BAD_USER_INPUT naming the field, before any upstream call', async (_n, field, name) => {
    const env = await first('resources', 'ocore');
    const backup = await first('backups', 'ocore');
    t.resetStats();
    const uses = (v: string) => field.includes(v);
    const vars: Record<string, string> = {};
    if (uses('$r')) vars.r = env.id;
    if (uses('$b')) vars.b = backup.id;
    const decl = Object.keys(vars).map((k) => `$${k}: ID!`).join(', ');
    const res = await t.gql(`mutation${decl ? `(${decl})` : ''} { ${field} }`, vars);
    expect(refused(res, field.slice(0, field.indexOf('(')))).toEqual([['BAD_USER_INPUT', name]]);
    expect(t.sims.list.reduce((n, s) => n + s.simulator.stats.total, 0)).toBe(0);
  });

  it('a repeated idempotency key causes exactly one upstream call, also when the requests arrive together', async () => {
    const env = await first('resources', 'ocore');
    const ocore = t.sims.get('ocore').simulator;
    const route = 'POST /api/environments/:env_id/backups';
    const before = ocore.stats.byRoute[route] ?? 0;
    const m = `mutation($r: ID!) { triggerBackup(input: { resourceId: $r, idempotencyKey: "e2e-key-1" }) { progressId backup { id } } }`;
    const [a, b] = await Promise.all([t.gql(m, { r: env.id }), t.gql(m, { r: env.id })]);
    const c = await t.gql(m, { r: env.id });
    ok(a);
    expect(b.data).toEqual(a.data);
    expect(c.data).toEqual(a.data);
    expect((ocore.stats.byRoute[route] ?? 0) - before).toBe(1);
    const reused = await t.gql(`mutation($r: ID!) { triggerBackup(input: { resourceId: $r, backupType: FULL, idempotencyKey: "e2e-key-1" }) { progressId ${UE} } }`, { r: env.id });
    expect(refused(reused, 'triggerBackup')).toEqual([['BAD_USER_INPUT', 'input.idempotencyKey']]);
  });

  it('never retries a mutation on a 503, which stays a top-level error', async () => {
    const env = await first('resources', 'ocore');
    const ocore = t.sims.get('ocore').simulator;
    const route = 'POST /api/environments/:env_id/backups';
    ocore.setFault(route, { forceStatusTimes: 1, errorStatus: 503 });
    const before = ocore.stats.byRoute[route] ?? 0;
    const res = await t.gql(`mutation($r: ID!) { triggerBackup(input: { resourceId: $r }) { progressId } }`, { r: env.id });
    ocore.clearFaults();
    expect(codeOf(res)).toEqual([['UPSTREAM_UNAVAILABLE', 'ocore']]);
    expect(res.data).toEqual({ triggerBackup: null });
    expect((ocore.stats.byRoute[route] ?? 0) - before).toBe(1);
  });
});

describe('mutations that fail alone', () => {
  it('a document whose second mutation has a bad input: the first happens and answers its data, the second a user error, no top-level error', async () => {
    const env = await first('resources', 'ocore');
    const ocore = t.sims.get('ocore').simulator;
    const scheduleBefore = await okOn(ocore, `/api/environments/${env.nativeId}/backup-schedule`);
    t.resetStats();
    const res = await t.gql(`mutation($r: ID!) {
      started: triggerBackup(input: { resourceId: $r }) { progressId backup { id nativeId status } ${UE} }
      schedule: upsertSchedule(input: { resourceId: $r, dbCron: "61 * * * *" }) { schedule { id } ${UE} }
    }`, { r: env.id });
    expect(res.errors).toBeUndefined();
    const started = happened(res, 'started');
    expect(started.backup.status).toBe('CREATING');
    expect(res.data.schedule).toEqual({
      schedule: null,
      userErrors: [{ code: 'BAD_USER_INPUT', field: ['input', 'dbCron'], message: expect.stringContaining('input.dbCron'), provider: null }],
    });
    // The first really happened: the simulator holds the backup, of that environment; the second sent nothing.
    const backup = await okOn(ocore, `/api/backups/${started.backup.nativeId}`);
    expect(JSON.stringify(backup)).toContain(env.nativeId);
    expect(ocore.stats.byRoute['POST /api/environments/:env_id/backups']).toBe(1);
    expect(Object.keys(ocore.stats.byRoute).filter((k) => !k.startsWith('GET ') && k !== 'POST /api/environments/:env_id/backups')).toEqual([]);
    expect(await okOn(ocore, `/api/environments/${env.nativeId}/backup-schedule`)).toEqual(scheduleBefore);
  });

  it('an upstream outage is a top-level UPSTREAM_UNAVAILABLE on its own field: the field is null, its siblings keep their results', async () => {
    const env = await first('resources', 'ocore');
    const ds = await first('resources', 'norcube');
    const ocore = t.sims.get('ocore').simulator;
    ocore.setFault('POST /api/environments/:env_id/backups', { forceStatusTimes: 1, errorStatus: 503 });
    try {
      const res = await t.gql(`mutation($e: ID!, $d: ID!) {
        before: triggerBackup(input: { resourceId: $d }) { progressId ${UE} }
        down: triggerBackup(input: { resourceId: $e }) { progressId ${UE} }
        after: createPolicy(input: { provider: "norcube", name: "e2e after an outage", scheduleCron: "0 4 * * *" }) { policy { name } ${UE} }
      }`, { e: env.id, d: ds.id });
      expect(res.errors?.map((e) => [e.extensions?.code, e.extensions?.provider, e.path])).toEqual([['UPSTREAM_UNAVAILABLE', 'ocore', ['down']]]);
      expect(res.data.down).toBeNull();
      expect(res.data.before).toMatchObject({ progressId: expect.any(String), userErrors: [] });
      expect(res.data.after).toEqual({ policy: { name: 'e2e after an outage' }, userErrors: [] });
    } finally {
      ocore.clearFaults();
    }
  });

  it('a refusal replayed by its idempotency key answers the same user errors without a second upstream call', async () => {
    const ds = await first('resources', 'norcube');
    const norcube = t.sims.get('norcube').simulator;
    const policy = happened(await t.gql(`mutation { createPolicy(input: { provider: "norcube", name: "e2e replayed refusal", scheduleCron: "0 5 * * *" }) { policy { nativeId } userErrors { code } } }`), 'createPolicy').policy;
    const attach = `mutation($r: ID!, $p: String!, $k: String) { attachPolicy(input: { resourceId: $r, policyId: $p, idempotencyKey: $k }) { schedule { id } ${UE} } }`;
    happened(await t.gql(attach, { r: ds.id, p: policy.nativeId }), 'attachPolicy');
    const route = 'POST /datasources/:datasourceId/policies';
    const before = norcube.stats.byRoute[route] ?? 0;
    const [a, b] = [await t.gql(attach, { r: ds.id, p: policy.nativeId, k: 'e2e-refused-1' }), await t.gql(attach, { r: ds.id, p: policy.nativeId, k: 'e2e-refused-1' })];
    expect(refused(a, 'attachPolicy')).toEqual([['REFUSED_BY_PROVIDER', 'norcube']]);
    expect(b.data).toEqual(a.data);
    expect((norcube.stats.byRoute[route] ?? 0) - before).toBe(1);
  });
});
