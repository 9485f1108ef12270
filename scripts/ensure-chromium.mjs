#!/usr/bin/env node
/**
 * `pretest`: makes sure the browser tests have a Chromium to drive, so `npm ci && npm test` works on
 * a fresh machine. Uses `CHROMIUM_PATH` when set, else Debian's `/usr/bin/chromium`, installing the
 * `chromium` package when it is missing and this runs as root with apt-get. Otherwise it stops at
 * once with one line that says what to install or set: the browser tests never skip.
 */
import { constants } from 'node:fs';
import { canInstallPackages, hasFile, installPackage } from './debian-package.mjs';

const DEFAULT_PATH = '/usr/bin/chromium';

const isExecutable = (path) => hasFile(path, constants.X_OK);

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

if (!canInstallPackages()) {
  fail(`no Chromium at ${DEFAULT_PATH}: install Debian's package (sudo apt-get install chromium) or set CHROMIUM_PATH to a Chromium binary`);
}

process.stderr.write(`ensure-chromium: ${DEFAULT_PATH} is missing; installing Debian's chromium package (once per machine)\n`);
const failed = installPackage('chromium', ['--no-install-recommends']);
if (failed) fail(`${failed}; install chromium by hand or set CHROMIUM_PATH`);
if (!isExecutable(DEFAULT_PATH)) fail(`the chromium package installed but ${DEFAULT_PATH} is missing; set CHROMIUM_PATH`);
