/**
 * The static cost estimate over the gateway's real schema and cost model: variables and defaults
 * count what they will fetch, nested lists multiply, fragments and directives are followed.
 */
import { makeExecutableSchema } from '@graphql-tools/schema';
import { parse } from 'graphql';
import { describe, expect, it } from 'vitest';
import { estimateCost, type CostModel } from '../../src/server/cost/estimate-cost.ts';
import { createGatewayCostModel } from '../../src/server/cost/gateway-cost-model.ts';
import { DASHBOARD_QUERY } from '../../src/server/graphiql.ts';
import { loadTypeDefs } from '../../src/server/type-defs.ts';

const schema = makeExecutableSchema({ typeDefs: loadTypeDefs() });
const model = createGatewayCostModel({ providerCount: 4, lazyFields: ['BocadaJob.timeline'] });
const cost = (query: string, variables?: Record<string, unknown>, m: CostModel = model) =>
  estimateCost({ schema, document: parse(query), variables, model: m }).requested;

const NESTED = (first: string) =>
  `query($n: Int) { organizations${first} { nodes { resources${first} { nodes { backups${first} { nodes { id } } } } } } }`;

describe('estimateCost with the gateway model', () => {
  it('costs a literal first, the same value through a variable, and through a variable default alike', () => {
    const literal = cost('{ backups(first: 7) { nodes { resource { name } } } }');
    expect(literal).toBe(4 + 7); // one page per provider, one lookup per item
    expect(cost('query($n: Int) { backups(first: $n) { nodes { resource { name } } } }', { n: 7 })).toBe(literal);
    expect(cost('query($n: Int = 7) { backups(first: $n) { nodes { resource { name } } } }')).toBe(literal);
  });

  it('counts an absent first, an unset variable and an explicit null as the default page size (20)', () => {
    const expected = 4 + 20;
    expect(cost('{ backups { nodes { resource { name } } } }')).toBe(expected);
    expect(cost('query($n: Int) { backups(first: $n) { nodes { resource { name } } } }')).toBe(expected);
    expect(cost('query($n: Int) { backups(first: $n) { nodes { resource { name } } } }', { n: null })).toBe(expected);
  });

  it('multiplies nested connections by their page sizes: the variable-first bomb and the no-first one', () => {
    expect(cost(NESTED('(first: $n)'), { n: 100 })).toBe(4 + 100 + 100 * 100);
    expect(cost(NESTED(''))).toBe(4 + 20 + 20 * 20);
    expect(cost(NESTED('(first: 100)'))).toBe(cost(NESTED('(first: $n)'), { n: 100 }));
  });

  it('caps first at the largest page size (a larger one is refused before any call)', () => {
    expect(cost('{ organizations(first: 1000) { nodes { resources { nodes { id } } } } }')).toBe(4 + 100);
  });

  it('first: 0 asks nobody, but totalCount asks every provider', () => {
    expect(cost('{ backups(first: 0) { pageInfo { hasNextPage } } }')).toBe(0);
    expect(cost('{ backups(first: 0) { totalCount } }')).toBe(4);
  });

  it('a root list asks only the providers its filter names', () => {
    expect(cost('{ jobs(first: 5, filter: { providers: ["bocada"] }) { nodes { id } } }')).toBe(1);
    expect(cost('query($p: [String!]) { jobs(first: 5, filter: { providers: $p }) { nodes { id } } }', { p: ['bocada', 'ocore'] })).toBe(2);
    expect(cost('query($p: [String!]) { jobs(first: 5, filter: { providers: $p }) { nodes { id } } }', { p: 'bocada' })).toBe(1); // one value = a list of one
  });

  it('counts edges.node like nodes: the edge item is the listed model, not a lookup', () => {
    expect(cost('{ backups(first: 3) { edges { cursor node { id resource { id } } } } }')).toBe(cost('{ backups(first: 3) { nodes { id resource { id } } } }'));
  });

  it('follows named and inline fragments, and honours @skip/@include with variables', () => {
    const inline = cost('{ jobs(first: 10) { nodes { ... on BocadaJob { timeline { at } } } } }');
    expect(inline).toBe(4 + 10);
    expect(cost('{ jobs(first: 10) { nodes { ...T } } } fragment T on BocadaJob { timeline { at } }')).toBe(inline);
    const q = 'query($with: Boolean!) { jobs(first: 10) { nodes { id resource @include(if: $with) { name } } } }';
    expect(cost(q, { with: false })).toBe(4);
    expect(cost(q, { with: true })).toBe(14);
  });

  it('costs exponentially spread fragments in linear time', () => {
    // F0 spreads F1 twice, F1 spreads F2 twice...: 2^40 instances of the bottom field.
    const levels = 40;
    const frags = Array.from({ length: levels }, (_, i) => `fragment F${i} on Query { ...F${i + 1} a${i}: providers { id } ...F${i + 1} }`).join('\n');
    const q = `{ ...F0 }\n${frags}\nfragment F${levels} on Query { node(id: "x") { id } }`;
    expect(cost(q)).toBe(2 ** levels);
  });

  it('costs providers, health probes, nodes and other root fields', () => {
    expect(cost('{ providers { id kind } }')).toBe(0);
    expect(cost('{ providers { health { status } } }')).toBe(4);
    expect(cost('query($ids: [ID!]!) { nodes(ids: $ids) { id } }', { ids: ['a', 'b', 'c'] })).toBe(3);
    expect(cost('{ node(id: "x") { id } cronPresets(provider: "bocada") { cron } }')).toBe(2);
    expect(cost('{ __schema { types { name } } __typename }')).toBe(0);
  });

  it('an operation name picks the operation; an unknown one costs nothing', () => {
    const doc = parse('query A { backups(first: 1) { nodes { id } } } query B { providers { health { status } } }');
    expect(estimateCost({ schema, document: doc, operationName: 'A', model }).requested).toBe(4);
    expect(estimateCost({ schema, document: doc, operationName: 'B', model }).requested).toBe(4);
    expect(estimateCost({ schema, document: doc, operationName: 'C', model }).requested).toBe(0);
  });

  it('the dashboard query costs 31 over four providers', () => {
    expect(cost(DASHBOARD_QUERY)).toBe(31);
  });
});

