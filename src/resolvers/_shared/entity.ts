/**
 * What the six entity interfaces share: the global id, the concrete type of a model, and the links
 * between entities (loaded through the per-request DataLoaders). Concrete provider types inherit
 * these resolvers from their interface (`inheritResolversFromInterfaces`).
 */
import type { GraphQLAbstractType, GraphQLResolveInfo } from 'graphql';
import { encodeGlobalId } from '../../domain/ids.ts';
import type { EntityKind, ModelBase, ModelOf, OrganizationModel } from '../../domain/models.ts';
import type { GatewayContext } from '../../server/context.ts';
import { namedResourceOf } from './resource-name.ts';

/** The `id` resolver of an entity kind: the model's global id. */
export const idOf = (kind: EntityKind) => (m: ModelBase): string => encodeGlobalId(m.provider.id, kind, m.nativeId);

/** The object type names of an abstract type, as its generated resolvers' `__resolveType` lists them. */
type TypenamesOf<R extends { __resolveType: (...args: never[]) => unknown }> = Extract<Awaited<ReturnType<R['__resolveType']>>, string>;

/**
 * The `__resolveType` of `Node` or an entity interface (`R`: its generated resolvers): the model's
 * `typename` once the schema confirms it, else null (a field error). The abstract type is the
 * fourth argument under graphql-js; the compiled executor (graphql-jit) passes only the info, whose
 * `returnType` is then the abstract type itself.
 */
export function resolveTypeOf<R extends { __resolveType: (...args: never[]) => unknown }>() {
  return (m: ModelBase, _ctx: GatewayContext, info: GraphQLResolveInfo, abstractType: GraphQLAbstractType | undefined = namedAbstractTypeOf(info)): TypenamesOf<R> | null =>
    abstractType && isPossibleType<TypenamesOf<R>>(m.typename, abstractType, info) ? m.typename : null;
}

/** The named type under `info.returnType`'s list and non-null wrappers, when it is abstract (the schema's own objects: no `graphql` predicates). */
function namedAbstractTypeOf(info: GraphQLResolveInfo): GraphQLAbstractType | undefined {
  let type: unknown = info.returnType;
  while (type && typeof type === 'object' && 'ofType' in type) type = type.ofType;
  return type && typeof type === 'object' && 'resolveType' in type ? (type as GraphQLAbstractType) : undefined;
}

/** The object type names of each abstract type, per schema: asked once per listed item, computed once. */
const possibleTypeNames = new WeakMap<object, WeakMap<GraphQLAbstractType, ReadonlySet<string>>>();

/**
 * Whether `typename` is an object type of `abstractType`. The generated `__resolveType` signatures
 * list exactly these names (codegen reads them from the same schema), so the check is what narrows
 * a model's `typename` to `T`. Only the schema's own methods are used: `graphql`'s predicates may
 * come from another copy of the module than the schema's objects.
 */
function isPossibleType<T extends string>(typename: string, abstractType: GraphQLAbstractType, info: GraphQLResolveInfo): typename is T {
  let bySchema = possibleTypeNames.get(info.schema);
  if (!bySchema) possibleTypeNames.set(info.schema, (bySchema = new WeakMap()));
  let names = bySchema.get(abstractType);
  if (!names) bySchema.set(abstractType, (names = new Set(info.schema.getPossibleTypes(abstractType).map((t) => t.name))));
  return names.has(typename);
}

/** The `organization` resolver: by native id when the model has one, else the provider's only organization. */
export function organizationOf(m: ModelBase & { organizationNativeId: string | null }, _a: unknown, ctx: GatewayContext): Promise<OrganizationModel | null> {
  if (m.organizationNativeId) return ctx.loaders.load('organization', m.provider.id, m.organizationNativeId);
  return ctx.loaders.soleOrganization(m.provider.id);
}

/**
 * A link field (`resource`, `backup`): the `kind` entity whose native id the model holds in
 * `<kind>NativeId`, or null. A `resource` selecting only its name comes from the model's own record
 * when it names it, without a lookup (see `resource-name.ts`).
 */
export function linkTo<K extends 'resource' | 'backup'>(kind: K) {
  const field = `${kind}NativeId` as const;
  return (m: ModelBase & { [F in `${K}NativeId`]: string | null }, _a: unknown, ctx: GatewayContext, info?: GraphQLResolveInfo): Promise<ModelOf[K] | null> | ModelOf[K] | null => {
    const native = m[field];
    if (!native) return null;
    const named = kind === 'resource' && info ? namedResourceOf(m, native, info) : null;
    return named ? (named as ModelOf[K]) : ctx.loaders.load(kind, m.provider.id, native);
  };
}
