#!/usr/bin/env node
/**
 * `pretest`: makes sure the browser tests have a Chromium to drive, so `npm ci && npm test` works on
 * a fresh machine. Uses `CHROMIUM_PATH` when set, else Debian's `/usr/bin/chromium`, installing the
 * `chromium` package when it is missing and this runs as root with apt-get. Otherwise it stops at
 * once with one line that says what to install or set: the browser tests never skip.
 */
import { accessSync, constants } from 'node:fs';
import { spawnSync } from 'node:child_process';

const DEFAULT_PATH = '/usr/bin/chromium';

const isExecutable = (path) => {
  try {
    accessSync(path, constants.X_OK);
    return true;
  } catch {
    return false;
  }
};

function fail(message) {
  process.stderr.write(`ensure-chromium: ${message}\n`);
  process.exit(1);
}

const configured = process.env.CHROMIUM_PATH;
if (configured) {
  if (!isExecutable(configured)) fail(`CHROMIUM_PATH=${configured} is not an executable file; point it at a Chromium binary`);
  process.exit(0);
}
if (isExecutable(DEFAULT_PATH)) process.exit(0);

const isRoot = typeof process.getuid === 'function' && process.getuid() === 0;
const hasApt = spawnSync('sh', ['-c', 'command -v apt-get'], { stdio: 'ignore' }).status === 0;
if (!isRoot || !hasApt) {
  fail(`no Chromium at ${DEFAULT_PATH}: install Debian's package (sudo apt-get install chromium) or set CHROMIUM_PATH to a Chromium binary`);
}

process.stderr.write(`ensure-chromium: ${DEFAULT_PATH} is missing; installing Debian's chromium package (once per machine)\n`);
const env = { ...process.env, DEBIAN_FRONTEND: 'noninteractive' };
for (const args of [['update', '-qq'], ['install', '-y', '-qq', '--no-install-recommends', 'chromium']]) {
  const r = spawnSync('apt-get', args, { stdio: ['ignore', 'ignore', 'inherit'], env });
  if (r.status !== 0) fail(`apt-get ${args.join(' ')} failed (exit ${r.status}); install chromium by hand or set CHROMIUM_PATH`);
}
if (!isExecutable(DEFAULT_PATH)) fail(`the chromium package installed but ${DEFAULT_PATH} is missing; set CHROMIUM_PATH`);