describe('complexity (graphql-armor\'s formula, with sizes)', () => {
  const complexity = (query: string, variables?: Record<string, unknown>) => estimateCost({ schema, document: parse(query), variables, model }).complexity;
  const ofTypes = (levels: number) => `__type(name: "Query") { ${'ofType { '.repeat(levels)}name${' }'.repeat(levels)} }`;

  it('a leaf is 1, an object 2 plus 1.5 times what it selects, a list times its size', () => {
    expect(complexity('{ __typename }')).toBe(1);
    expect(complexity('{ providers { id kind } }')).toBe(4 * (2 + 1.5 * 2));
    expect(complexity('{ backups(first: 10) { nodes { id } } }')).toBe(Math.ceil(2 + 1.5 * (10 * (2 + 1.5 * 1)))); // rounded up
  });

  it('counts a literal first, a variable and the default alike', () => {
    const literal = complexity('{ backups(first: 20) { nodes { id } } }');
    expect(complexity('query($n: Int) { backups(first: $n) { nodes { id } } }', { n: 20 })).toBe(literal);
    expect(complexity('{ backups { nodes { id } } }')).toBe(literal);
  });

  it('measures __type on the introspection types and lets __schema through', () => {
    expect(complexity(`{ ${`${ofTypes(10)} `.repeat(60)}}`)).toBe(25710);
    expect(complexity(`{ ${ofTypes(10)} a: __typename }`)).toBe(430);
    expect(complexity('{ __schema { types { name fields { name } } } }')).toBe(0);
  });

  it('the dashboard query is 3655', () => {
    expect(complexity(DASHBOARD_QUERY)).toBe(3655);
  });
});

describe('estimateCost with any model', () => {
  it('multiplies by the model-given sizes and uses unknownListSize for lists it says nothing about', () => {
    const m: CostModel = ({ field }) => (field.name === 'backups' ? { calls: 2, size: 3 } : field.name === 'resource' ? { calls: 5 } : undefined);
    // backups: 2 + 3 * (edges: unknown list of 10 edges * node * resource 5)
    expect(estimateCost({ schema, document: parse('{ backups { edges { node { resource { id } } } } }'), model: m, unknownListSize: 10 }).requested).toBe(2 + 3 * 10 * 5);
  });

  it('never reports more than MAX_SAFE_INTEGER', () => {
    const m: CostModel = () => ({ calls: 1, size: 1e9 });
    const q = '{ backups { nodes { resource { backups { nodes { resource { backups { nodes { resource { backups { nodes { id } } } } } } } } } } } }';
    expect(estimateCost({ schema, document: parse(q), model: m }).requested).toBe(Number.MAX_SAFE_INTEGER);
  });
});
