/**
 * useCompiledExecution on a small schema of its own (yoga in-process, `yoga.fetch`): a document runs
 * on graphql-js until it has run `compileAfter` times, then compiled by graphql-jit; the answers
 * are the same, and a variable that does not coerce is reported as graphql-js reports it also once
 * the document is compiled. Which engine ran is seen where they differ observably: graphql-js hands
 * an abstract type's `resolveType` the abstract type as a fourth argument, graphql-jit does not.
 */
import { createRequire } from 'node:module';
import type * as GraphQLModule from 'graphql';
import { compileQuery, isCompiledQuery } from 'graphql-jit';
import { createSchema, createYoga } from 'graphql-yoga';
import { describe, expect, it } from 'vitest';
import { holdsJitMarker, useCompiledExecution, type CompiledExecutionOptions } from '../../src/server/plugins/use-compiled-execution.ts';
import { JIT_MAGIC_DATE as MAGIC_DATE, jitInjection as injecting } from '../utils/tjit.ts';

const { buildSchema, parse } = createRequire(import.meta.url)('graphql') as typeof GraphQLModule;

const flags = globalThis as Record<string, unknown>;

/** A yoga whose `Pet.resolveType` records, per call, whether it got the abstract type (graphql-js) or not (graphql-jit). */
function petYoga(options?: CompiledExecutionOptions) {
  const engines: Array<'graphql-js' | 'graphql-jit'> = [];
  const yoga = createYoga({
    schema: createSchema({
      typeDefs: /* GraphQL */ `
        interface Pet { name: String! }
        type Cat implements Pet { name: String! lives: Int! }
        type Dog implements Pet { name: String! good: Boolean! }
        type Query { pets(first: Int!): [Pet!]! echo(s: String): String }
      `,
      resolvers: {
        Pet: {
          __resolveType(pet: { kind: string }, _ctx: unknown, _info: unknown, abstractType?: unknown) {
            engines.push(abstractType ? 'graphql-js' : 'graphql-jit');
            return pet.kind;
          },
        },
        Query: {
          echo: (_: unknown, { s }: { s: string }) => s,
          pets: (_: unknown, { first }: { first: number }) =>
            [{ kind: 'Cat', name: 'Tom', lives: 9 }, { kind: 'Dog', name: 'Rex', good: true }, { kind: 'Cat', name: 'Kit', lives: 3 }].slice(0, first),
        },
      },
    }),
    plugins: [useCompiledExecution(options)],
    logging: false,
  });
  const ask = async (variables: Record<string, unknown>, query = PETS) => {
    const res = await yoga.fetch('http://yoga/graphql', { method: 'POST', headers: { 'content-type': 'application/json' }, body: JSON.stringify({ query, variables }) });
    return { status: res.status, body: await res.json() };
  };
  /** The engine of each run: what its first resolveType call recorded. */
  const engineOf = async (variables: Record<string, unknown>, query = PETS) => {
    engines.length = 0;
    const answer = await ask(variables, query);
    return { ...answer, engine: engines[0] };
  };
  return { ask, engineOf };
}

const PETS = `query Pets($first: Int!) { pets(first: $first) { __typename name ... on Cat { lives } ... on Dog { good } } }`;

