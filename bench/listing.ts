/**
 * The listing scenario: the Norcube listing of 20 backups through three servers over ONE upstream
 * fake (bench/upstream-fake.ts), each server in its own process, the load generator (autocannon,
 * 20 connections) in this one:
 *   ours   Backup Graph (`backup-graph serve --config`), `backups(first: 20, filter: { providers: ["norcube"] })`
 *   hive   Hive Gateway + GraphQL Mesh's OpenAPI source over the spec, `backups(limit: 20)` (bench/peers/hive.ts)
 *   floor  hand-written node:http + undici + JSON.stringify answering the gateway's exact bytes (bench/floor.ts)
 * Rounds alternate the servers (A B C A B C ...) so drift of a shared machine hits all of them.
 * Figures per server: rps, p50/p99, CPU ms per request of its process (from /proc), upstream calls
 * per request (the fake counts); ratios ours/Hive rps and ours/floor CPU ms per request.
 *
 * To see where our gateway's time goes, set `BENCH_CPU_PROF_DIR=<dir>`: it then runs under
 * `node --cpu-prof --cpu-prof-dir <dir>` and leaves a `.cpuprofile` there when it stops (the
 * profiler's own cost inflates its CPU figures: compare profiles, not those figures).
 */
import { join } from 'node:path';
import { checkAgainstSpec } from './upstream-fake.ts';
import { REPO_ROOT, startGateway, type GatewayChild } from './lib/gateway.ts';
import { postJson, runClosedLoop, runLoad, type LoadFigures } from './lib/load.ts';
import { freePort, round, startChild, waitForOk, type BenchChild } from './lib/proc.ts';
import { HIVE_LISTING_QUERY, startHive } from './peers/hive.ts';

/** The listing as Backup Graph serves it. */
export const LISTING_QUERY = (first: number) =>
  `{ backups(first: ${first}, filter: { providers: ["norcube"] }) { nodes { id name status createdAt sizeBytes } } }`;

/** Options of {@link listingScenario}. */
export interface ListingOptions {
  /** Length of one measured round per server, s. @default 10 */
  durationS?: number;
  /** Unmeasured load per server before the first round, s. @default 3 */
  warmupS?: number;
  /** Rounds per server. @default 2 */
  rounds?: number;
  /** @default 20 */
  connections?: number;
  /** Added upstream latency of the fake, ms. @default 0 */
  latencyMs?: number;
  /** Items in the listing. @default 20 */
  first?: number;
  /** Skip Hive Gateway (no install, no peer figures). @default false */
  withoutHive?: boolean;
  /** LOG_LEVEL of our gateway. @default 'warn' */
  logLevel?: string;
  /** Profile our gateway into this directory (`node --cpu-prof`). @default process.env.BENCH_CPU_PROF_DIR (none) */
  cpuProfileDir?: string;
  log?: (line: string) => void;
}

/** One server's figures, over all its rounds. */
export interface ListingServerFigures {
  server: 'ours' | 'hive' | 'floor';
  requests: number;
  non2xx: number;
  errors: number;
  rps: number;
  /** Lowest and highest rps of one round. */
  rpsRange: [number, number];
  /** Median of the rounds' p50 / highest of their p99, ms. */
  p50Ms: number;
  p99Ms: number;
  cpuMsPerRequest: number;
  cpuMsPerRequestRange: [number, number];
  /** Counted over a closed loop of its own (every request answered), not over the autocannon rounds. */
  upstreamCallsPerRequest: number;
  rounds: LoadFigures[];
}

/** What the scenario measured. */
export interface ListingFigures {
  query: string;
  hiveQuery: string | null;
  connections: number;
  roundS: number;
  rounds: number;
  upstreamLatencyMs: number;
  /** The fake's page validates against the spec's `GET /backups` 200 schema. */
  upstreamPageMatchesSpec: boolean;
  /** The floor's answer equals ours, byte for byte after JSON parsing. */
  floorAnswersIdentically: boolean;
  servers: ListingServerFigures[];
  /** ours rps / Hive rps (target ≥ 3). */
  rpsOursOverHive: number | null;
  /** ours CPU ms per request / the floor's (target ≤ 2.5). */
  cpuOursOverFloor: number;
}

