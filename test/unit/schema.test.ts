import { readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import { generate } from '@graphql-codegen/cli';
import { parse as parseYaml } from 'yaml';
import { updatedCodegenConfig } from '../../scripts/codegen-mappers.ts';
import { buildASTSchema, isEnumType, isInputObjectType, isInterfaceType, isObjectType, parse, print } from 'graphql';
import { inheritInterfaceFields, loadTypeDefs, printTypeDefs } from '../../src/server/type-defs.ts';

describe('schema', () => {
  it('copies interface fields into implementing types, keeping their own', () => {
    const doc = inheritInterfaceFields(parse(`
      interface Node { id: ID! }
      interface Backup implements Node { id: ID! name: String }
      type XBackup implements Node & Backup { extra: Int }
      type Query { x: XBackup }
    `));
    const t = buildASTSchema(doc).getType('XBackup');
    expect(isObjectType(t) && Object.keys(t.getFields())).toEqual(['id', 'name', 'extra']);
  });

  it('builds, and every type, field, argument, input field and enum value has a description', () => {
    const schema = buildASTSchema(loadTypeDefs());
    const missing: string[] = [];
    for (const t of Object.values(schema.getTypeMap())) {
      if (t.name.startsWith('__') || ['String', 'Int', 'Float', 'Boolean', 'ID'].includes(t.name)) continue;
      if (!t.description && !/^(Query|Mutation|Subscription)$/.test(t.name)) missing.push(t.name);
      if (isObjectType(t) || isInterfaceType(t) || isInputObjectType(t)) {
        for (const f of Object.values(t.getFields())) if (!f.description) missing.push(`${t.name}.${f.name}`);
      }
      if (isObjectType(t) || isInterfaceType(t)) {
        for (const f of Object.values(t.getFields())) for (const a of f.args) if (!a.description) missing.push(`${t.name}.${f.name}(${a.name}:)`);
      }
      if (isEnumType(t)) for (const v of t.getValues()) if (!v.description) missing.push(`${t.name}.${v.name}`);
    }
    expect(missing).toEqual([]);
  });

  it('generated files are up to date (run `npm run codegen`)', async () => {
    const committed = readFileSync('src/generated/schema.graphql', 'utf8');
    expect(committed).toContain(printTypeDefs());
    const configText = readFileSync('codegen.yml', 'utf8');
    expect(updatedCodegenConfig(configText, committed), 'codegen.yml mappers are stale').toBe(configText);
    const [out] = await generate({ ...parseYaml(configText), silent: true, cwd: process.cwd() }, false);
    expect(readFileSync('src/generated/graphql.ts', 'utf8')).toBe(out.content);
  });

  it('keeps the printed schema parseable', () => {
    expect(() => parse(print(loadTypeDefs()))).not.toThrow();
  });
});
