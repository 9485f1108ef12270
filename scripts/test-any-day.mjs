#!/usr/bin/env node
/**
 * `npm run test:any-day`: the whole vitest suite with the machine's clock moved ahead by 90 and by
 * 400 days (libfaketime, Debian package `faketime`, installed when missing and running as root).
 * Proves no test depends on today's date. Exit code: the first failing run's, else 0.
 */
import { accessSync, constants } from 'node:fs';
import { spawnSync } from 'node:child_process';

const LIB = '/usr/lib/x86_64-linux-gnu/faketime/libfaketime.so.1';
const OFFSETS = (process.env.ANY_DAY_OFFSETS ?? '+90d,+400d').split(',');

const exists = (p) => {
  try {
    accessSync(p, constants.R_OK);
    return true;
  } catch {
    return false;
  }
};

if (!exists(LIB)) {
  const isRoot = typeof process.getuid === 'function' && process.getuid() === 0;
  if (!isRoot) {
    process.stderr.write(`test-any-day: ${LIB} is missing: install Debian's faketime package (sudo apt-get install faketime)\n`);
    process.exit(1);
  }
  const env = { ...process.env, DEBIAN_FRONTEND: 'noninteractive' };
  for (const args of [['update', '-qq'], ['install', '-y', '-qq', 'faketime']]) {
    if (spawnSync('apt-get', args, { stdio: ['ignore', 'ignore', 'inherit'], env }).status !== 0) process.exit(1);
  }
}

for (const offset of OFFSETS) {
  const env = { ...process.env, FAKETIME: offset, LD_PRELOAD: LIB };
  const shown = spawnSync('node', ['-e', 'process.stdout.write(new Date().toISOString())'], { env, encoding: 'utf8' }).stdout;
  process.stdout.write(`\n== vitest with the clock at ${offset} (${shown}) ==\n`);
  const r = spawnSync('npx', ['vitest', 'run'], { env, stdio: 'inherit' });
  if (r.status !== 0) process.exit(r.status ?? 1);
}