const median = (xs: number[]) => {
  const s = [...xs].sort((a, b) => a - b);
  return s.length % 2 ? s[(s.length - 1) / 2] : (s[s.length / 2 - 1] + s[s.length / 2]) / 2;
};

/** Runs the listing scenario; resolves with its figures. */
export async function listingScenario(options: ListingOptions = {}): Promise<ListingFigures> {
  const { durationS = 10, warmupS = 3, rounds = 2, connections = 20, latencyMs = 0, first = 20, withoutHive = false, logLevel = 'warn', cpuProfileDir = process.env.BENCH_CPU_PROF_DIR || undefined, log = console.log } = options;
  const children: BenchChild[] = [];
  try {
    const fakePort = await freePort();
    const fake = startChild('norcube-fake', process.execPath, ['--import', 'tsx', join(REPO_ROOT, 'bench/upstream-fake.ts'), '--port', String(fakePort), '--latency-ms', String(latencyMs)], { cwd: REPO_ROOT });
    children.push(fake);
    const fakeUrl = `http://127.0.0.1:${fakePort}`;
    await waitForOk(`${fakeUrl}/__bench/stats`, fake);
    const page = await (await fetch(`${fakeUrl}/backups?limit=${first}`, { headers: { authorization: 'Bearer bench-token' } })).json();
    const specErrors = await checkAgainstSpec(page);
    if (specErrors.length > 0) log(`  WARNING: the fake's page does not validate against the spec: ${specErrors.slice(0, 3).join('; ')}`);

    const ours: GatewayChild = await startGateway({
      name: 'listing-gateway',
      providers: [{ kind: 'norcube', baseUrl: fakeUrl, credential: 'bench-token' }],
      logLevel,
      nodeArgs: cpuProfileDir ? ['--cpu-prof', '--cpu-prof-dir', cpuProfileDir] : [],
    });
    if (cpuProfileDir) log(`  profiling our gateway into ${cpuProfileDir} (written when it stops)`);
    children.push(ours);
    let hive: Awaited<ReturnType<typeof startHive>> | null = null;
    if (!withoutHive) {
      log('  starting Hive Gateway (compose + serve) ...');
      hive = await startHive(fakeUrl);
      children.push(hive);
    }

    const body = JSON.stringify({ query: LISTING_QUERY(first) });
    const hiveBody = JSON.stringify({ query: HIVE_LISTING_QUERY(first) });
    const oursAnswer = await postJson(ours.graphql, body);
    if (oursAnswer.errors) throw new Error(`the gateway answered the listing with errors: ${JSON.stringify(oursAnswer.errors).slice(0, 500)}`);
    const floorPort = await freePort();
    const floor = startChild('listing-floor', process.execPath, ['--import', 'tsx', join(REPO_ROOT, 'bench/floor.ts'), '--port', String(floorPort), '--upstream', fakeUrl, '--first', String(first), ...(oursAnswer.extensions ? ['--extensions', JSON.stringify(oursAnswer.extensions)] : [])], { cwd: REPO_ROOT });
    children.push(floor);
    const floorUrl = `http://127.0.0.1:${floorPort}`;
    await waitForOk(`${floorUrl}/graphql`, floor);
    // Same answer, or the comparison means nothing.
    const floorAnswer = await postJson(`${floorUrl}/graphql`, body);
    const identical = JSON.stringify(oursAnswer) === JSON.stringify(floorAnswer);
    if (!identical) log(`  WARNING: the floor's answer differs from ours (update bench/floor.ts to the gateway's mapping):\n    ours  ${JSON.stringify(oursAnswer.data.backups.nodes[0])}\n    floor ${JSON.stringify(floorAnswer.data?.backups?.nodes?.[0])}`);
    if (oursAnswer.data.backups.nodes.length !== first) log(`  WARNING: the gateway listed ${oursAnswer.data.backups.nodes.length} backups, not ${first}`);
    if (hive) {
      const h = await postJson(hive.graphql, hiveBody);
      if (h.errors || h.data?.backups?.list?.length !== first) throw new Error(`Hive Gateway's listing is not ${first} jobs: ${JSON.stringify(h).slice(0, 500)}`);
    }

    const servers = [
      { server: 'ours' as const, url: ours.graphql, body, pid: ours.pid },
      ...(hive ? [{ server: 'hive' as const, url: hive.graphql, body: hiveBody, pid: hive.pid }] : []),
      { server: 'floor' as const, url: `${floorUrl}/graphql`, body, pid: floor.pid },
    ];
    // autocannon abandons the requests in flight when its window ends: a short pause lets the
    // server finish them before the next window, and the upstream calls per request are counted
    // apart, over a closed loop where every request is answered.
    const settle = () => new Promise((r) => setTimeout(r, 300));
    const upstreamPerRequest = new Map<string, number>();
    for (const s of servers) {
      await runLoad({ url: s.url, body: s.body, connections, durationS: warmupS });
      await settle();
      await fetch(`${fakeUrl}/__bench/reset`, { method: 'POST' });
      const exact = await runClosedLoop({ url: s.url, body: s.body, connections: 4, durationS: 1 });
      const stats = (await (await fetch(`${fakeUrl}/__bench/stats`)).json()) as { total: number };
      upstreamPerRequest.set(s.server, round(stats.total / Math.max(1, exact.requests), 2));
    }
    const perServer = new Map(servers.map((s) => [s.server, [] as LoadFigures[]]));
    for (let r = 0; r < rounds; r++) {
      for (const s of servers) {
        const f = await runLoad({ url: s.url, body: s.body, connections, durationS, pid: s.pid });
        await settle();
        perServer.get(s.server)!.push(f);
        log(`  round ${r + 1} ${s.server.padEnd(5)} ${String(f.rps).padStart(6)} req/s  p50 ${f.p50Ms} ms  p99 ${f.p99Ms} ms  ${f.cpuMsPerRequest} CPU ms/req${f.non2xx || f.errors ? `  non-2xx ${f.non2xx} errors ${f.errors}` : ''}`);
      }
    }

    const figures: ListingServerFigures[] = servers.map((s) => {
      const rs = perServer.get(s.server)!;
      const requests = rs.reduce((n, x) => n + x.requests, 0);
      const seconds = rs.reduce((n, x) => n + x.durationS, 0);
      const cpu = rs.reduce((n, x) => n + x.cpuMs, 0);
      return {
        server: s.server,
        requests,
        non2xx: rs.reduce((n, x) => n + x.non2xx, 0),
        errors: rs.reduce((n, x) => n + x.errors, 0),
        rps: round(requests / seconds, 0),
        rpsRange: [Math.min(...rs.map((x) => x.rps)), Math.max(...rs.map((x) => x.rps))],
        p50Ms: median(rs.map((x) => x.p50Ms)),
        p99Ms: Math.max(...rs.map((x) => x.p99Ms)),
        cpuMsPerRequest: round(cpu / requests, 3),
        cpuMsPerRequestRange: [Math.min(...rs.map((x) => x.cpuMsPerRequest)), Math.max(...rs.map((x) => x.cpuMsPerRequest))],
        upstreamCallsPerRequest: upstreamPerRequest.get(s.server)!,
        rounds: rs,
      };
    });
    const by = (name: string) => figures.find((f) => f.server === name);
    const hiveFig = by('hive');
    return {
      query: LISTING_QUERY(first),
      hiveQuery: hive ? HIVE_LISTING_QUERY(first) : null,
      connections,
      roundS: durationS,
      rounds,
      upstreamLatencyMs: latencyMs,
      upstreamPageMatchesSpec: specErrors.length === 0,
      floorAnswersIdentically: identical,
      servers: figures,
      rpsOursOverHive: hiveFig ? round(by('ours')!.rps / hiveFig.rps, 2) : null,
      cpuOursOverFloor: round(by('ours')!.cpuMsPerRequest / by('floor')!.cpuMsPerRequest, 2),
    };
  } finally {
    await Promise.all(children.map((c) => c.stop()));
  }
}
