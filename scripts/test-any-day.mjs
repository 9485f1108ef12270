#!/usr/bin/env node
/**
 * `npm run test:any-day`: the whole vitest suite with the machine's clock moved ahead by 90 and by
 * 400 days (libfaketime, Debian package `faketime`, installed when missing and running as root).
 * Proves no test depends on today's date. Exit code: the first failing run's, else 0.
 */
import { spawnSync } from 'node:child_process';
import { canInstallPackages, hasFile, installPackage } from './debian-package.mjs';

const LIB = '/usr/lib/x86_64-linux-gnu/faketime/libfaketime.so.1';
const OFFSETS = (process.env.ANY_DAY_OFFSETS ?? '+90d,+400d').split(',');

if (!hasFile(LIB)) {
  if (!canInstallPackages()) {
    process.stderr.write(`test-any-day: ${LIB} is missing: install Debian's faketime package (sudo apt-get install faketime)\n`);
    process.exit(1);
  }
  const failed = installPackage('faketime');
  if (failed) {
    process.stderr.write(`test-any-day: ${failed}\n`);
    process.exit(1);
  }
}

for (const offset of OFFSETS) {
  const env = { ...process.env, FAKETIME: offset, LD_PRELOAD: LIB };
  const shown = spawnSync('node', ['-e', 'process.stdout.write(new Date().toISOString())'], { env, encoding: 'utf8' }).stdout;
  process.stdout.write(`\n== vitest with the clock at ${offset} (${shown}) ==\n`);
  const r = spawnSync('npx', ['vitest', 'run'], { env, stdio: 'inherit' });
  if (r.status !== 0) process.exit(r.status ?? 1);
}
