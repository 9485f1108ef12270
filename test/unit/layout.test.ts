/**
 * The house rules of the tree, checked on the sources: the product never loads the test bed,
 * `upstream/` and `domain/` know no provider, no layer shares an untyped per-request bag, resolvers
 * need no casts. The start-up check follows every runtime import (not `import type`, not a dynamic
 * `import()`) from the CLI entry, which is exactly what `serve --config` loads before it listens.
 */
import { readFileSync, readdirSync, statSync } from 'node:fs';
import { dirname, join, relative, resolve } from 'node:path';
import ts from 'typescript';
import { describe, expect, it } from 'vitest';

const ROOT = resolve(import.meta.dirname, '..', '..');
const SRC = join(ROOT, 'src');

function filesUnder(dir: string): string[] {
  return readdirSync(dir).flatMap((name) => {
    const p = join(dir, name);
    return statSync(p).isDirectory() ? filesUnder(p) : p.endsWith('.ts') ? [p] : [];
  });
}

/** Relative imports of `file` that run at load time: static, not type-only (dynamic `import()` excluded). */
function runtimeImports(file: string): string[] {
  const sf = ts.createSourceFile(file, readFileSync(file, 'utf8'), ts.ScriptTarget.Latest, false);
  const out: string[] = [];
  for (const st of sf.statements) {
    if (ts.isImportDeclaration(st)) {
      if (st.importClause?.isTypeOnly) continue;
      const named = st.importClause?.namedBindings;
      const allTypes = named && ts.isNamedImports(named) && !st.importClause?.name && named.elements.length > 0 && named.elements.every((e) => e.isTypeOnly);
      if (allTypes) continue;
      out.push((st.moduleSpecifier as ts.StringLiteral).text);
    } else if (ts.isExportDeclaration(st) && st.moduleSpecifier && !st.isTypeOnly) {
      out.push((st.moduleSpecifier as ts.StringLiteral).text);
    }
  }
  return out.filter((s) => s.startsWith('.')).map((s) => resolve(dirname(file), s));
}

/** Every import specifier of `file`, type-only and dynamic ones included. */
function allImports(file: string): string[] {
  const text = readFileSync(file, 'utf8');
  return [...text.matchAll(/(?:from|import)\s*\(?\s*['"](\.{1,2}\/[^'"]+)['"]/g)].map((m) => resolve(dirname(file), m[1]));
}

const rel = (p: string) => relative(ROOT, p);
const inDir = (p: string, dir: string) => rel(p).startsWith(`${dir}/`);

describe('layout', () => {
  const product = filesUnder(SRC).filter((f) => !inDir(f, 'src/simulators') && !inDir(f, 'src/generated'));

  it('serve --config loads no simulator code: the CLI entry reaches no module under src/simulators/', () => {
    const seen = new Set<string>();
    const visit = (f: string) => {
      if (seen.has(f)) return;
      seen.add(f);
      for (const dep of runtimeImports(f)) visit(dep);
    };
    visit(join(SRC, 'server', 'cli.ts'));
    const loaded = [...seen].map(rel).sort();
    expect(loaded.length).toBeGreaterThan(40);
    expect(loaded.filter((f) => f.startsWith('src/simulators/'))).toEqual([]);
    expect(loaded).toContain('src/providers/registry.ts');
  });

  it('product code imports nothing from src/simulators/ (the CLI may load it lazily for the demo)', () => {
    const offenders = product
      .filter((f) => rel(f) !== 'src/server/cli.ts')
      .filter((f) => allImports(f).some((d) => inDir(d, 'src/simulators')))
      .map(rel);
    expect(offenders).toEqual([]);
    expect(runtimeImports(join(SRC, 'server', 'cli.ts')).filter((d) => inDir(d, 'src/simulators'))).toEqual([]);
  });

  it('upstream/ and domain/ import nothing from providers/', () => {
    const offenders = product
      .filter((f) => inDir(f, 'src/upstream') || inDir(f, 'src/domain'))
      .filter((f) => allImports(f).some((d) => inDir(d, 'src/providers')))
      .map(rel);
    expect(offenders).toEqual([]);
  });

  it('the test bed reads each API from its own DTOs, never the adapters\' wire types', () => {
    const offenders = filesUnder(join(SRC, 'simulators'))
      .filter((f) => allImports(f).some((d) => inDir(d, 'src/providers') && d.endsWith('wire.ts')))
      .map(rel);
    expect(offenders).toEqual([]);
  });

  it('no untyped per-request bag: nothing reads or writes a RequestContext memo', () => {
    const offenders = product.filter((f) => /\b(ctx|upstream)\.memo\b|memo: new Map/.test(readFileSync(f, 'utf8'))).map(rel);
    expect(offenders).toEqual([]);
  });

  it('resolvers need no `as never` casts', () => {
    const offenders = product.filter((f) => inDir(f, 'src/resolvers') && /\bas never\b/.test(readFileSync(f, 'utf8'))).map(rel);
    expect(offenders).toEqual([]);
  });
});
