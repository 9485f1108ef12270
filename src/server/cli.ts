/**
 * The `backup-graph` command:
 *   backup-graph serve [--config FILE] [--port N] [--demo-auth]   the gateway (no config: the four simulators
 *     in-process, open, or with one generated API key per role with --demo-auth; a config must have `access`)
 *   backup-graph simulate [--port-base N] [--scale K]   the four simulators alone
 */
import { parseArgs } from 'node:util';
import type { Logger } from 'pino';
import { ConfigError, gatewayOptionsFrom, loadConfigFile, providerOptionsFrom } from './config.ts';
import { createGateway, type GatewayOptions } from './gateway.ts';
import { generateApiKey, hashApiKey } from '../access/api-keys.ts';
import type { Role } from '../access/caller.ts';
import { createGatewayLogger } from './logger.ts';
import type { StartedSimulators } from '../simulators/start-all.ts';

const USAGE = `usage:
  backup-graph serve [--config FILE] [--port N] [--demo-auth]
  backup-graph simulate [--port-base N] [--scale K]`;

/** The test bed, loaded only when the demo (no --config) or `simulate` asks for it. */
const loadSimulators = () => import('../simulators/start-all.ts');

function fail(message: string): never {
  process.stderr.write(`backup-graph: ${message}\n`);
  process.exit(2);
}

function intOption(value: string | undefined, name: string, min: number, max: number): number | undefined {
  if (value === undefined) return undefined;
  if (!/^\d+$/.test(value) || Number(value) < min || Number(value) > max) fail(`--${name} must be an integer from ${min} to ${max}`);
  return Number(value);
}

/**
 * On SIGINT/SIGTERM runs `close` once, then exits with the code it resolves to (0 when it resolves
 * nothing, 1 when it throws); a second signal exits 1 at once.
 */
function onShutdown(close: () => Promise<number | void>) {
  let closing = false;
  for (const signal of ['SIGINT', 'SIGTERM'] as const) {
    process.on(signal, () => {
      if (closing) process.exit(1);
      closing = true;
      close().then(
        (code) => process.exit(code ?? 0),
        () => process.exit(1),
      );
    });
  }
}

