/**
 * The gateway compiles a query once it repeats (graphql-jit, `use-compiled-execution.ts`): over real
 * HTTP, a document's later (compiled) answers equal its first (graphql-js) one: abstract types
 * resolved through the entity interfaces and `Node`, introspection, a provider's failure as a partial error next
 * to the others' data, and a variable that does not coerce as 400 BAD_USER_INPUT that does not echo
 * the value; and a string literal never becomes code in the gateway.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createManualClock } from '../../src/domain/clock.ts';
import { tgateway, type TGateway } from '../utils/tgateway.ts';
import { jitInjection } from '../utils/tjit.ts';

let t: TGateway;
beforeAll(async () => {
  // Nothing moves between two runs being compared: the simulators' clock stands still, and the
  // operations their seeds have in flight take an hour per step.
  t = await tgateway({ clock: createManualClock(Date.now()), stepMs: 3_600_000 });
});
afterAll(() => t.close());

/** `query` answered three times (the first by graphql-js, the others compiled): the answers. */
async function thrice(query: string, variables?: Record<string, unknown>) {
  const answers = [];
  for (let i = 0; i < 3; i++) answers.push(await t.gql(query, variables));
  return answers.map(({ status, data, errors }) => ({ status, data, errors }));
}

describe('compiled queries', () => {
  it('answer a listing across providers, with its abstract types, as the first run did', async () => {
    const [first, ...later] = await thrice(`query Listing($n: Int) {
      backups(first: $n) { totalCount nodes { __typename id name status createdAt sizeBytes resource { __typename id name } } pageInfo { hasNextPage endCursor } }
      jobs(first: 5) { nodes { __typename id status } }
    }`, { n: 12 });
    expect(first.errors).toBeUndefined();
    expect(first.data.backups.nodes).toHaveLength(12);
    expect(new Set(first.data.backups.nodes.map((b: { __typename: string }) => b.__typename)).size).toBeGreaterThan(1);
    expect(later).toEqual([first, first]);
  });

  it('resolve Node ids to their concrete types', async () => {
    const listed: Array<{ id: string; __typename: string }> = (await t.gql(`{ resources(first: 8) { nodes { id __typename } } }`)).data.resources.nodes;
    const ids = listed.map((n) => n.id);
    const [first, ...later] = await thrice(`query Nodes($ids: [ID!]!) { nodes(ids: $ids) { __typename id ... on Resource { name } } }`, { ids });
    expect(first.errors).toBeUndefined();
    expect(first.data.nodes.map((n: { id: string; __typename: string }) => [n.id, n.__typename])).toEqual(listed.map((n) => [n.id, n.__typename]));
    expect(later).toEqual([first, first]);
  });

  it("answer GraphiQL's introspection (sent again on every reload) as the first run did", async () => {
    const { getIntrospectionQuery } = await import('graphql');
    const [first, ...later] = await thrice(getIntrospectionQuery());
    expect(first.errors).toBeUndefined();
    expect(first.data.__schema.types.some((t: { name: string }) => t.name === 'NorcubeBackup')).toBe(true);
    expect(later).toEqual([first, first]);
  });

  it('keep one provider failing a partial error next to the other providers data', async () => {
    const query = `query Mixed { backups(first: 6, filter: { providers: ["ocore", "norcube"] }) { nodes { id } } }`;
    await thrice(query); // compiled from the second run on
    t.sims.get('ocore').simulator.setFault('*', { forceStatus: 503 });
    try {
      const res = await t.gql(query);
      expect(res.data.backups.nodes.length).toBeGreaterThan(0);
      expect(res.errors?.map((e) => [e.extensions?.code, e.extensions?.provider])).toEqual([['UPSTREAM_UNAVAILABLE', 'ocore']]);
    } finally {
      t.sims.get('ocore').simulator.clearFaults();
    }
  });

  it('answer a variable that does not coerce 400 BAD_USER_INPUT without its value', async () => {
    const query = `query Filtered($filter: BackupFilter) { backups(first: 2, filter: $filter) { nodes { id } } }`;
    await thrice(query, { filter: { providers: ['norcube'] } });
    const res = await t.gql(query, { filter: { providers: ['norcube'], targetUri: 'postgres://u:hunter2@db' } }, { accept: 'application/graphql-response+json' });
    expect(res.status).toBe(400);
    expect(res.errors?.map((e) => e.extensions?.code)).toEqual(['BAD_USER_INPUT']);
    expect(res.raw).not.toContain('hunter2');
  });

  it("run no caller's code hidden in a string literal (graphql-jit's marker: such a document is never compiled)", async () => {
    const payload = jitInjection('bgE2eJit');
    const [first, ...later] = await thrice(`{ node(id: ${JSON.stringify(payload)}) { id } }`);
    expect((globalThis as Record<string, unknown>).bgE2eJit).toBeUndefined();
    expect(first.errors?.map((e) => e.extensions?.code)).toEqual(['BAD_USER_INPUT']);
    expect(later).toEqual([first, first]);
  });
});
