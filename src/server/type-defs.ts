/**
 * Loads the gateway's SDL: the unified schema in `schema/*.graphql` plus each provider's concrete
 * types in `src/providers/<name>/schema.graphql`. A concrete type declares only its own fields;
 * the fields of the interfaces it implements are copied in here, so the unified fields are
 * written once.
 */
import { readFileSync, readdirSync, existsSync } from 'node:fs';
import { join, dirname } from 'node:path';
import { fileURLToPath } from 'node:url';
import {
  Kind, parse, print,
  type DocumentNode, type FieldDefinitionNode, type InterfaceTypeDefinitionNode, type ObjectTypeDefinitionNode,
} from 'graphql';

const root = join(dirname(fileURLToPath(import.meta.url)), '..', '..');

/** Paths of every SDL file, unified schema first, then providers in alphabetical order. */
export function sdlFiles(): string[] {
  const schemaDir = join(root, 'schema');
  const providersDir = join(root, 'src', 'providers');
  const unified = readdirSync(schemaDir).filter((f) => f.endsWith('.graphql')).sort().map((f) => join(schemaDir, f));
  const providers = readdirSync(providersDir, { withFileTypes: true })
    .filter((d) => d.isDirectory())
    .map((d) => join(providersDir, d.name, 'schema.graphql'))
    .filter((f) => existsSync(f))
    .sort();
  return [...unified, ...providers];
}

/** Copies interface fields (transitively) into every object or interface type that implements them. */
export function inheritInterfaceFields(doc: DocumentNode): DocumentNode {
  const interfaces = new Map<string, InterfaceTypeDefinitionNode>();
  for (const d of doc.definitions) if (d.kind === Kind.INTERFACE_TYPE_DEFINITION) interfaces.set(d.name.value, d);
  const fieldsOf = (name: string, seen = new Set<string>()): FieldDefinitionNode[] => {
    const i = interfaces.get(name);
    if (!i || seen.has(name)) return [];
    seen.add(name);
    const inherited = (i.interfaces ?? []).flatMap((n) => fieldsOf(n.name.value, seen));
    return [...inherited, ...(i.fields ?? [])];
  };
  return {
    ...doc,
    definitions: doc.definitions.map((d) => {
      if (d.kind !== Kind.OBJECT_TYPE_DEFINITION && d.kind !== Kind.INTERFACE_TYPE_DEFINITION) return d;
      if (!d.interfaces?.length) return d;
      const own = d.fields ?? [];
      const names = new Set(own.map((f) => f.name.value));
      const added: FieldDefinitionNode[] = [];
      for (const n of d.interfaces) {
        for (const f of fieldsOf(n.name.value)) {
          if (names.has(f.name.value)) continue;
          names.add(f.name.value);
          added.push(f);
        }
      }
      return { ...d, fields: [...added, ...own] } as ObjectTypeDefinitionNode | InterfaceTypeDefinitionNode;
    }),
  };
}

/** The full SDL document the gateway serves. */
export function loadTypeDefs(): DocumentNode {
  const source = sdlFiles().map((f) => readFileSync(f, 'utf8')).join('\n');
  return inheritInterfaceFields(parse(source));
}

/** The full SDL as text (for codegen and for clients). */
export function printTypeDefs(): string {
  return print(loadTypeDefs());
}
