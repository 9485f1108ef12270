/**
 * What the test scripts need to bring a Debian package onto a fresh machine: a file check, and an
 * apt-get install that runs only as root where apt-get exists.
 */
import { accessSync, constants } from 'node:fs';
import { spawnSync } from 'node:child_process';

/** True when `path` exists with the access `mode` (default: readable). */
export function hasFile(path, mode = constants.R_OK) {
  try {
    accessSync(path, mode);
    return true;
  } catch {
    return false;
  }
}

/** True when this process may install Debian packages (root, apt-get on PATH). */
export function canInstallPackages() {
  const isRoot = typeof process.getuid === 'function' && process.getuid() === 0;
  return isRoot && spawnSync('sh', ['-c', 'command -v apt-get'], { stdio: 'ignore' }).status === 0;
}

/** Installs `pkg` with apt-get (update first); answers the failing step's description, or null when it went through. */
export function installPackage(pkg, extraArgs = []) {
  const env = { ...process.env, DEBIAN_FRONTEND: 'noninteractive' };
  for (const args of [['update', '-qq'], ['install', '-y', '-qq', ...extraArgs, pkg]]) {
    const r = spawnSync('apt-get', args, { stdio: ['ignore', 'ignore', 'inherit'], env });
    if (r.status !== 0) return `apt-get ${args.join(' ')} failed (exit ${r.status})`;
  }
  return null;
}
