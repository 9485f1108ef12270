#!/usr/bin/env node
/**
 * `npm run build [-- --out-dir DIR]`: the production build. Compiles `src/` to JavaScript with
 * `tsconfig.build.json` (relative `.ts` imports rewritten to `.js`), into DIR (default `dist/`) laid
 * out like the repository, so the compiled code finds its files where the sources do:
 *   DIR/src/**.js        the compiled sources (with source maps)
 *   DIR/src/**.graphql   each provider's SDL (loaded through `new URL('./schema.graphql', import.meta.url)`)
 *   DIR/schema/*.graphql the unified SDL (read from `<root>/schema`)
 *   DIR/package.json     `"type": "module"`, so DIR runs wherever it is copied (beside node_modules)
 *   DIR/build.json       when and from what it was built; `bin/backup-graph.js` runs DIR only while
 *                        no file in `src/` or `schema/` changed since the build started.
 * GraphiQL's assets are read from `@graphql-yoga/graphiql` in node_modules at run time: nothing to copy.
 * DIR is emptied first. A type error fails the build (exit 1) and leaves no build.json behind.
 */
import { spawnSync } from 'node:child_process';
import { cpSync, mkdirSync, readdirSync, rmSync, writeFileSync } from 'node:fs';
import { createRequire } from 'node:module';
import { dirname, join, relative, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import { parseArgs } from 'node:util';

const root = resolve(dirname(fileURLToPath(import.meta.url)), '..');
const { values } = parseArgs({ options: { 'out-dir': { type: 'string' } }, strict: true });
const outDir = resolve(root, values['out-dir'] ?? 'dist');
// DIR is emptied first: never the repository itself, a folder holding it, or one of its source folders.
const inside = (dir, parent) => !relative(parent, dir).startsWith('..') && !/^[a-zA-Z]:|^\//.test(relative(parent, dir));
const PROTECTED = ['src', 'schema', 'test', 'bin', 'scripts', 'bench', 'specs', 'node_modules', '.git'];
if (inside(root, outDir) || PROTECTED.some((d) => inside(outDir, join(root, d)))) {
  console.error(`build: refusing to build into ${outDir} (it would be emptied first)`);
  process.exit(2);
}

const startedAtMs = Date.now();
rmSync(outDir, { recursive: true, force: true });
const tsc = createRequire(import.meta.url).resolve('typescript/bin/tsc');
const compiled = spawnSync(process.execPath, [tsc, '-p', join(root, 'tsconfig.build.json'), '--outDir', outDir], { cwd: root, stdio: 'inherit' });
if (compiled.status !== 0) {
  console.error(`build: tsc failed (exit ${compiled.status ?? compiled.signal}); ${relative(root, outDir) || outDir} is not runnable`);
  process.exit(1);
}

/** Copies every `.graphql` file under `from` to the same place under `to`. */
function copySdl(from, to) {
  for (const entry of readdirSync(from, { withFileTypes: true, recursive: true })) {
    if (!entry.isFile() || !entry.name.endsWith('.graphql')) continue;
    const source = join(entry.parentPath ?? entry.path, entry.name);
    const target = join(to, relative(from, source));
    mkdirSync(dirname(target), { recursive: true });
    cpSync(source, target);
  }
}
copySdl(join(root, 'src'), join(outDir, 'src'));
copySdl(join(root, 'schema'), join(outDir, 'schema'));
writeFileSync(join(outDir, 'package.json'), `${JSON.stringify({ private: true, type: 'module' }, null, 2)}\n`);
const { version: typescript } = createRequire(import.meta.url)('typescript/package.json');
writeFileSync(join(outDir, 'build.json'), `${JSON.stringify({ builtAt: new Date().toISOString(), startedAtMs, node: process.version, typescript, entry: 'src/server/cli.js' }, null, 2)}\n`);
console.log(`build: ${relative(root, outDir).startsWith("..") ? outDir : relative(root, outDir)}/ ready (bin/backup-graph.js runs it while it is current)`);
