import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { once } from 'node:events';
import { createServer } from 'node:net';
import { disposeAfterEach } from '../utils/leftovers.ts';
import { runCli } from '../utils/tcli.ts';
import { DASHBOARD_QUERY } from '../../src/server/graphiql.ts';
import { startAllSimulators } from '../../src/simulators/start-all.ts';

const run = runCli;

/** True when every port of `ports` can be listened on at 127.0.0.1 right now. */
async function free(ports: number[]): Promise<boolean> {
  const servers = ports.map(() => createServer());
  const results = await Promise.all(servers.map((s, i) => new Promise<boolean>((resolve) => {
    s.once('error', () => resolve(false));
    s.listen(ports[i], '127.0.0.1', () => resolve(true));
  })));
  await Promise.all(servers.filter((s) => s.listening).map((s) => new Promise((r) => s.close(r))));
  return results.every(Boolean);
}

/**
 * A `--port-base` whose simulator ports (base+1 .. base+4) are free: below the kernel's ephemeral
 * range (32768 up), where outgoing connections of other tests would take ports at random.
 */
async function freePortBase(): Promise<number> {
  for (let attempt = 0; attempt < 50; attempt++) {
    const base = 20000 + Math.floor(Math.random() * 12000);
    if (await free([1, 2, 3, 4].map((i) => base + i))) return base;
  }
  throw new Error('no free run of 4 ports between 20001 and 32004');
}

