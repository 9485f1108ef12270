/**
 * One provider failing, through the gateway: its breaker opens, the others' data still answers,
 * its errors become UPSTREAM_UNAVAILABLE with `retryAfter` at no upstream cost, its health reads
 * `circuit open`, and it comes back once the provider does.
 */
import { beforeAll, describe, expect, it } from 'vitest';
import { tgateway, type GqlResponse, type TGateway } from '../utils/tgateway.ts';

const OPEN_MS = 1500;
let t: TGateway;
beforeAll(async () => {
  // oCore's breaker stays open briefly, so the test can watch it come back.
  t = await tgateway({
    providers: (ps) => ps.map((p) => (p.ref.id === 'ocore' ? { ...p, upstream: { ...p.upstream, breaker: { halfOpenAfterMs: OPEN_MS } } } : p)),
  });
});

const BACKUPS = `{ backups(first: 30) { nodes { id provider { id } } } }`;
const HEALTH = `{ providers { id health { status message } } }`;
const healthOf = async (id: string) => (await t.gql(HEALTH)).data.providers.find((p: any) => p.id === id).health;

/** The others' backups answer in full; oCore's part is one coded error. */
function expectOthersAnswer(res: GqlResponse) {
  expect(res.status).toBe(200);
  expect(res.data.backups.nodes).toHaveLength(30);
  // The 30 newest of the providers still answering (one merged newest-first order).
  expect(['norcube', 'bycloud']).toEqual(expect.arrayContaining([...new Set(res.data.backups.nodes.map((n: any) => n.provider.id))]));
  expect(res.errors?.map((e) => [e.path, e.extensions?.code, e.extensions?.provider])).toEqual([[['backups'], 'UPSTREAM_UNAVAILABLE', 'ocore']]);
}

describe('a provider answering 503 everywhere', () => {
  it('opens its breaker, fails fast with retryAfter while the others answer, and recovers', async () => {
    const ocore = t.sims.get('ocore').simulator;
    ocore.setFault('*', { forceStatus: 503 });

    // Each query (and health probe) costs oCore a few failed attempts, until ten in a row open the breaker.
    let opened = false;
    for (let i = 0; i < 10 && !opened; i++) {
      expectOthersAnswer(await t.gql(BACKUPS));
      opened = (await healthOf('ocore')).message === 'circuit open';
    }
    expect(opened).toBe(true);

    t.resetStats();
    const res = await t.gql(BACKUPS, undefined, { 'x-request-id': 'e2e-open-1' });
    expectOthersAnswer(res);
    expect(res.errors![0].extensions).toMatchObject({ requestId: 'e2e-open-1', retryAfter: expect.any(Number) });
    expect(res.errors![0].extensions!.retryAfter).toBeGreaterThanOrEqual(1);
    expect(res.errors![0].extensions!.retryAfter).toBeLessThanOrEqual(Math.ceil(OPEN_MS / 1000));
    expect(await healthOf('ocore')).toEqual({ status: 'DOWN', message: 'circuit open' });
    expect(ocore.stats.total).toBe(0);
    expect(await healthOf('norcube')).toMatchObject({ status: 'UP' });

    // Back up: once the open window passes, a health probe is the half-open call that closes it.
    ocore.clearFaults();
    const end = performance.now() + OPEN_MS + 3000;
    let health = await healthOf('ocore');
    while (health.status !== 'UP' && performance.now() < end) {
      await new Promise((r) => setTimeout(r, 50));
      health = await healthOf('ocore');
    }
    expect(health).toEqual({ status: 'UP', message: null });
    const back = await t.gql(BACKUPS);
    expect(back.errors).toBeUndefined();
  });
});
