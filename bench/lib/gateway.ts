/**
 * Backup Graph as production runs it, in a child process: `node bin/backup-graph.js serve --config
 * <generated yaml> --port <free port>`, the config pointing at upstreams of the bench (the Norcube
 * fake, or the simulators in their own process). Whether the bin runs `dist/` or the TypeScript
 * sources through tsx is reported by {@link gatewayBuildMode}.
 */
import { existsSync, mkdirSync, readdirSync, statSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { fileURLToPath, pathToFileURL } from 'node:url';
import { stringify } from 'yaml';
import { BENCH_LOG_DIR, freePort, startChild, waitForOk, type BenchChild } from './proc.ts';

/** The repository root. */
export const REPO_ROOT = fileURLToPath(new URL('../../', import.meta.url));
const BIN = join(REPO_ROOT, 'bin/backup-graph.js');

/** One upstream the gateway is configured with (config id = kind). */
export interface UpstreamProvider {
  kind: 'bocada' | 'norcube' | 'bycloud' | 'ocore';
  baseUrl: string;
  credential: string;
}

/** Options of {@link startGateway}. */
export interface StartGatewayOptions {
  providers: UpstreamProvider[];
  /** Child name (log file name). @default 'gateway' */
  name?: string;
  /** LOG_LEVEL of the gateway (`info` writes an access line per request). @default 'warn' */
  logLevel?: string;
  /** Extra top-level config sections (e.g. `upstream: { connections: 64 }`), merged over the defaults. */
  config?: Record<string, unknown>;
  /**
   * Node flags before the bin (e.g. `['--cpu-prof', '--cpu-prof-dir', dir]`, which NODE_OPTIONS refuses);
   * `BENCH_GATEWAY_NODE_ARGS` (space-separated, e.g. `--max-semi-space-size=32`) adds to them, for
   * every gateway the bench starts but the fan-out one (`FANOUT_GATEWAY_NODE_ARGS`). @default []
   */
  nodeArgs?: string[];
}

/** A running gateway child. */
export interface GatewayChild extends BenchChild {
  url: string;
  /** `${url}/graphql` */
  graphql: string;
  /** performance.now() of the first 200 on /healthz. */
  readyAt: number;
  configFile: string;
}

/**
 * The config the bench serves with: anonymous readers (no credential checks on the hot path, as
 * an internal dashboard would run), the providers' outbound rate budgets off (the upstreams are the
 * bench's own), everything else the product's defaults.
 */
export function gatewayConfig(providers: UpstreamProvider[], extra: Record<string, unknown> = {}): Record<string, unknown> {
  return {
    access: { anonymous: 'reader' },
    providers: providers.map((p) => ({
      id: p.kind,
      kind: p.kind,
      baseUrl: p.baseUrl,
      auth: p.kind === 'bocada' ? { apiKey: p.credential } : { token: p.credential },
      rateLimit: 'none',
    })),
    ...extra,
  };
}

/** Starts the gateway through its CLI; resolves once /healthz answers 200. */
export async function startGateway(options: StartGatewayOptions): Promise<GatewayChild> {
  const { providers, name = 'gateway', logLevel = 'warn', config = {} } = options;
  const nodeArgs = [...(options.nodeArgs ?? []), ...(process.env.BENCH_GATEWAY_NODE_ARGS?.split(' ').filter(Boolean) ?? [])];
  mkdirSync(BENCH_LOG_DIR, { recursive: true });
  const configFile = join(BENCH_LOG_DIR, `${name}.yaml`);
  writeFileSync(configFile, stringify(gatewayConfig(providers, config)));
  const port = await freePort();
  const child = startChild(name, process.execPath, [...nodeArgs, BIN, 'serve', '--config', configFile, '--port', String(port)], {
    cwd: REPO_ROOT,
    env: { ...process.env, LOG_LEVEL: logLevel, HOST: '127.0.0.1', NODE_ENV: 'production' },
  });
  const url = `http://127.0.0.1:${port}`;
  try {
    const readyAt = await waitForOk(`${url}/healthz`, child);
    return { ...child, url, graphql: `${url}/graphql`, readyAt, configFile };
  } catch (e) {
    await child.stop();
    throw e;
  }
}

/** The newest modification time under `dir` (ms), or 0. */
function newestMtime(dir: string, ext: RegExp, depth = 6): number {
  let newest = 0;
  for (const entry of readdirSync(dir, { withFileTypes: true })) {
    const p = join(dir, entry.name);
    if (entry.isDirectory() && depth > 0 && entry.name !== 'node_modules') newest = Math.max(newest, newestMtime(p, ext, depth - 1));
    else if (entry.isFile() && ext.test(entry.name)) newest = Math.max(newest, statSync(p).mtimeMs);
  }
  return newest;
}

/**
 * What `bin/backup-graph.js` will run: `dist` (the `npm run build` output) or `tsx` (the
 * TypeScript sources transpiled at start-up), asked of the bin's own rule (`chooseEntry` of
 * bin/runtime.js) when it has one; `note` is its reason for not running a build that exists.
 * Without that module: `dist` when a `dist/` with JavaScript exists.
 */
export async function gatewayBuildMode(): Promise<{ mode: 'dist' | 'tsx'; note: string | null }> {
  const runtime = join(REPO_ROOT, 'bin/runtime.js');
  if (existsSync(runtime)) {
    const { chooseEntry } = await import(pathToFileURL(runtime).href);
    const choice = chooseEntry() as { kind: string; note?: string };
    return { mode: choice.kind === 'dist' ? 'dist' : 'tsx', note: choice.note ?? null };
  }
  const dist = join(REPO_ROOT, 'dist');
  return { mode: existsSync(dist) && newestMtime(dist, /\.js$/) > 0 ? 'dist' : 'tsx', note: null };
}