describe('backup-graph CLI', () => {
  it('`serve` without a config serves the simulators: GraphiQL and the dashboard query answered by all four providers', async () => {
    const { waitFor } = run(['serve'], { PORT: '0' });
    const [, url] = await waitFor(/GraphiQL at (http:\/\/[^\s"]+)\/graphql/);
    const page = await fetch(`${url}/graphql`, { headers: { accept: 'text/html' } });
    const html = await page.text();
    expect(html).toContain('Backup Graph');
    expect(html).toContain('OperationsDashboard');

    const res = await fetch(`${url}/graphql`, { method: 'POST', headers: { 'content-type': 'application/json' }, body: JSON.stringify({ query: DASHBOARD_QUERY }) });
    const body: any = await res.json();
    expect(body.errors).toBeUndefined();
    const all = ['bocada', 'bycloud', 'norcube', 'ocore'];
    expect(body.data.providers.map((p: any) => p.id).sort()).toEqual(all);
    // Newest first across providers: the first page holds whoever worked last, each item newer than the next.
    for (const list of [body.data.recentJobs.nodes, body.data.recentFailures.nodes]) {
      expect(list.length).toBeGreaterThan(0);
      const times = list.map((n: any) => Date.parse(n.createdAt));
      expect(times).toEqual([...times].sort((a: number, b: number) => b - a));
    }
    // Every provider counted its failures of the last 24 hours and its resources' protection.
    expect(body.data.failuresLast24h.providers.map((p: any) => p.provider.id).sort()).toEqual(all);
    expect(body.data.failuresLast24h.total).toBe(body.data.failuresLast24h.providers.reduce((n: number, p: any) => n + p.total, 0));
    const protection = body.data.protection;
    expect(protection.providers.map((p: any) => p.provider.id).sort()).toEqual(all);
    for (const p of protection.providers) expect({ provider: p.provider.id, counted: p.counts.total > 0 }).toEqual({ provider: p.provider.id, counted: true });
    // At-risk resources, worst first: the unprotected ones before those at risk.
    const statuses = protection.atRisk.map((r: any) => r.protection.status);
    expect(statuses.length).toBeGreaterThan(0);
    expect(statuses).toEqual([...statuses].sort((a: string, b: string) => ['UNPROTECTED', 'AT_RISK'].indexOf(a) - ['UNPROTECTED', 'AT_RISK'].indexOf(b)));

    // The demo's data is anchored to when it starts: last night's work, schedules ahead.
    const before = Date.now();
    const fresh: any = await (await fetch(`${url}/graphql`, {
      method: 'POST', headers: { 'content-type': 'application/json' },
      // One newest item per provider and list: the merged order would let the busiest provider fill a shared page.
      body: JSON.stringify({ query: `{
        ${['bocada', 'bycloud', 'norcube', 'ocore'].map((p) => `
        ${p}Jobs: jobs(first: 1, filter: { providers: ["${p}"] }) { nodes { provider { id } startedAt createdAt } }
        ${p}Backups: backups(first: 1, filter: { providers: ["${p}"] }) { nodes { provider { id } createdAt } }`).join('')}
        schedules(first: 100) { nodes { provider { id } nextRunAt enabled } }
      }` }),
    })).json();
    expect(fresh.errors).toBeUndefined();
    const askedAt = Date.now();
    const newest = new Map<string, number>();
    for (const n of Object.entries(fresh.data).filter(([k]) => k !== 'schedules').flatMap(([, v]: [string, any]) => v.nodes)) {
      const at = Date.parse(n.startedAt ?? n.createdAt);
      newest.set(n.provider.id, Math.max(newest.get(n.provider.id) ?? 0, at));
    }
    expect([...newest.keys()].sort()).toEqual(['bocada', 'bycloud', 'norcube', 'ocore']);
    for (const [provider, at] of newest) expect({ provider, lessThanADayOld: askedAt - at < 86_400_000 }).toEqual({ provider, lessThanADayOld: true });
    const planned = fresh.data.schedules.nodes.filter((s: any) => s.nextRunAt !== null);
    expect(planned.length).toBeGreaterThan(0);
    for (const s of planned) expect({ provider: s.provider.id, nextRunAt: s.nextRunAt, inTheFuture: Date.parse(s.nextRunAt) > before }).toMatchObject({ inTheFuture: true });
  });

  it('`simulate` prints each base URL and credential, and the simulators answer with them', async () => {
    const base = await freePortBase();
    const { waitFor } = run(['simulate', '--port-base', String(base)]);
    const [line] = await waitFor(/bocada\s+(http:\/\/\S+)\s+X-Api-Key (\S+)/);
    const [, url, key] = line.match(/bocada\s+(http:\/\/\S+)\s+X-Api-Key (\S+)/)!;
    expect(url).toBe(`http://127.0.0.1:${base + 1}`);
    const ok = await fetch(`${url}/api/v1/system/status`, { headers: { 'x-api-key': key } });
    expect(ok.status).toBe(200);
    const ocore = await waitFor(/ocore\s+(http:\/\/\S+)\s+Authorization: Bearer (\S+)/);
    const res = await fetch(`${ocore[1]}/api/backup-alerts/count`, { headers: { authorization: `Bearer ${ocore[2]}` } });
    expect(res.status).toBe(200);
  });

  it('`serve --config` talks to the providers the config names', async () => {
    const sims = disposeAfterEach(await startAllSimulators({ scheduleEveryMs: 0 }));
    const dir = mkdtempSync(join(tmpdir(), 'bg-'));
    const file = join(dir, 'gateway.yaml');
    const o = sims.get('ocore');
    // Without an access section serve --config refuses to start: opt out of credentials on purpose.
    writeFileSync(file, `access: { anonymous: reader }\nproviders:\n  - id: ocore-prod\n    kind: ocore\n    name: oCore Prod\n    baseUrl: ${o.simulator.url}\n    auth: { token: \${OCORE_TOKEN} }\n`);
    const { waitFor } = run(['serve', '--config', file, '--port', '0'], { OCORE_TOKEN: o.simulator.credential });
    const [, url] = await waitFor(/GraphiQL at (http:\/\/[^\s"]+)\/graphql/);
    const res = await fetch(`${url}/graphql`, { method: 'POST', headers: { 'content-type': 'application/json' }, body: JSON.stringify({ query: '{ providers { id name } backups(first: 3) { nodes { provider { id } } } }' }) });
    const body: any = await res.json();
    expect(body.data.providers).toEqual([{ id: 'ocore-prod', name: 'oCore Prod' }]);
    expect(body.data.backups.nodes.map((n: any) => n.provider.id)).toEqual(['ocore-prod', 'ocore-prod', 'ocore-prod']);
  });

  it('`serve --config` with a bad config exits 2 naming the key, never the secret', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'bg-'));
    const file = join(dir, 'bad.yaml');
    writeFileSync(file, 'providers:\n  - id: x\n    kind: ocore\n    baseUrl: ftp://nope\n    auth: { token: super-secret-token }\n    colour: blue\n');
    const { child, output } = run(['serve', '--config', file]);
    const [code] = await once(child, 'exit');
    expect(code).toBe(2);
    const { err } = output();
    expect(err).toContain('providers[0].baseUrl');
    expect(err).toContain('unknown key(s) "colour"');
    expect(err).not.toContain('super-secret-token');
  });
});
