/**
 * Keeps `codegen.yml`'s mappers in step with the schema: every concrete provider type maps to the
 * model of the entity interface it implements (`BocadaJob` -> `JobModel`) and every connection to
 * `ConnectionModel`. Hand-written mappers in the file are kept; only the derived ones are rewritten,
 * so a new provider's types need no edit by hand. Run by `npm run codegen`; `--check` exits 1 when
 * the file is stale.
 */
import { readFileSync, writeFileSync } from 'node:fs';
import { buildSchema, isObjectType } from 'graphql';
import { parseDocument } from 'yaml';

const CONFIG = 'codegen.yml';

/** Entity interface -> its domain model (the hand-written mappers name these too). */
const ENTITY_MODELS: Record<string, string> = {
  Organization: 'OrganizationModel', Resource: 'ResourceModel', Backup: 'BackupModel',
  Job: 'JobModel', Alert: 'AlertModel', Schedule: 'ScheduleModel',
};

/** The mappers derived from the schema, sorted by type name. */
export function derivedMappers(sdl: string): Record<string, string> {
  const schema = buildSchema(sdl);
  const out: Record<string, string> = {};
  for (const type of Object.values(schema.getTypeMap()).sort((a, b) => a.name.localeCompare(b.name))) {
    if (!isObjectType(type)) continue;
    if (type.name.endsWith('Connection')) out[type.name] = '../domain/connection.ts#ConnectionModel';
    const entity = type.getInterfaces().find((i) => ENTITY_MODELS[i.name]);
    if (entity) out[type.name] = `../domain/models.ts#${ENTITY_MODELS[entity.name]}`;
  }
  return out;
}

/** `codegen.yml` with its derived mappers brought up to date (comments and hand-written entries kept). */
export function updatedCodegenConfig(configText: string, sdl: string): string {
  const doc = parseDocument(configText);
  const path = ['generates', 'src/generated/graphql.ts', 'config', 'mappers'];
  const current = (doc.getIn(path) as { toJSON(): Record<string, string> } | undefined)?.toJSON() ?? {};
  const derived = derivedMappers(sdl);
  const handWritten = Object.fromEntries(Object.entries(current).filter(([k]) => !(k in derived) && !isDerivedName(k, sdl)));
  doc.setIn(path, doc.createNode({ ...handWritten, ...derived }));
  return doc.toString({ lineWidth: 0 });
}

function isDerivedName(typeName: string, sdl: string): boolean {
  // A stale derived entry (a type that no longer exists) points at a model the script owns.
  return !new RegExp(`\\b(type|interface)\\s+${typeName}\\b`).test(sdl);
}

const isMain = process.argv[1] && import.meta.url.endsWith(process.argv[1].replace(/^.*\//, '/'));
if (isMain) {
  const sdl = readFileSync('src/generated/schema.graphql', 'utf8');
  const before = readFileSync(CONFIG, 'utf8');
  const after = updatedCodegenConfig(before, sdl);
  if (process.argv.includes('--check')) {
    if (after !== before) {
      process.stderr.write(`${CONFIG} is stale: run \`npm run codegen\`\n`);
      process.exit(1);
    }
  } else if (after !== before) writeFileSync(CONFIG, after);
}
