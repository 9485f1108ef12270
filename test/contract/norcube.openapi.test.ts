/**
 * Every Norcube simulator answer the gateway relies on validates against the provider's own
 * OpenAPI 3.0.3 spec (`norcube-snapdb.openapi.json`), with Ajv: the spec's `components.schemas`
 * are registered as one document and each body is checked against the schema the spec gives for
 * that operation and status (`paths[path][method].responses[status].content['application/json'].schema`).
 *
 * Two validators run: the spec as written ("open": extra fields allowed, as in the spec), and a
 * closed-world copy where every component object schema gets `additionalProperties: false`, so a
 * field the spec does not name (a typo such as `lastScheduledAt` for the spec's `lastSheduledAt`)
 * fails too. OpenAPI 3.0's `nullable: true` is understood by Ajv 8 natively (the spec currently
 * has none, so optional fields are absent, never null).
 *
 * One known defect of the spec is patched, explicitly: `dto.BackupJob.policyCompression` points at
 * the *encryption* enum (`constants.BackupPolicyEncryption`) although the service fills it from
 * the policy's compression (`gzip` | `zstd` | `none`, the spec's own example is `gzip`); the test
 * "documents the spec defect" proves the unpatched schema would reject the spec's own example.
 *
 * Operations whose spec omits an error status the simulator answers (401 everywhere, 404 on some
 * by-id reads, 409 on a duplicate attachment, 429, 501) are checked against `response.APIError`,
 * the spec's one error schema.
 */
