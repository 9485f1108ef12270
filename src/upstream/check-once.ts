/**
 * A wire shape's check of a parsed body, made once per body object. A GET a request repeats is
 * answered from the client's dedupe with the same parsed JSON (`src/upstream/client.ts`), and a
 * request reads some pages several times (a provider's backup list serves its protection
 * evidence, its job feed and its failure counts): checking it again would build every record
 * again, since zod returns a new object per record. Every reader of that body shares the one
 * result, so readers never change what a check returns (adapters read DTOs and map them, never
 * write them). Bodies that are not objects are checked each time.
 */
import type { z } from 'zod';

const checks = new WeakMap<z.ZodType, WeakMap<object, z.ZodSafeParseResult<unknown>>>();

/** `schema.safeParse(body)`, kept for as long as `body` lives: the same answer for the same body object. */
export function checkOnce<S extends z.ZodType>(schema: S, body: unknown): z.ZodSafeParseResult<z.output<S>> {
  if (typeof body !== 'object' || body === null) return schema.safeParse(body);
  let bySchema = checks.get(schema);
  if (!bySchema) checks.set(schema, (bySchema = new WeakMap()));
  let result = bySchema.get(body) as z.ZodSafeParseResult<z.output<S>> | undefined;
  if (!result) bySchema.set(body, (result = schema.safeParse(body)));
  return result;
}
