/**
 * Roles and the audit trail over real HTTP against the simulators: a reader cannot write, an
 * operator triggers but does not restore, an admin does everything; a refused mutation makes no
 * upstream call; every attempt is in the audit file exactly once (written before it runs), and a
 * trail that cannot be written refuses the mutation.
 */
import { mkdtempSync, readFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { randomUUID } from 'node:crypto';
import { beforeAll, describe, expect, it } from 'vitest';
import { generateApiKey, hashApiKey } from '../../src/access/api-keys.ts';
import { SIMULATORS } from '../../src/simulators/registry.ts';
import { tgateway, type TGateway } from '../utils/tgateway.ts';

const KEYS = { reader: generateApiKey(), operator: generateApiKey(), operator2: generateApiKey(), admin: generateApiKey() };
type Who = keyof typeof KEYS;
const auditFile = join(mkdtempSync(join(tmpdir(), 'bg-audit-')), 'audit.jsonl');

let t: TGateway;
/** Every mutation this file sent: request id → [mutation, caller id]. */
const sent = new Map<string, [string, string]>();

beforeAll(async () => {
  t = await tgateway({
    stepMs: 40,
    access: {
      apiKeys: [
        { id: 'ops-reader', sha256: hashApiKey(KEYS.reader), role: 'reader' },
        { id: 'ops-operator', sha256: hashApiKey(KEYS.operator), role: 'operator' },
        { id: 'ops-operator-2', sha256: hashApiKey(KEYS.operator2), role: 'operator' },
        { id: 'ops-admin', sha256: hashApiKey(KEYS.admin), role: 'admin' },
      ],
      auditLog: auditFile,
    },
  });
});

const as = (who: Who, query: string, variables?: Record<string, unknown>) => {
  const requestId = randomUUID();
  const m = /^mutation[^{]*\{\s*(\w+)/.exec(query);
  if (m) sent.set(requestId, [m[1], `ops-${who.replace('operator2', 'operator-2')}`]);
  return t.gql(query, variables, { authorization: `Bearer ${KEYS[who]}`, 'x-request-id': requestId });
};
const ok = (res: { errors?: unknown[] }) => expect(res.errors, JSON.stringify(res.errors)).toBeUndefined();
const codes = (res: { errors?: Array<{ extensions?: Record<string, any> }> }) => res.errors?.map((e) => e.extensions?.code);
/** Upstream requests that are not reads (POST, PUT, PATCH, DELETE) since the last reset, over all simulators. */
const writes = () => t.sims.list.reduce((n, s) => n + Object.entries(s.simulator.stats.byRoute).filter(([k]) => !k.startsWith('GET ')).reduce((a, [, v]) => a + v, 0), 0);
const total = () => t.sims.list.reduce((n, s) => n + s.simulator.stats.total, 0);

async function first(list: string, provider: string, extra = '', select = 'id'): Promise<any> {
  const res = await as('reader', `{ ${list}(first: 1, filter: { providers: ["${provider}"] ${extra} }) { nodes { ${select} } } }`);
  ok(res);
  return res.data[list].nodes[0];
}

describe('roles', () => {
  it.each([
    ['reader', 'deleteBackup', 'mutation($id: ID!) { deleteBackup(input: { backupId: $id }) { deletedBackupId } }', 'backups'],
    ['reader', 'triggerBackup', 'mutation($id: ID!) { triggerBackup(input: { resourceId: $id }) { progressId } }', 'resources'],
    ['reader', 'markAlertRead', 'mutation($id: ID!) { markAlertRead(input: { alertId: $id }) { alert { read } } }', 'alerts'],
    ['operator', 'restoreBackup', 'mutation($id: ID!) { restoreBackup(input: { backupId: $id }) { progressId } }', 'backups'],
    ['operator', 'deleteBackup', 'mutation($id: ID!) { deleteBackup(input: { backupId: $id }) { deletedBackupId } }', 'backups'],
    ['operator', 'createDownloadLink', 'mutation($id: ID!) { createDownloadLink(input: { backupId: $id }) { url } }', 'backups'],
  ] as const)('a %s cannot run %s: FORBIDDEN, no upstream call at all', async (who, mutation, query, list) => {
    const target = await first(list, list === 'alerts' ? 'ocore' : 'ocore', list === 'backups' ? ', status: [AVAILABLE]' : '');
    t.resetStats();
    const res = await as(who, query, { id: target.id });
    expect(codes(res)).toEqual(['FORBIDDEN']);
    expect(res.errors![0].message).toContain(mutation);
    // Authorization, not input: a top-level error, the field null.
    expect(res.data).toEqual({ [mutation]: null });
    expect(total()).toBe(0);
    expect(writes()).toBe(0);
  });

  it('an operator triggers a backup and marks an alert read', async () => {
    const env = await first('resources', 'ocore');
    t.resetStats();
    const res = await as('operator', 'mutation($r: ID!) { triggerBackup(input: { resourceId: $r }) { progressId backup { status } } }', { r: env.id });
    ok(res);
    expect(res.data.triggerBackup.backup.status).toBe('CREATING');
    expect(writes()).toBe(1);
    const alert = await first('alerts', 'ocore');
    ok(await as('operator', 'mutation($a: ID!) { markAlertRead(input: { alertId: $a }) { alert { read } } }', { a: alert.id }));
  });

  it('an admin runs what the others may not: restore, delete, download link, schedule', async () => {
    const backup = await first('backups', 'ocore', ', status: [AVAILABLE]', 'id resource { id }');
    ok(await as('admin', 'mutation($b: ID!) { restoreBackup(input: { backupId: $b }) { progressId job { operation } } }', { b: backup.id }));
    const other = await first('backups', 'norcube', ', status: [AVAILABLE]');
    const link = await as('admin', 'mutation($b: ID!) { createDownloadLink(input: { backupId: $b }) { url } }', { b: other.id });
    ok(link);
    expect(link.data.createDownloadLink.url).toMatch(/^https?:\/\//);
    const doomed = (await as('reader', '{ backups(first: 5, filter: { providers: ["ocore"], status: [AVAILABLE] }) { nodes { id } } }')).data.backups.nodes.at(-1);
    t.resetStats();
    const del = await as('admin', 'mutation($b: ID!) { deleteBackup(input: { backupId: $b }) { deletedBackupId } }', { b: doomed.id });
    ok(del);
    expect(writes()).toBe(1);
    const env = await first('resources', 'ocore');
    ok(await as('admin', 'mutation($r: ID!) { upsertSchedule(input: { resourceId: $r, enabled: true, dbCron: "15 2 * * *" }) { __typename } }', { r: env.id }));
  });

  it('an operator\'s document with a trigger and a restore: the trigger runs, the restore is FORBIDDEN at the top level on its field alone', async () => {
    const env = await first('resources', 'ocore');
    const backup = await first('backups', 'ocore', ', status: [AVAILABLE]');
    t.resetStats();
    // Sent without `as`: one request with two mutations has two audit lines, and the audit tests below count one per request.
    const res = await t.gql(`mutation($r: ID!, $b: ID!) {
      trigger: triggerBackup(input: { resourceId: $r }) { backup { status } userErrors { code } }
      restore: restoreBackup(input: { backupId: $b }) { progressId userErrors { code } }
    }`, { r: env.id, b: backup.id }, { authorization: `Bearer ${KEYS.operator}` });
    expect(res.errors?.map((e) => [e.extensions?.code, e.path])).toEqual([['FORBIDDEN', ['restore']]]);
    expect(res.data).toEqual({ trigger: { backup: { status: 'CREATING' }, userErrors: [] }, restore: null });
    expect(writes()).toBe(1);
  });

  it('an admin\'s bad input is a user error, not a top-level error, and nothing goes upstream', async () => {
    const env = await first('resources', 'ocore');
    t.resetStats();
    const res = await as('admin', 'mutation($r: ID!) { upsertSchedule(input: { resourceId: $r, timezone: "Mars/Base" }) { schedule { id } userErrors { code field } } }', { r: env.id });
    ok(res);
    expect(res.data.upsertSchedule).toEqual({ schedule: null, userErrors: [{ code: 'BAD_USER_INPUT', field: ['input', 'timezone'] }] });
    expect(total()).toBe(0);
  });

  it('idempotency keys are per caller: the same key from two operators starts two backups', async () => {
    const env = await first('resources', 'ocore');
    const m = 'mutation($r: ID!) { triggerBackup(input: { resourceId: $r, idempotencyKey: "shared-key-1" }) { backup { id } } }';
    t.resetStats();
    const a1 = await as('operator', m, { r: env.id });
    const a2 = await as('operator', m, { r: env.id });
    const b1 = await as('operator2', m, { r: env.id });
    for (const r of [a1, a2, b1]) ok(r);
    expect(a2.data.triggerBackup.backup.id).toBe(a1.data.triggerBackup.backup.id);
    expect(b1.data.triggerBackup.backup.id).not.toBe(a1.data.triggerBackup.backup.id);
    expect(writes()).toBe(2);
  });
});

describe('audit trail', () => {
  it('holds every mutation attempt of this file exactly once, allowed or refused, with who, what and the decision', () => {
    const lines = readFileSync(auditFile, 'utf8').trim().split('\n').map((l) => JSON.parse(l));
    const mine = lines.filter((l) => sent.has(l.requestId));
    expect(mine.length).toBe(sent.size);
    expect(new Set(mine.map((l) => l.requestId)).size).toBe(sent.size);
    for (const l of mine) {
      const [mutation, caller] = sent.get(l.requestId)!;
      expect(l).toMatchObject({ mutation, caller: { id: caller, kind: 'api-key' }, outcome: expect.stringMatching(/^(ALLOWED|FORBIDDEN)$/) });
      expect(l.targets.length).toBeGreaterThan(0);
      expect(Number.isNaN(Date.parse(l.time))).toBe(false);
    }
    expect(mine.filter((l) => l.outcome === 'FORBIDDEN').map((l) => `${l.caller.role} ${l.mutation}`).sort()).toEqual([
      'operator createDownloadLink', 'operator deleteBackup', 'operator restoreBackup',
      'reader deleteBackup', 'reader markAlertRead', 'reader triggerBackup',
    ]);
  });

  it('logs one `audit` line per attempt with its final outcome, and no key', () => {
    const audits = t.logs.filter((l) => l.includes('"msg":"audit"')).map((l) => JSON.parse(l).audit);
    for (const id of sent.keys()) expect(audits.filter((a) => a.requestId === id)).toHaveLength(1);
    expect(audits.find((a) => a.mutation === 'deleteBackup' && a.caller.role === 'admin')).toMatchObject({ outcome: 'OK', targets: [expect.any(String)] });
    // A mutation that answered user errors: allowed in the file, USER_ERROR with the codes in the log line.
    expect(audits.find((a) => a.mutation === 'upsertSchedule' && a.outcome !== 'OK')).toMatchObject({ outcome: 'USER_ERROR', userErrors: ['BAD_USER_INPUT'], caller: { role: 'admin' } });
    for (const line of [...t.logs, ...t.bodies]) for (const k of Object.values(KEYS)) expect(line.includes(k)).toBe(false);
  });

  it('refuses a mutation whose record cannot be written: AUDIT_UNAVAILABLE, nothing upstream', async () => {
    const key = generateApiKey();
    const g = await tgateway({
      simulators: { ocore: SIMULATORS.ocore },
      access: { apiKeys: [{ id: 'admin', sha256: hashApiKey(key), role: 'admin' }], auditLog: join(tmpdir(), `no-such-dir-${randomUUID()}`, 'audit.jsonl') },
      authorization: `Bearer ${key}`,
    });
    const env = (await g.gql('{ resources(first: 1) { nodes { id } } }')).data.resources.nodes[0];
    g.resetStats();
    const res = await g.gql('mutation($r: ID!) { triggerBackup(input: { resourceId: $r }) { progressId } }', { r: env.id });
    expect(codes(res)).toEqual(['AUDIT_UNAVAILABLE']);
    expect(g.sims.list[0].simulator.stats.total).toBe(0);
    expect(g.logs.some((l) => l.includes('"msg":"audit"') && l.includes('"outcome":"AUDIT_UNAVAILABLE"'))).toBe(true);
    await g.close();
  });
});