async function serve(args: string[]) {
  const { values } = parseArgs({ args, options: { config: { type: 'string' }, port: { type: 'string' }, 'demo-auth': { type: 'boolean' } }, strict: true });
  if (values['demo-auth'] && values.config) fail('--demo-auth is for the embedded demo (without --config); a config file has its own access section');
  // JSON lines at LOG_LEVEL (absent: info), secrets redacted; a level that is not one stops here, exit 2.
  let logger: Logger;
  try {
    logger = createGatewayLogger({ level: process.env.LOG_LEVEL });
  } catch (e) {
    if (e instanceof ConfigError) fail(e.message);
    throw e;
  }
  const port = intOption(values.port, 'port', 0, 65535) ?? intOption(process.env.PORT, 'port (PORT)', 0, 65535) ?? 4000;
  let providers;
  let configured: Omit<GatewayOptions, 'logger' | 'providers'> = {};
  let simulators: StartedSimulators | undefined;
  let demoKeys: Array<{ role: Role; key: string }> | undefined;
  if (values.config) {
    try {
      const config = loadConfigFile(values.config);
      // Secure by default: a real deployment without access control is refused, not served open.
      if (!config.access) {
        fail(
          `refusing to start: ${values.config} has no "access" section, so anyone who can reach the gateway could read every tenant's backups, restore over them and delete them.\n` +
            '  Add access.apiKeys and/or access.jwt (see README "Access control"), or set "access: { anonymous: reader }" to serve reads without credentials on purpose.',
        );
      }
      providers = providerOptionsFrom(config);
      configured = gatewayOptionsFrom(config);
    } catch (e) {
      if (e instanceof ConfigError) fail(e.message);
      throw e;
    }
  } else {
    const { startAllSimulators } = await loadSimulators();
    simulators = await startAllSimulators();
    providers = simulators.list.map((s) => s.provider);
    logger.info({ simulators: simulators.list.map((s) => ({ kind: s.kind, url: s.simulator.url })) }, 'no --config: serving the built-in provider simulators');
    // The demo's resources have a target even without schedules: a day, as most backup plans run.
    configured = { insight: { rpo: { defaultSeconds: 86_400 } } };
    if (values['demo-auth']) {
      // One generated key per role, printed once below (never logged); GraphiQL stays on for the demo.
      demoKeys = (['reader', 'operator', 'admin'] as const).map((role) => ({ role, key: generateApiKey() }));
      configured = { ...configured, access: { apiKeys: demoKeys.map((k) => ({ id: `demo-${k.role}`, sha256: hashApiKey(k.key), role: k.role })) }, graphiql: true, introspection: true, fieldSuggestions: true };
    }
  }
  const gateway = createGateway({ ...configured, providers, logger });
  let url: string;
  try {
    ({ url } = await gateway.listen(port, process.env.HOST ?? '127.0.0.1'));
  } catch (e) {
    await simulators?.close();
    fail(`cannot listen on port ${port}: ${(e as NodeJS.ErrnoException).code ?? (e as Error).message}`);
  }
  if (demoKeys) {
    const rows = demoKeys.map((k) => `  ${k.role.padEnd(9)} Authorization: Bearer ${k.key}`).join('\n');
    process.stdout.write(`Demo API keys (one per role; enter one in GraphiQL's Headers tab as {"Authorization": "Bearer <key>"}):\n${rows}\n`);
  }
  const mode = configured.access
    ? demoKeys ? 'access control on: every request needs one of the demo keys above' : 'access control on'
    : 'OPEN: no access control, every caller is admin (embedded demo only; `--demo-auth` for keys)';
  logger.info(`Backup Graph is ready: GraphiQL at ${url}/graphql (${mode})`);
  // Graceful: not ready at once, in-flight work finishes, subscribers get `complete`; exit 0 when clean.
  onShutdown(async () => {
    const { forced } = await gateway.drain();
    await simulators?.close();
    return forced ? 1 : 0;
  });
}

async function simulate(args: string[]) {
  const { values } = parseArgs({ args, options: { 'port-base': { type: 'string' }, scale: { type: 'string' } }, strict: true });
  const portBase = intOption(values['port-base'], 'port-base', 1, 65530) ?? 4100;
  const scale = intOption(values.scale, 'scale', 1, 1000) ?? 1;
  const { startAllSimulators } = await loadSimulators();
  const sims = await startAllSimulators({ portBase, scale }).catch((e) => fail(`cannot start simulators: ${(e as Error).message}`));
  const rows = sims.list.map((s) => `  ${s.kind.padEnd(8)} ${s.simulator.url.padEnd(26)} ${s.kind === 'bocada' ? 'X-Api-Key' : 'Authorization: Bearer'} ${s.simulator.credential}`);
  process.stdout.write(`Provider simulators running (scale ${scale}); Ctrl-C stops them.\n  kind     base URL                   credential\n${rows.join('\n')}\n`);
  onShutdown(() => sims.close());
}

/** Runs the CLI with `argv` (without node and script). */
export async function main(argv: string[]): Promise<void> {
  const [command, ...rest] = argv;
  try {
    if (command === 'serve') return await serve(rest);
    if (command === 'simulate') return await simulate(rest);
  } catch (e) {
    if ((e as { code?: string }).code?.startsWith('ERR_PARSE_ARGS')) fail(`${(e as Error).message}\n${USAGE}`);
    throw e;
  }
  if (command === undefined || command === '--help' || command === 'help') {
    process.stdout.write(`${USAGE}\n`);
    return;
  }
  fail(`unknown command "${command}"\n${USAGE}`);
}
