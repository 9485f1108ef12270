/**
 * The `backup-graph` command:
 *   backup-graph serve [--config FILE] [--port N]   the gateway (no config: the four simulators in-process)
 *   backup-graph simulate [--port-base N] [--scale K]   the four simulators alone
 */
import { parseArgs } from 'node:util';
import pino from 'pino';
import { ConfigError, gatewayOptionsFrom, loadConfigFile, providerOptionsFrom } from './config.ts';
import { createGateway, type GatewayOptions } from './gateway.ts';
import type { StartedSimulators } from '../simulators/start-all.ts';

const USAGE = `usage:
  backup-graph serve [--config FILE] [--port N]
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
  const { values } = parseArgs({ args, options: { config: { type: 'string' }, port: { type: 'string' } }, strict: true });
  const logger = pino({ level: process.env.LOG_LEVEL ?? 'info' });
  const port = intOption(values.port, 'port', 0, 65535) ?? intOption(process.env.PORT, 'port (PORT)', 0, 65535) ?? 4000;
  let providers;
  let configured: Omit<GatewayOptions, 'logger' | 'providers'> = {};
  let simulators: StartedSimulators | undefined;
  if (values.config) {
    try {
      const config = loadConfigFile(values.config);
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
  }
  const gateway = createGateway({ ...configured, providers, logger });
  let url: string;
  try {
    ({ url } = await gateway.listen(port, process.env.HOST ?? '127.0.0.1'));
  } catch (e) {
    await simulators?.close();
    fail(`cannot listen on port ${port}: ${(e as NodeJS.ErrnoException).code ?? (e as Error).message}`);
  }
  logger.info(`Backup Graph is ready: GraphiQL at ${url}/graphql`);
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
