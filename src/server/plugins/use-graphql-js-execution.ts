/**
 * Queries and mutations run on graphql-js's own `execute` rather than yoga's default executor
 * (`@graphql-tools/executor`'s `normalizedExecutor`). That one exists for `@defer`/`@stream`, which
 * the gateway's schema does not declare, and pays for them on every field (a promise helper per
 * value, an abort check per field, a `Map` per field for its arguments): on a 20-item listing it
 * cost about a tenth of the gateway's CPU. Results, errors and their paths are graphql-js's, the
 * same shapes; yoga never hands the executor an abort signal, so nothing about cancellation
 * changes (upstream calls stop through the request's own signal). Subscriptions keep yoga's
 * `subscribe`.
 *
 * Put it in the plugin list (after yoga's own engine, which every user plugin follows).
 */
import { createRequire } from 'node:module';
import type * as GraphQLModule from 'graphql';
import type { Plugin } from 'graphql-yoga';

/**
 * graphql as yoga, graphql-tools and the schema have it: Node's own resolution of the package. A
 * test runner may hand this file another copy of the module (its ESM build), whose `execute` would
 * refuse the schema as "from another module or realm".
 */
const { execute } = createRequire(import.meta.url)('graphql') as typeof GraphQLModule;

/** Runs every query and mutation with graphql-js's `execute`. */
export function useGraphQLJsExecution(): Plugin {
  return {
    onExecute({ setExecuteFn }) {
      setExecuteFn(execute as Parameters<typeof setExecuteFn>[0]);
    },
  };
}
