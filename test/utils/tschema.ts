/**
 * Schema-level test helpers: the schema the gateway serves over the product registry, and what a
 * model carries that its concrete GraphQL type does not declare (so default resolvers would drop it).
 */
import { buildASTSchema, getNamedType, isObjectType, type GraphQLObjectType, type GraphQLSchema } from 'graphql';
import { loadTypeDefs } from '../../src/server/type-defs.ts';

/** The executable shape of the SDL the gateway serves (unified schema plus every registered provider's). */
export const servedSchema = (): GraphQLSchema => buildASTSchema(loadTypeDefs());

function undeclared(type: GraphQLObjectType, value: Record<string, unknown>, path: string, skip: ReadonlySet<string>): string[] {
  const fields = type.getFields();
  return Object.entries(value).flatMap(([k, v]) => {
    if (skip.has(k)) return [];
    if (!fields[k]) return [`${path}.${k}`];
    const named = getNamedType(fields[k].type);
    return isObjectType(named) && v && typeof v === 'object' && !Array.isArray(v) ? undeclared(named, v as Record<string, unknown>, `${path}.${k}`, skip) : [];
  });
}

/**
 * The properties of `model` (recursively, for helper objects) that the object type `typename` of
 * `schema` does not declare, skipping the model's bookkeeping in `skip`; [] when all are declared.
 */
export function undeclaredFields(schema: GraphQLSchema, typename: string, model: object, skip: ReadonlySet<string>): string[] {
  const type = schema.getType(typename);
  if (!isObjectType(type)) return [`${typename} is not an object type`];
  return undeclared(type, model as Record<string, unknown>, typename, skip);
}
