/**
 * The production build: `npm run build` (scripts/build.mjs) compiles the sources into a runnable
 * JavaScript tree, and `bin/backup-graph.js` runs it when it is current, else the sources.
 *
 * The build goes to a temporary folder outside the repository (never `dist/`), laid out as a
 * deployment without sources: `bin/`, `package.json`, `dist/` and `node_modules` (a link). With no
 * `src/` there, falling back to tsx is impossible, so an answer proves the compiled code served it.
 */
import { spawn, spawnSync } from 'node:child_process';
import { cpSync, existsSync, mkdirSync, mkdtempSync, readFileSync, readdirSync, rmSync, symlinkSync, utimesSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
// @ts-expect-error: plain JavaScript without types (the bin's own helper)
import { chooseEntry } from '../../bin/runtime.js';
import { stopChild } from '../utils/tcli.ts';
import { disposeAfterEach } from '../utils/leftovers.ts';

const ROOT = resolve(import.meta.dirname, '..', '..');
const repoHadDist = existsSync(join(ROOT, 'dist'));
let deploy: string;
let build: { status: number | null; out: string };

beforeAll(() => {
  deploy = mkdtempSync(join(tmpdir(), 'backup-graph-build-'));
  const run = spawnSync(process.execPath, ['scripts/build.mjs', '--out-dir', join(deploy, 'dist')], { cwd: ROOT, encoding: 'utf8' });
  build = { status: run.status, out: `${run.stdout}${run.stderr}` };
  cpSync(join(ROOT, 'bin'), join(deploy, 'bin'), { recursive: true });
  cpSync(join(ROOT, 'package.json'), join(deploy, 'package.json'));
  symlinkSync(join(ROOT, 'node_modules'), join(deploy, 'node_modules'), 'dir');
}, 240_000);
afterAll(() => rmSync(deploy, { recursive: true, force: true }));

/** Every file under `dir`, relative to it. */
const filesIn = (dir: string) => readdirSync(dir, { recursive: true, withFileTypes: true }).filter((e) => e.isFile()).map((e) => join(e.parentPath, e.name).slice(dir.length + 1));

describe('npm run build', () => {
  it('compiles every source to JavaScript with rewritten imports, with the SDL files beside it, and leaves no dist/ in the repository', () => {
    expect(build.status, build.out).toBe(0);
    const dist = join(deploy, 'dist');
    const files = filesIn(dist);
    const sources = filesIn(join(ROOT, 'src')).filter((f) => f.endsWith('.ts'));
    for (const f of sources) expect(files).toContain(`src/${f.replace(/\.ts$/, '.js')}`);
    for (const f of filesIn(join(ROOT, 'schema'))) expect(files).toContain(`schema/${f}`);
    for (const kind of ['bocada', 'bycloud', 'norcube', 'ocore']) expect(files).toContain(`src/providers/${kind}/schema.graphql`);
    expect(JSON.parse(readFileSync(join(dist, 'package.json'), 'utf8'))).toMatchObject({ type: 'module' });
    expect(JSON.parse(readFileSync(join(dist, 'build.json'), 'utf8'))).toMatchObject({ entry: 'src/server/cli.js', startedAtMs: expect.any(Number) });
    // No import of a `.ts` file is left (static or dynamic): node runs the tree as it is.
    const tsImports = files
      .filter((f) => f.endsWith('.js'))
      .filter((f) => /(?:from\s*|import\s*\(\s*)['"]\.{1,2}\/[^'"]+\.ts['"]/.test(readFileSync(join(dist, f), 'utf8')));
    expect(tsImports).toEqual([]);
    expect(existsSync(join(ROOT, 'dist'))).toBe(repoHadDist);
  });

  it('the bin runs the build: `serve` with the simulators answers a query, without the sources or tsx', async () => {
    expect(build.status, build.out).toBe(0);
    expect(existsSync(join(deploy, 'src'))).toBe(false);
    const child = spawn(process.execPath, [join(deploy, 'bin', 'backup-graph.js'), 'serve'], { cwd: deploy, env: { ...process.env, PORT: '0', BACKUP_GRAPH_DIST: '' }, stdio: 'pipe' });
    disposeAfterEach({ close: () => stopChild(child) });
    let out = '';
    let err = '';
    child.stderr.on('data', (d) => (err += d));
    const url = await new Promise<string>((resolveUrl, reject) => {
      child.stdout.on('data', (d) => {
        out += d;
        const m = out.match(/GraphiQL at (http:\/\/[^\s"]+)\/graphql/);
        if (m) resolveUrl(m[1]);
      });
      child.once('exit', (code) => reject(new Error(`exited ${code}: ${err || out}`)));
    });
    const res = await fetch(`${url}/graphql`, { method: 'POST', headers: { 'content-type': 'application/json' }, body: JSON.stringify({ query: '{ providers { id kind } jobs(first: 3) { nodes { id createdAt } } }' }) });
    const body = (await res.json()) as { data?: any; errors?: unknown };
    expect(body.errors).toBeUndefined();
    expect(body.data.providers.map((p: { id: string }) => p.id).sort()).toEqual(['bocada', 'bycloud', 'norcube', 'ocore']);
    expect(body.data.jobs.nodes.length).toBeGreaterThan(0);
    for (const j of body.data.jobs.nodes) expect(j.createdAt).toMatch(/^\d{4}-\d{2}-\d{2}T\d{2}:\d{2}:\d{2}\.\d{3}Z$/);
    expect(err).toBe('');
  }, 60_000);
});

describe('which code the bin runs', () => {
  /** A repository-like folder: `src/` and `schema/` files, and a build in `dist/` started at `builtAt` (ms). */
  function layout({ build: withBuild = true, entry = true, builtAt = 2_000_000_000_000 } = {}) {
    const root = mkdtempSync(join(tmpdir(), 'backup-graph-runtime-'));
    disposeAfterEach({ close: async () => rmSync(root, { recursive: true, force: true }) });
    for (const f of ['src/server/cli.ts', 'schema/query.graphql']) {
      mkdirSync(join(root, f, '..'), { recursive: true });
      writeFileSync(join(root, f), '');
      utimesSync(join(root, f), (builtAt - 60_000) / 1000, (builtAt - 60_000) / 1000);
    }
    if (withBuild) {
      mkdirSync(join(root, 'dist', 'src', 'server'), { recursive: true });
      writeFileSync(join(root, 'dist', 'build.json'), JSON.stringify({ startedAtMs: builtAt, entry: 'src/server/cli.js' }));
      if (entry) writeFileSync(join(root, 'dist', 'src', 'server', 'cli.js'), '');
    }
    /** Marks `file` as changed at `at` (ms). */
    const touch = (file: string, at: number) => utimesSync(join(root, file), at / 1000, at / 1000);
    return { root, touch };
  }

  it('the build, while no source or SDL file changed since it started', () => {
    const { root } = layout();
    expect(chooseEntry({ root })).toEqual({ kind: 'dist', entry: join(root, 'dist', 'src', 'server', 'cli.js') });
  });

  it('the sources, saying why, once a source or an SDL file is newer than the build', () => {
    for (const file of ['src/server/cli.ts', 'schema/query.graphql']) {
      const { root, touch } = layout();
      touch(file, 2_000_000_000_000 + 1000);
      expect(chooseEntry({ root })).toEqual({ kind: 'sources', entry: join(root, 'src', 'server', 'cli.ts'), note: expect.stringContaining('older than the sources') });
    }
  });

  it('the sources, silently, without a build; saying why when the build is incomplete', () => {
    const none = layout({ build: false });
    expect(chooseEntry({ root: none.root })).toEqual({ kind: 'sources', entry: join(none.root, 'src', 'server', 'cli.ts') });
    const broken = layout({ entry: false });
    expect(chooseEntry({ root: broken.root })).toMatchObject({ kind: 'sources', note: expect.stringContaining('has no src/server/cli.js') });
  });

  it('a build elsewhere when BACKUP_GRAPH_DIST (or `dist`) names it', () => {
    const { root } = layout();
    const other = layout();
    expect(chooseEntry({ root, dist: join(other.root, 'dist') })).toEqual({ kind: 'dist', entry: join(other.root, 'dist', 'src', 'server', 'cli.js') });
  });
});