describe('useCompiledExecution', () => {
  it('runs a document on graphql-js until it has run compileAfter times, then compiled, with the same answers', async () => {
    const { engineOf } = petYoga({ compileAfter: 2 });
    const runs = [await engineOf({ first: 3 }), await engineOf({ first: 3 }), await engineOf({ first: 2 })];
    expect(runs.map((r) => r.engine)).toEqual(['graphql-js', 'graphql-jit', 'graphql-jit']);
    expect(runs[0].body).toEqual({ data: { pets: [{ __typename: 'Cat', name: 'Tom', lives: 9 }, { __typename: 'Dog', name: 'Rex', good: true }, { __typename: 'Cat', name: 'Kit', lives: 3 }] } });
    expect(runs[1].body).toEqual(runs[0].body);
    expect(runs[2].body).toEqual({ data: { pets: runs[0].body.data.pets.slice(0, 2) } });
  });

  it('compiles nothing with compile: false (config server.compileQueries), however often a document runs', async () => {
    const { engineOf } = petYoga({ compile: false, compileAfter: 1 });
    const engines = [];
    for (let i = 0; i < 3; i++) engines.push((await engineOf({ first: 2 })).engine);
    expect(engines).toEqual(['graphql-js', 'graphql-js', 'graphql-js']);
  });

  it('counts runs per document: another document starts on graphql-js again', async () => {
    const { engineOf } = petYoga({ compileAfter: 2 });
    await engineOf({ first: 1 });
    expect((await engineOf({ first: 1 })).engine).toBe('graphql-jit');
    const other = `query Names($first: Int!) { pets(first: $first) { name } }`;
    expect((await engineOf({ first: 1 }, other)).engine).toBe('graphql-js');
    expect((await engineOf({ first: 1 }, other)).engine).toBe('graphql-jit');
  });

  it('reports a variable that does not coerce as graphql-js does, also once the document is compiled', async () => {
    const { ask, engineOf } = petYoga({ compileAfter: 1 });
    expect((await engineOf({ first: 1 })).engine).toBe('graphql-jit');
    const compiled = await ask({ first: 'x' });
    const plain = await petYoga({ compileAfter: 1_000 }).ask({ first: 'x' });
    expect(compiled).toEqual(plain);
    expect(compiled.body.errors).toEqual([{ message: 'Variable "$first" got invalid value "x"; Int cannot represent non-integer value: "x"', locations: [{ line: 1, column: 12 }] }]);
    expect(compiled.body.data).toBeUndefined();
  });

  it("never compiles a document whose string literal holds graphql-jit's marker, which graphql-jit would run as code", async () => {
    // Why: graphql-jit on its own runs such a literal.
    const raw = compileQuery(buildSchema('type Query { echo(s: String): String }'), parse(`{ echo(s: ${JSON.stringify(injecting('bgRawJit'))}) }`));
    expect(isCompiledQuery(raw)).toBe(true);
    if (isCompiledQuery(raw)) await raw.query({}, {}, {});
    expect(flags.bgRawJit).toBe(1);

    const { ask } = petYoga({ compileAfter: 1 });
    const plain = `{ echo(s: ${JSON.stringify(injecting('bgGateway'))}) }`;
    // The same literal with its underscores escaped (\u005F) in the document's text: the marker is in the value all the same.
    const escaped = `{ echo(s: "${injecting('bgGatewayEscaped').replaceAll('_', '\\u005F')}") }`;
    for (const query of [plain, plain, escaped, escaped]) {
      const { body } = await ask({}, query);
      expect(body.errors).toBeUndefined();
      expect(body.data.echo).toMatch(/^__MAGIC_DATE__/);
    }
    expect(flags.bgGateway).toBeUndefined();
    expect(flags.bgGatewayEscaped).toBeUndefined();
  });

  it('tells a marker in any string literal, also nested in input objects and lists, and only there', () => {
    expect(holdsJitMarker(parse(`{ a(x: { y: ["ok", "${MAGIC_DATE}1"] }) }`))).toBe(true);
    expect(holdsJitMarker(parse(`query($v: String = "__MAGIC_NAN__") { a(x: $v) }`))).toBe(true);
    expect(holdsJitMarker(parse(`{ a(x: "MAGIC_DATE", y: ["norcube"]) __MAGIC_b: a }`))).toBe(false);
  });

  it('answers @skip and @include on fields, inline fragments and fragment spreads as graphql-js does', async () => {
    const query = `query Pick($cats: Boolean!, $names: Boolean!) {
      pets(first: 3) {
        __typename
        name @include(if: $names)
        ... on Cat @include(if: $cats) { lives }
        ...Dogs @skip(if: $cats)
      }
    }
    fragment Dogs on Dog { good name @skip(if: $names) }`;
    const compiled = petYoga({ compileAfter: 1 });
    const plain = petYoga({ compileAfter: 1_000 });
    for (const cats of [true, false]) {
      for (const names of [true, false]) {
        const answer = await compiled.engineOf({ cats, names }, query);
        expect(answer.engine).toBe('graphql-jit');
        expect(answer.body).toEqual((await plain.ask({ cats, names }, query)).body);
      }
    }
  });
});
