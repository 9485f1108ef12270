/**
 * Loads the gateway's SDL: the unified schema in `schema/*.graphql` plus each registered
 * provider's SDL (its concrete types and its `ProviderKind` value). A concrete type declares only
 * its own fields; the fields of the interfaces it implements are copied in here, so the unified
 * fields are written once; enum extensions are folded into their enum.
 */
import { readFileSync, readdirSync } from 'node:fs';
import { join, dirname } from 'node:path';
import { fileURLToPath } from 'node:url';
import {
  Kind, parse, print,
  type DocumentNode, type EnumValueDefinitionNode, type FieldDefinitionNode, type InterfaceTypeDefinitionNode, type ObjectTypeDefinitionNode,
} from 'graphql';
import { PROVIDERS, type ProviderRegistry } from '../providers/registry.ts';

const root = join(dirname(fileURLToPath(import.meta.url)), '..', '..');

/** Paths of every SDL file: the unified schema first, then each registered provider's, in registry order. */
export function sdlFiles(registry: ProviderRegistry = PROVIDERS): string[] {
  const schemaDir = join(root, 'schema');
  const unified = readdirSync(schemaDir).filter((f) => f.endsWith('.graphql')).sort().map((f) => join(schemaDir, f));
  return [...unified, ...Object.values(registry).map((e) => fileURLToPath(e.typeDefs))];
}

/** Folds every `extend enum X { ... }` into the definition of `X` (providers add their own values). */
export function foldEnumExtensions(doc: DocumentNode): DocumentNode {
  const added = new Map<string, EnumValueDefinitionNode[]>();
  for (const d of doc.definitions) {
    if (d.kind === Kind.ENUM_TYPE_EXTENSION) added.set(d.name.value, [...(added.get(d.name.value) ?? []), ...(d.values ?? [])]);
  }
  return {
    ...doc,
    definitions: doc.definitions
      .filter((d) => d.kind !== Kind.ENUM_TYPE_EXTENSION || !doc.definitions.some((e) => e.kind === Kind.ENUM_TYPE_DEFINITION && e.name.value === d.name.value))
      .map((d) => (d.kind === Kind.ENUM_TYPE_DEFINITION && added.has(d.name.value) ? { ...d, values: [...(d.values ?? []), ...added.get(d.name.value)!] } : d)),
  };
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

/** The full SDL document the gateway serves over `registry`'s providers. */
export function loadTypeDefs(registry: ProviderRegistry = PROVIDERS): DocumentNode {
  const source = sdlFiles(registry).map((f) => readFileSync(f, 'utf8')).join('\n');
  return inheritInterfaceFields(foldEnumExtensions(parse(source)));
}

/** The full SDL as text (for codegen and for clients). */
export function printTypeDefs(registry: ProviderRegistry = PROVIDERS): string {
  return print(loadTypeDefs(registry));
}
