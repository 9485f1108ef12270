/**
 * The Hive Gateway peer of the listing scenario: GraphQL Mesh's OpenAPI source
 * (`@omnigraph/openapi` through `@graphql-mesh/compose-cli`) over specs/norcube-snapdb.openapi.json,
 * composed to a supergraph pointing at the bench's upstream fake, served by the `hive-gateway` CLI
 * (one process, `--fork 1`). A peer to measure against, never a dependency of the product: its
 * pinned packages live in bench/peers/hive/ (own package.json and package-lock.json) and are
 * installed on first use with `npm ci --prefix bench/peers/hive`.
 */
import { execFileSync } from 'node:child_process';
import { existsSync, mkdirSync } from 'node:fs';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { BENCH_LOG_DIR, freePort, startChild, waitForOk, type BenchChild } from '../lib/proc.ts';

/** bench/peers/hive/ */
export const HIVE_DIR = fileURLToPath(new URL('./hive/', import.meta.url));
const HIVE_BIN = join(HIVE_DIR, 'node_modules/@graphql-hive/gateway/dist/bin.js');
const COMPOSE_BIN = join(HIVE_DIR, 'node_modules/@graphql-mesh/compose-cli/esm/bin.js');

/**
 * The Norcube listing as Hive Gateway's generated schema spells it: the spec's `GET /backups`
 * (no operationId) becomes `Query.backups`, answering a union of the 200 body and the error shape.
 * The same page, the same twenty jobs, the fields the gateway's listing reads.
 */
export const HIVE_LISTING_QUERY = (first: number) =>
  `{ backups(limit: ${first}) { ... on backups_200_response { list { jobId datasourceId datasourceName jobStatus jobCreatedAt jobBytesWritten } } } }`;

/** Installs the peer's pinned packages when its node_modules is missing (`npm ci`, about a minute). */
export function ensureHiveInstalled(log: (line: string) => void = console.log): void {
  if (existsSync(HIVE_BIN) && existsSync(COMPOSE_BIN)) return;
  log(`installing the Hive Gateway peer (npm ci --prefix ${HIVE_DIR}) ...`);
  execFileSync('npm', ['ci', '--prefix', HIVE_DIR, '--no-audit', '--no-fund', '--loglevel', 'error'], { stdio: 'inherit' });
  if (!existsSync(HIVE_BIN)) throw new Error(`npm ci did not install ${HIVE_BIN}`);
}

/** Composes the supergraph with the Norcube source at `norcubeUrl`; answers the file written. */
export function composeSupergraph(norcubeUrl: string): string {
  mkdirSync(BENCH_LOG_DIR, { recursive: true });
  const out = join(BENCH_LOG_DIR, 'hive-supergraph.graphql');
  execFileSync(process.execPath, [COMPOSE_BIN, '-o', out], { cwd: HIVE_DIR, env: { ...process.env, NORCUBE_URL: norcubeUrl }, stdio: ['ignore', 'ignore', 'pipe'] });
  return out;
}

/** A running Hive Gateway. */
export interface HiveChild extends BenchChild {
  url: string;
  graphql: string;
}

/** Composes against `norcubeUrl` and starts Hive Gateway; resolves once it answers a query. */
export async function startHive(norcubeUrl: string): Promise<HiveChild> {
  ensureHiveInstalled();
  const supergraph = composeSupergraph(norcubeUrl);
  const port = await freePort();
  const child = startChild('hive-gateway', process.execPath, [HIVE_BIN, 'supergraph', supergraph, '--port', String(port), '--host', '127.0.0.1', '--fork', '1'], {
    cwd: HIVE_DIR,
    env: { ...process.env, NODE_ENV: 'production', LOG_LEVEL: 'warn' },
  });
  const url = `http://127.0.0.1:${port}`;
  try {
    await waitForOk(`${url}/graphql`, child, {
      timeoutMs: 120_000, everyMs: 100,
      init: { method: 'POST', headers: { 'content-type': 'application/json' }, body: JSON.stringify({ query: '{ __typename }' }) },
    });
  } catch (e) {
    await child.stop();
    throw e;
  }
  return { ...child, url, graphql: `${url}/graphql` };
}