import { existsSync, readFileSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import { resolve } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { NO_RATE_LIMIT } from '../utils/tsimulator.ts';
import { Ajv, type ValidateFunction } from 'ajv';
import addFormatsModule from 'ajv-formats';
import { delay } from '../../src/simulators/kit/index.ts';
import { startNorcubeSimulator, type NorcubeSimulator } from '../../src/simulators/norcube/index.ts';

// eslint-disable-next-line @typescript-eslint/no-explicit-any
type Json = any;

const addFormats = ((addFormatsModule as unknown as { default?: unknown }).default ?? addFormatsModule) as (ajv: Ajv) => Ajv;

const repoRoot = fileURLToPath(new URL('../../', import.meta.url));
/** The spec lives in the repo's `specs/` when vendored, else in the shared workspace next to the repo. */
const SPEC_CANDIDATES = [
  resolve(repoRoot, 'specs/norcube-snapdb.openapi.json'),
  resolve(repoRoot, '../shared/specs/norcube-snapdb.openapi.json'),
];
const specPath = SPEC_CANDIDATES.find((p) => existsSync(p));
if (!specPath) throw new Error(`Norcube OpenAPI spec not found; looked in ${SPEC_CANDIDATES.join(', ')}`);
const spec: Json = JSON.parse(readFileSync(specPath, 'utf8'));
const DOC_ID = 'norcube-spec';
const MISSING_UUID = '00000000-0000-4000-8000-000000000000';

/** Rewrites the spec's local refs so they resolve in the registered components document. */
function retarget(schema: Json): Json {
  return JSON.parse(JSON.stringify(schema).replaceAll('"#/components/', `"${DOC_ID}#/components/`));
}

interface SpecValidator {
  /** Validator of the response schema the spec gives for (method, path, status), or of APIError for undeclared errors. */
  forResponse(method: string, path: string, status: number): { validate: ValidateFunction | null; declared: boolean; hasBody: boolean };
  /** Validator of one component schema. */
  forComponent(name: string): ValidateFunction;
  ajv: Ajv;
}

function buildValidator(opts: { closed: boolean; patchKnownDefects: boolean }): SpecValidator {
  const components = structuredClone(spec.components);
  if (opts.patchKnownDefects) {
    components.schemas['dto.BackupJob'].properties.policyCompression = {
      allOf: [{ $ref: '#/components/schemas/constants.BackupPolicyCompression' }], example: 'gzip',
    };
  }
  if (opts.closed) {
    for (const s of Object.values<Json>(components.schemas)) {
      if (s.type === 'object' && s.properties && s.additionalProperties === undefined) s.additionalProperties = false;
    }
  }
  const ajv = new Ajv({ strict: false, allErrors: true });
  addFormats(ajv);
  ajv.addSchema({ $id: DOC_ID, components });
  const cache = new Map<string, ValidateFunction>();
  const compile = (schema: Json) => {
    const key = JSON.stringify(schema);
    let v = cache.get(key);
    if (!v) cache.set(key, (v = ajv.compile(retarget(schema))));
    return v;
  };
  return {
    ajv,
    forComponent: (name) => compile({ $ref: `#/components/schemas/${name}` }),
    forResponse(method, path, status) {
      const op = spec.paths[path]?.[method.toLowerCase()];
      if (!op) throw new Error(`the spec has no operation ${method} ${path}`);
      const entry = op.responses[String(status)];
      if (!entry) {
        if (status < 400) throw new Error(`the spec declares no ${status} for ${method} ${path}`);
        return { validate: compile({ $ref: '#/components/schemas/response.APIError' }), declared: false, hasBody: true };
      }
      const schema = entry.content?.['application/json']?.schema;
      return { validate: schema ? compile(schema) : null, declared: true, hasBody: !!schema };
    },
  };
}

const open = buildValidator({ closed: false, patchKnownDefects: true });
const closed = buildValidator({ closed: true, patchKnownDefects: true });

let sim: NorcubeSimulator;

beforeAll(async () => {
  sim = await startNorcubeSimulator({ stepMs: 20, scheduleEveryMs: 0, rateLimit: { limit: 100_000, windowMs: 60_000 } });
});

afterAll(async () => {
  await sim?.close();
});

function fill(template: string, params: Record<string, string>): string {
  return template.replace(/\{(\w+)\}/g, (_, k: string) => {
    if (!(k in params)) throw new Error(`missing path parameter ${k}`);
    return encodeURIComponent(params[k]);
  });
}

interface CheckInit {
  params?: Record<string, string>;
  query?: string;
  body?: unknown;
  token?: string | null;
  /** The status the call must answer. */
  expectStatus?: number;
}

/** Calls one spec operation on the simulator and validates the answer against the spec (both validators). */
async function check(method: string, template: string, init: CheckInit = {}): Promise<{ status: number; body: Json; declared: boolean }> {
  const headers: Record<string, string> = {};
  if (init.token !== null) headers.authorization = `Bearer ${init.token ?? sim.credential}`;
  if (init.body !== undefined) headers['content-type'] = 'application/json';
  const url = `${sim.url}${fill(template, init.params ?? {})}${init.query ? `?${init.query}` : ''}`;
  const res = await fetch(url, { method, headers, body: init.body === undefined ? undefined : JSON.stringify(init.body) });
  const text = await res.text();
  const body = text ? JSON.parse(text) : undefined;
  if (init.expectStatus !== undefined) expect(res.status, `${method} ${template}: ${text.slice(0, 300)}`).toBe(init.expectStatus);
  const target = open.forResponse(method, template, res.status);
  if (!target.hasBody) {
    expect(text, `${method} ${template} answers ${res.status} without a body per the spec`).toBe('');
  } else {
    for (const [label, v] of [['spec', target.validate], ['closed-world spec', closed.forResponse(method, template, res.status).validate]] as const) {
      const ok = v!(body);
      expect(ok, `${method} ${template} ${res.status} vs ${label}: ${open.ajv.errorsText(v!.errors)}\n${text.slice(0, 500)}`).toBe(true);
    }
  }
  return { status: res.status, body, declared: target.declared };
}

async function pollStatus(read: () => Promise<string>, terminal: string[]): Promise<string> {
  let s = await read();
  for (let i = 0; i < 150 && !terminal.includes(s); i++) {
    await delay(20);
    s = await read();
  }
  return s;
}

/** Looks up seeded records the checks below need. */
async function fixtures() {
  const list = (await check('GET', '/datasources', { query: 'limit=100', expectStatus: 200 })).body.list;
  const byName = (n: string) => list.find((d: Json) => d.name === n);
  const orders = byName('orders-db');
  const jobs = (await check('GET', '/datasources/{datasourceId}/backups', { params: { datasourceId: orders.id }, query: 'limit=100', expectStatus: 200 })).body.list;
  return {
    orders, zurich: byName('Zürich-kunden'), inventory: byName('inventory'), sandbox: byName('sandbox-ålesund'),
    stored: jobs.find((j: Json) => j.jobStatus === 'success' && !j.jobDeletedAt && j.destinationIsManaged),
    expired: jobs.find((j: Json) => j.jobDeletedAt), failed: jobs.find((j: Json) => j.jobStatus === 'failed'),
    byo: jobs.find((j: Json) => !j.destinationIsManaged && j.jobStatus === 'success' && !j.jobDeletedAt),
  };
}

describe('Norcube simulator vs its OpenAPI spec', () => {
  it('serves every operation of the spec (no route is missing), each answer in the spec shape', async () => {
    const ops: [string, string][] = [];
    for (const [path, item] of Object.entries<Json>(spec.paths)) {
      for (const method of Object.keys(item)) if (['get', 'post', 'put', 'patch', 'delete'].includes(method)) ops.push([method.toUpperCase(), path]);
    }
    // PROVIDERS.md says "43 operations"; the spec file holds 41.
    expect(ops.length).toBe(41);
    for (const [method, path] of ops) {
      const params = Object.fromEntries([...path.matchAll(/\{(\w+)\}/g)].map((m) => [m[1], MISSING_UUID]));
      const body = ['POST', 'PUT', 'PATCH', 'DELETE'].includes(method) ? {} : undefined;
      const r = await check(method, path, { params, body });
      expect(r.status, `${method} ${path}`).not.toBe(405);
      if (r.status === 404) expect(r.body.msg, `${method} ${path}`).not.toBe('route not found');
    }
  });

  it('lists and details validate: data sources, jobs, policies, attachments, restores, audit log', async () => {
    const f = await fixtures();
    await check('GET', '/datasources', { expectStatus: 200 });
    await check('GET', '/datasources/{id}', { params: { id: f.orders.id }, expectStatus: 200 });
    const all = await check('GET', '/backups', { query: 'limit=100', expectStatus: 200 });
    expect(all.body.list).toHaveLength(100);
    // The last page omits cursors.next; check every page of the batch call.
    let cursor: string | undefined = all.body.cursors.next;
    while (cursor) {
      const page = await check('GET', '/backups', { query: `limit=100&cursor=${encodeURIComponent(cursor)}`, expectStatus: 200 });
      cursor = page.body.cursors.next;
    }
    await check('GET', '/backups', { query: `datasourceIDs=${f.orders.id}&datasourceIDs=${f.zurich.id}`, expectStatus: 200 });
    await check('GET', '/datasources/{datasourceId}/backups', { params: { datasourceId: f.zurich.id }, expectStatus: 200 });
    await check('GET', '/backup-policies', { expectStatus: 200 });
    const atts = await check('GET', '/datasources/{datasourceId}/policies', { params: { datasourceId: f.orders.id }, expectStatus: 200 });
    expect(atts.body.length).toBe(2);
    await check('GET', '/datasources/{datasourceId}/restores', { params: { datasourceId: f.orders.id }, expectStatus: 200 });
    const restores = await check('GET', '/datasources/{datasourceId}/restores', { params: { datasourceId: f.inventory.id }, query: 'trigger=manual', expectStatus: 200 });
    await check('GET', '/restores/{id}', { params: { id: restores.body.list[0].id }, expectStatus: 200 });
    const audit = await check('GET', '/audit-log', { query: 'limit=200', expectStatus: 200 });
    await check('GET', '/audit-log', { query: `cursorCreatedAt=${encodeURIComponent(audit.body.nextCursorCreatedAt)}&cursorId=${audit.body.nextCursorId}`, expectStatus: 200 });
    await check('GET', '/audit-log/actors', { expectStatus: 200 });
    await check('GET', '/datasources/{datasourceId}/backup-history', { params: { datasourceId: f.orders.id }, expectStatus: 200 });
    await check('GET', '/datasources/{datasourceId}/restore-check-history', { params: { datasourceId: f.orders.id }, expectStatus: 200 });
    await check('GET', '/datasources/{id}/restore-check', { params: { id: f.orders.id }, expectStatus: 200 });
    const dests = await check('GET', '/storage-destinations', { expectStatus: 200 });
    await check('GET', '/storage-destinations/{id}', { params: { id: dests.body[0].id }, expectStatus: 200 });
    await check('GET', '/notifications/settings', { expectStatus: 200 });
  });

  it('actions validate: run-now, download links, verify, restores, attach, policies, deletes', async () => {
    const f = await fixtures();
    const run = await check('POST', '/datasources/{datasourceId}/backups/run-now', { params: { datasourceId: f.zurich.id }, body: {}, expectStatus: 200 });
    // Every intermediate state of the live job validates too.
    const seen = new Set<string>();
    const status = await pollStatus(async () => {
      const page = await check('GET', '/backups', { query: `datasourceIDs=${f.zurich.id}&limit=3`, expectStatus: 200 });
      const s = page.body.list.find((j: Json) => j.jobId === run.body.jobId).jobStatus;
      seen.add(s);
      return s;
    }, ['success', 'partial', 'failed', 'canceled']);
    expect(status).toBe('success');
    expect(seen.has('running') || seen.has('queued')).toBe(true);

    const link = (jobId: string) => check('POST', '/datasources/{datasourceId}/backups/{jobId}/download-link', { params: { datasourceId: f.orders.id, jobId }, expectStatus: 200 });
    expect((await link(f.stored.jobId)).body.ok).toBe(true);
    expect((await link(f.expired.jobId)).body.errorCode).toBe('missing_artifact');
    expect((await link(f.failed.jobId)).body.errorCode).toBe('not_succeeded');
    expect((await link(f.byo.jobId)).body.errorCode).toBe('customer_managed_storage');
    expect((await link(MISSING_UUID)).body.errorCode).toBe('not_found');

    const verify = await check('POST', '/datasources/{datasourceId}/backups/{jobId}/verify', { params: { datasourceId: f.orders.id, jobId: f.stored.jobId }, expectStatus: 202 });
    await pollStatus(async () => (await check('GET', '/restores/{id}', { params: { id: verify.body.restoreJobId }, expectStatus: 200 })).body.status, ['success', 'failed']);
    await check('POST', '/datasources/{datasourceId}/backups/{jobId}/verify', { params: { datasourceId: f.orders.id, jobId: f.failed.jobId }, expectStatus: 409 });

    const restore = await check('POST', '/restores', {
      body: { dataSourceId: f.orders.id, sourceBackupId: f.stored.jobId, mode: 'overwrite', confirmOverwrite: true }, expectStatus: 201,
    });
    await pollStatus(async () => (await check('GET', '/restores/{id}', { params: { id: restore.body.id }, expectStatus: 200 })).body.status, ['success', 'failed']);
    await check('POST', '/restores', { body: { dataSourceId: f.orders.id, sourceBackupId: f.failed.jobId, mode: 'overwrite', confirmOverwrite: true }, expectStatus: 409 });
    await check('POST', '/restores', { body: { mode: 'overwrite' }, expectStatus: 400 });
    await check('POST', '/restores/target-probe', { body: { dataSourceId: f.orders.id, mode: 'new_server', targetUri: 'mongodb://x@h/db' }, expectStatus: 200 });
    await check('GET', '/restores/{id}/logs.presign', { params: { id: restore.body.id }, expectStatus: 200 });

    const policies = (await check('GET', '/backup-policies', { expectStatus: 200 })).body.list;
    const nightly = policies.find((p: Json) => p.name === 'nightly-logical-gzip');
    await check('POST', '/datasources/{datasourceId}/policies', { params: { datasourceId: f.sandbox.id }, body: { policyId: nightly.id, enabled: true, priority: 3 }, expectStatus: 201 });
    await check('GET', '/datasources/{datasourceId}/policies', { params: { datasourceId: f.sandbox.id }, expectStatus: 200 });
    await check('POST', '/datasources/{datasourceId}/policies', { params: { datasourceId: f.sandbox.id }, body: { policyId: nightly.id, enabled: true }, expectStatus: 409 });
    await check('PATCH', '/datasources/{datasourceId}/policies/{policyId}', { params: { datasourceId: f.sandbox.id, policyId: nightly.id }, body: { enabled: false }, expectStatus: 204 });
    await check('DELETE', '/datasources/{datasourceId}/policies/{policyId}', { params: { datasourceId: f.sandbox.id, policyId: nightly.id }, expectStatus: 204 });

    const created = await check('POST', '/backup-policies', {
      body: { name: 'spec-check', destinationId: nightly.destinationId, scheduleCron: '*/15 * * * *', timezone: 'UTC', retentionDays: 2, keepLastN: 4 }, expectStatus: 201,
    });
    await check('PATCH', '/backup-policies/{id}', { params: { id: created.body.id }, body: { keepLastN: 5 }, expectStatus: 204 });
    const cron = await check('PATCH', '/backup-policies/{id}', { params: { id: created.body.id }, body: { scheduleCron: '0 0 * *' }, expectStatus: 400 });
    expect(cron.body.msg).toBe('scheduleCron must be a valid 5-field cron expression');
    await check('PATCH', '/backup-policies/{id}', { params: { id: MISSING_UUID }, body: { keepLastN: 5 }, expectStatus: 404 });
    await check('PATCH', '/backup-policies/{id}', { params: { id: created.body.id }, body: { name: 'hourly-pitr' }, expectStatus: 409 });

    const ds = await check('POST', '/datasources', { body: { name: 'spec-ds', engine: 'mongodb', environment: 'test', region: 'eu-central-1' }, expectStatus: 201 });
    await check('PUT', '/datasources/{id}/credentials', { params: { id: ds.body.id }, body: { mode: 'connection_uri', uri: 'mongodb://u:p@h:27017/app' }, expectStatus: 200 });
    await check('POST', '/datasources/{id}/verify', { params: { id: ds.body.id }, expectStatus: 200 });
    await check('PATCH', '/datasources/{id}', { params: { id: ds.body.id }, body: { environment: 'dev' }, expectStatus: 204 });
    await check('DELETE', '/datasources/{id}', { params: { id: ds.body.id }, body: { confirmation: 'spec-ds' }, expectStatus: 200 });
    await check('DELETE', '/datasources/{datasourceId}/backups/{jobId}', { params: { datasourceId: f.orders.id, jobId: f.stored.jobId }, expectStatus: 200 });
    await check('DELETE', '/datasources/{datasourceId}/backups/{jobId}', { params: { datasourceId: f.orders.id, jobId: f.stored.jobId }, expectStatus: 409 });
  });

  it('error bodies validate as response.APIError: 400, 401, 404, 429, 501', async () => {
    const f = await fixtures();
    const badLimit = await check('GET', '/backups', { query: 'limit=1000', expectStatus: 400 });
    expect(badLimit.declared).toBe(true);
    await check('GET', '/backups', { query: 'cursor=%%%', expectStatus: 400 });
    await check('GET', '/audit-log', { query: 'limit=500', expectStatus: 400 });
    await check('GET', '/datasources', { token: null, expectStatus: 401 });
    await check('GET', '/datasources/{id}', { params: { id: MISSING_UUID }, expectStatus: 404 });
    await check('GET', '/datasources/{id}', { params: { id: 'nope' }, expectStatus: 400 });
    sim.setRestoresUnsupported(true);
    try {
      await check('GET', '/datasources/{datasourceId}/restores', { params: { datasourceId: f.orders.id }, expectStatus: 501 });
      await check('POST', '/restores', { body: {}, expectStatus: 501 });
    } finally {
      sim.setRestoresUnsupported(false);
    }
    sim.setRateLimit({ limit: 1, windowMs: 60_000 });
    try {
      await check('GET', '/backup-policies', { expectStatus: 200 });
      await check('GET', '/backup-policies', { expectStatus: 429 });
    } finally {
      sim.setRateLimit(NO_RATE_LIMIT);
    }
  });
});

describe('the validator bites', () => {
  const jobsSchema = () => open.forResponse('GET', '/backups', 200).validate!;

  it('rejects wrong bodies against the spec schemas', () => {
    const goodJob = {
      jobId: 'j', jobStatus: 'success', jobTrigger: 'manual', jobCreatedAt: 't', jobScheduledFor: 't', jobBytesWritten: 1,
      datasourceId: 'd', datasourceName: 'n', datasourceEngine: 'postgres', destinationId: 'x', destinationIsManaged: true,
      destinationRegion: 'eu-central-1', policyId: 'p', policyName: 'n', policyMethod: 'pitr', policyCompression: 'gzip',
      policyEncryption: 'sse-kms', policyRetentionDays: 3,
    };
    const page = (list: unknown[]) => ({ list, cursors: {}, meta: { timestamp: 't' } });
    expect(jobsSchema()(page([goodJob]))).toBe(true);
    expect(jobsSchema()(page([{ ...goodJob, jobStatus: 'done' }]))).toBe(false);
    expect(jobsSchema()(page([{ ...goodJob, jobBytesWritten: '12' }]))).toBe(false);
    const { policyName: _omitted, ...missing } = goodJob;
    expect(jobsSchema()(page([missing]))).toBe(false);
    expect(jobsSchema()({ list: [goodJob], meta: { timestamp: 't' } })).toBe(false);
    expect(jobsSchema()(page([{ ...goodJob, jobTrigger: 'cron' }]))).toBe(false);
    // cursors.next must be absent on the last page, not null (the spec has no nullable fields).
    expect(jobsSchema()({ ...page([goodJob]), cursors: { next: null } })).toBe(false);
    const apiError = open.forComponent('response.APIError');
    expect(apiError({ type: 'NOT_FOUND', msg: 'x' })).toBe(true);
    expect(apiError({ type: 'not_found', msg: 'x' })).toBe(false);
    expect(apiError({ code: 'INVALID_INPUT', message: 'x' })).toBe(false);
    const ds = open.forComponent('dto.DataSource');
    expect(ds({ id: 'a', name: 'b', engine: 'postgres', environment: 'prod', isActive: true })).toBe(false);
  });

  it('closed-world validation rejects fields the spec does not name', () => {
    const attachment = {
      id: 'a', isEnabled: true, jitterSeconds: 0, priority: 1,
      backupPolicy: {
        id: 'p', organizationId: 'o', name: 'n', scheduleCron: '0 0 * * *', timezone: 'UTC', retentionDays: 1, keepLastN: 1,
        method: 'pitr', encryption: 'none', parallelism: 1, pitrEnabled: true, destinationId: 'd',
      },
      destination: { id: 'd', isManaged: true, name: 'n', organizationId: 'o' },
    };
    const v = closed.forComponent('dto.DatasourcePolicy');
    expect(v(attachment)).toBe(true);
    expect(v({ ...attachment, lastScheduledAt: '2026-01-01T00:00:00Z' })).toBe(false);
    expect(v({ ...attachment, lastSheduledAt: '2026-01-01T00:00:00Z' })).toBe(true);
    expect(open.forComponent('dto.DatasourcePolicy')({ ...attachment, lastScheduledAt: 'x' })).toBe(true);
  });

  it('documents the spec defect: unpatched, dto.BackupJob.policyCompression rejects the spec\'s own example "gzip"', () => {
    const raw = buildValidator({ closed: false, patchKnownDefects: false });
    const schema = spec.components.schemas['dto.BackupJob'].properties.policyCompression;
    expect(schema.allOf[0].$ref).toBe('#/components/schemas/constants.BackupPolicyEncryption');
    expect(schema.example).toBe('gzip');
    const field = raw.ajv.compile(retarget(schema));
    expect(field('gzip')).toBe(false);
    expect(field('sse-kms')).toBe(true);
  });

  it('understands OpenAPI 3.0 `nullable: true`', () => {
    const v = open.ajv.compile({ type: 'object', properties: { next: { type: 'string', nullable: true } } });
    expect(v({ next: null })).toBe(true);
    expect(v({ next: 'x' })).toBe(true);
    expect(v({ next: 3 })).toBe(false);
  });
});
