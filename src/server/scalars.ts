/**
 * The custom scalars: DateTime (ISO-8601 UTC), ByteCount (non-negative number of bytes) and JSON.
 * Bad literal or variable values are BAD_USER_INPUT.
 */
import { GraphQLError, GraphQLScalarType, Kind, type ValueNode } from 'graphql';
import { createGraphQLError } from 'graphql-yoga';
import { canonicalTimestamp } from '../domain/timestamps.ts';

const bad = (message: string) => createGraphQLError(message, { extensions: { code: 'BAD_USER_INPUT' } });
const ISO = /^\d{4}-\d{2}-\d{2}T\d{2}:\d{2}(:\d{2}(\.\d{1,9})?)?(Z|[+-]\d{2}:\d{2})$/;

function parseDateTime(value: unknown): string {
  const canonical = typeof value === 'string' && ISO.test(value) ? canonicalTimestamp(value) : null;
  if (canonical === null) {
    throw bad(`DateTime must be an ISO-8601 date-time with a time zone, such as 2026-11-20T12:00:00Z; got ${JSON.stringify(value)?.slice(0, 60)}`);
  }
  return canonical;
}

/**
 * ISO-8601 date-time; output normalized to UTC with milliseconds. Models carry canonical strings
 * (`src/domain/timestamps.ts`), which are written as they are, without parsing them again.
 */
export const DateTimeScalar = new GraphQLScalarType({
  name: 'DateTime',
  serialize: (v) => {
    if (typeof v === 'string') {
      const canonical = canonicalTimestamp(v);
      if (canonical !== null) return canonical;
    } else if (v instanceof Date && !Number.isNaN(v.getTime())) return v.toISOString();
    throw new GraphQLError('DateTime cannot represent this value');
  },
  parseValue: parseDateTime,
  parseLiteral: (ast) => {
    if (ast.kind !== Kind.STRING) throw bad('DateTime must be a string');
    return parseDateTime(ast.value);
  },
});

/** A non-negative number of bytes. */
export const ByteCountScalar = new GraphQLScalarType({
  name: 'ByteCount',
  serialize: (v) => {
    if (typeof v === 'number' && Number.isFinite(v) && v >= 0) return v;
    throw new GraphQLError('ByteCount cannot represent this value');
  },
  parseValue: (v) => {
    if (typeof v === 'number' && Number.isSafeInteger(v) && v >= 0) return v;
    throw bad('ByteCount must be a non-negative integer');
  },
  parseLiteral: (ast) => {
    if (ast.kind !== Kind.INT) throw bad('ByteCount must be a non-negative integer');
    const n = Number(ast.value);
    if (!Number.isSafeInteger(n) || n < 0) throw bad('ByteCount must be a non-negative integer');
    return n;
  },
});

function literalToJson(ast: ValueNode): unknown {
  switch (ast.kind) {
    case Kind.STRING: case Kind.BOOLEAN: case Kind.ENUM: return ast.value;
    case Kind.INT: case Kind.FLOAT: return Number(ast.value);
    case Kind.NULL: return null;
    case Kind.LIST: return ast.values.map(literalToJson);
    case Kind.OBJECT: return Object.fromEntries(ast.fields.map((f) => [f.name.value, literalToJson(f.value)]));
    default: throw bad('JSON literals cannot contain variables');
  }
}

/** Arbitrary JSON. */
export const JsonScalar = new GraphQLScalarType({
  name: 'JSON',
  serialize: (v) => v,
  parseValue: (v) => v,
  parseLiteral: literalToJson,
});
