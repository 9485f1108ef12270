/**
 * What each field of the gateway's schema costs upstream, for {@link estimateCost}. Derived from
 * the schema's shapes, so a new list or link field is costed without being listed here:
 * - a connection (a field with `first` whose type has `edges` and `pageInfo`) asks every provider it
 *   may draw from once per page (a root list: every configured provider, or those `filter` names;
 *   a nested one: its parent's provider), and its `edges`/`nodes` are `first` long (absent = the
 *   argument's default, else `defaultPageSize`; capped at `maxPageSize`); `first: 0` asks nobody;
 *   `totalCount` may ask each of them again;
 * - an entity link (`organization`, `resource`, `backup`, a payload's `job`...) is one lookup per
 *   instance, and an entity list without `first` (`Resource.schedules`) is one call yielding up to
 *   `maxPageSize` items;
 * - `Provider.health` probes once, and each provider-specific lazy field (`BocadaJob.timeline`...)
 *   is one call, also when it is selected on an interface that declares it (`Job.failureReason`,
 *   lazy on `BocadaJob`);
 * - `Subscription.jobUpdates` costs its subscriber nothing (shared pollers read, charged to no
 *   request) and each event's `job` is the model it carries; what is selected under it is costed
 *   per event;
 * - `Query.providers` lists `providerCount` providers; `Query.nodes(ids:)` is one lookup per id;
 *   any other root field (`node`, `retentionPreview`, a mutation, a subscription's first read) is one call.
 *
 * These are upper bounds for the calls lists make page by page, assuming each provider answers a
 * page in one upstream page (true up to 100 items for the four providers): in-memory filtering,
 * a provider running out mid-page (its share re-asked of the others), lists merged from several
 * upstream lists (oCore backups and jobs, Norcube jobs: README "Pagination") and batched lookups
 * that list a whole collection can make more; the per-request upstream call budget stops those.
 */
import { MAX_PAGE_SIZE } from '../../domain/pagination.ts';
import type { CostModel, FieldCost, FieldCostInput, NamedTypeInfo } from './estimate-cost.ts';

/** Options of {@link createGatewayCostModel}. */
export interface GatewayCostModelOptions {
  /** How many provider instances are configured (a root list asks each). */
  providerCount: number;
  /** Provider-specific fields that make their own upstream call, as `Type.field` coordinates. @default [] */
  lazyFields?: Iterable<string>;
  /** Page size of a list whose `first` is absent and has no schema default (the resolvers' default). @default 20 */
  defaultPageSize?: number;
  /** Largest `first` (a larger one is refused before any call). @default MAX_PAGE_SIZE (100) */
  maxPageSize?: number;
}

/** The cost a connection hands to its `edges`, `nodes` and `totalCount`. */
interface ConnectionCost extends FieldCost {
  /** Items per page. */
  page: number;
  /** Providers the page asks. */
  asked: number;
}

const isConnectionType = (t: NamedTypeInfo) => 'edges' in t.fields && 'pageInfo' in t.fields;
const isEntity = (t: NamedTypeInfo) => t.name === 'Node' || t.interfaces.includes('Node');
const isConnection = (c: FieldCost | undefined): c is ConnectionCost => typeof c?.page === 'number' && typeof c.asked === 'number';
/** Fields whose value their parent already carries (no lookup), as `Type.field`. */
const CARRIED = new Set(['JobUpdate.job']);
/** Root fields that make no upstream call for their subscriber. */
const FREE_ROOTS = new Set(['Subscription.jobUpdates']);

/** `lazy` plus, for each lazy `Type.field`, `Interface.field` of every interface of `Type` that declares `field`. */
function withInterfaceCoordinates(lazy: ReadonlySet<string>, schema: FieldCostInput['schema']): Set<string> {
  const out = new Set(lazy);
  for (const coordinate of lazy) {
    const [typeName, field] = coordinate.split('.');
    const type = schema.getType(typeName) as { getInterfaces?: () => readonly { name: string; getFields(): Record<string, unknown> }[] } | undefined;
    for (const i of type?.getInterfaces?.() ?? []) if (field in i.getFields()) out.add(`${i.name}.${field}`);
  }
  return out;
}

/** Providers a root list asks: those `filter.providers` names, one when it is scoped to an organization or resource, else all. */
function providersAsked(filter: unknown, providerCount: number): number {
  const f = (filter ?? {}) as { providers?: unknown; organizationId?: unknown; resourceId?: unknown };
  if (f.organizationId != null || f.resourceId != null) return Math.min(1, providerCount);
  if (Array.isArray(f.providers)) return Math.min(new Set(f.providers).size, providerCount);
  return providerCount;
}

/** The gateway's {@link CostModel}: upstream calls per field, as described above. */
export function createGatewayCostModel(options: GatewayCostModelOptions): CostModel {
  const { providerCount, defaultPageSize = 20, maxPageSize = MAX_PAGE_SIZE } = options;
  const lazyFields = new Set(options.lazyFields ?? []);
  /** The lazy coordinates with their interfaces', per schema (computed on first use). */
  const lazyBySchema = new WeakMap<object, Set<string>>();
  const lazyOf = (schema: FieldCostInput['schema']) => {
    let s = lazyBySchema.get(schema);
    if (!s) lazyBySchema.set(schema, (s = withInterfaceCoordinates(lazyFields, schema)));
    return s;
  };
  const pageOf = (first: unknown, schemaDefault: unknown): number => {
    const n = typeof first === 'number' && Number.isFinite(first) ? first : typeof schemaDefault === 'number' ? schemaDefault : defaultPageSize;
    return Math.max(0, Math.min(Math.floor(n), maxPageSize));
  };

  return (input: FieldCostInput): Partial<FieldCost> | undefined => {
    const { parentType, field, returnType, args, isRoot, operation, parent, schema } = input;
    const coordinate = `${parentType.name}.${field.name}`;
    if (CARRIED.has(coordinate) || FREE_ROOTS.has(coordinate)) return undefined;
    // A connection: one call per provider asked (none for first: 0); its lists are `first` long.
    if (field.args.some((a) => a.name === 'first') && isConnectionType(returnType)) {
      const page = pageOf(args.first, field.args.find((a) => a.name === 'first')?.defaultValue);
      const asked = isRoot ? providersAsked(args.filter, providerCount) : 1;
      return { calls: page > 0 ? asked : 0, size: 1, page, asked } satisfies ConnectionCost;
    }
    if (isConnection(parent)) {
      if (field.name === 'edges' || field.name === 'nodes') return { size: parent.page };
      if (field.name === 'totalCount') return { calls: parent.asked };
      return undefined;
    }
    if (isRoot) {
      if (operation === 'query' && field.name === 'providers') return { size: providerCount };
      if (operation === 'query' && field.name === 'nodes') {
        const n = Array.isArray(args.ids) ? args.ids.length : 1;
        return { calls: n, size: n };
      }
      return { calls: 1 };
    }
    if (lazyOf(schema).has(coordinate)) return { calls: 1 };
    if (coordinate === 'Provider.health') return { calls: 1 };
    if (isEntity(returnType)) {
      // The item of an edge is the listed model itself; anything else is a lookup (or a list) of its own.
      if (parentType.name.endsWith('Edge') && field.name === 'node') return undefined;
      return returnType.list ? { calls: 1, size: maxPageSize } : { calls: 1 };
    }
    return undefined;
  };
}
