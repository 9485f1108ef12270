// Which code `backup-graph` runs: the production build when there is a current one, else the
// TypeScript sources through tsx (see README "Production").
import { existsSync, readFileSync, readdirSync, statSync } from 'node:fs';
import { dirname, join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';

/** The repository (or installed package) this bin belongs to. */
export const ROOT = resolve(dirname(fileURLToPath(import.meta.url)), '..');

/** The newest modification time (ms) of any file under `dir`, 0 when there is none. */
function newestIn(dir) {
  if (!existsSync(dir)) return 0;
  let newest = 0;
  for (const entry of readdirSync(dir, { withFileTypes: true, recursive: true })) {
    if (entry.isFile()) newest = Math.max(newest, statSync(join(entry.parentPath ?? entry.path, entry.name)).mtimeMs);
  }
  return newest;
}

/**
 * The entry to run. The build in `dist` (`BACKUP_GRAPH_DIST`, default `<root>/dist`) runs when its
 * `build.json` is there and no file in `<root>/src` or `<root>/schema` changed since that build
 * started (a deployment without the sources always runs it); otherwise the sources do, through
 * tsx. `note` says why a build that exists was not used.
 * @returns {{ kind: 'dist' | 'sources', entry: string, note?: string }}
 */
export function chooseEntry({ root = ROOT, dist = process.env.BACKUP_GRAPH_DIST ? resolve(process.env.BACKUP_GRAPH_DIST) : join(root, 'dist') } = {}) {
  const sources = { kind: 'sources', entry: join(root, 'src', 'server', 'cli.ts') };
  let build;
  try {
    build = JSON.parse(readFileSync(join(dist, 'build.json'), 'utf8'));
  } catch {
    return sources; // never built (or not completely): the development case, said nothing about
  }
  const entry = join(dist, build.entry ?? 'src/server/cli.js');
  if (!existsSync(entry)) return { ...sources, note: `${dist} has no ${build.entry}: running the TypeScript sources (npm run build to rebuild)` };
  const changed = Math.max(newestIn(join(root, 'src')), newestIn(join(root, 'schema')));
  if (changed > Number(build.startedAtMs ?? 0)) return { ...sources, note: `${dist} is older than the sources: running them through tsx (npm run build to refresh it)` };
  return { kind: 'dist', entry };
}
