/**
 * Query cost you cannot sneak past: every operation's upstream calls are estimated before any
 * resolver runs (`estimateCost`, with the request's variables and every default applied, so
 * `first: $n` and an absent `first` count what they will fetch), and an operation over `maxCost` is
 * refused with `COST_LIMIT_EXCEEDED` and the figures, having made no upstream call. So is one over
 * `maxComplexity` (graphql-armor's complexity formula, with the same sizes: wide or deep documents,
 * introspection included, that cost work but no upstream call). What the
 * estimate cannot know is bounded by the request's upstream call budget (`ctx.upstream.budget`),
 * whose refusals carry the same code.
 *
 * Every executed response says what it cost (GitHub-style), in `extensions.cost`:
 * - `requested`: the estimate, in upstream calls;
 * - `limit`: the most `requested` may be (`maxCost`);
 * - `upstreamCalls`: the upstream calls the request made (attempts, retries and streams), when the
 *   result was produced;
 * - `upstreamCallLimit`: the request's budget of upstream calls (null = no limit).
 * Subscriptions carry it on every event (`upstreamCalls` = what the subscribing request spent: the
 * shared progress sources' polls are charged to no request). Parse and validation errors, which
 * run nothing, carry none.
 *
 * A refusal is a request error (no `data`): HTTP 400 under `application/graphql-response+json`,
 * 200 under `application/json`, as graphql-over-http says for request errors.
 */
import { createGraphQLError, isAsyncIterable, type Plugin } from 'graphql-yoga';
import type { DocumentNode, ExecutionResult, GraphQLSchema } from 'graphql';
import type { GatewayContext } from '../context.ts';
import { estimateCost, type CostModel } from '../cost/estimate-cost.ts';

/**
 * The default `maxCost`: the dashboard query (GraphiQL's `DASHBOARD_QUERY`) is estimated at 39
 * calls over four providers, so it fits 12 times; a 100-item page with two links per item (204) or
 * with one nested connection per item (104) fits, two nested 100-item connections (10,104) do not.
 */
export const DEFAULT_MAX_COST = 500;

/** Options of {@link useQueryCost}. */
export interface QueryCostOptions {
  /** What each field costs (the gateway's: `createGatewayCostModel`). */
  model: CostModel;
  /** Most upstream calls an operation's estimate may come to; over it the operation is refused. @default DEFAULT_MAX_COST (500) */
  maxCost?: number;
  /** Highest complexity (see `CostEstimate.complexity`) of an operation; over it the operation is refused. @default DEFAULT_MAX_COMPLEXITY (20000) */
  maxComplexity?: number;
}

/** The default `maxComplexity`: graphql-armor's former cost limit (the dashboard query's complexity is 682; a 100-item page of backups with seven fields and two links, 3,002). */
export const DEFAULT_MAX_COMPLEXITY = 20_000;

/** The `extensions.cost` of a response. */
export interface CostExtension {
  /** The operation's estimated upstream calls. */
  requested: number;
  /** The most `requested` may be (`maxCost`). */
  limit: number;
  /** Upstream calls the request made. */
  upstreamCalls: number;
  /** The request's upstream call budget; null when it has none. */
  upstreamCallLimit: number | null;
}

type Result = ExecutionResult & { extensions?: Record<string, unknown> };

/** Estimates, refuses over `maxCost`, and reports `extensions.cost` on every executed result. */
export function useQueryCost(options: QueryCostOptions): Plugin<GatewayContext> {
  const { model, maxCost = DEFAULT_MAX_COST, maxComplexity = DEFAULT_MAX_COMPLEXITY } = options;

  /** Runs on execute and subscribe alike: the refusal, or the hooks that add `extensions.cost`. */
  function check(args: { schema: GraphQLSchema; document: DocumentNode; operationName?: string | null; variableValues?: Record<string, unknown> | null; contextValue: unknown }, stop: (r: Result) => void) {
    const ctx = args.contextValue as GatewayContext;
    const budget = ctx.upstream?.budget;
    const { requested, complexity } = estimateCost({ schema: args.schema, document: args.document, operationName: args.operationName, variables: args.variableValues, model });
    const cost = (): CostExtension => ({
      requested,
      limit: maxCost,
      upstreamCalls: budget?.used ?? 0,
      upstreamCallLimit: budget && Number.isFinite(budget.limit) ? budget.limit : null,
    });
    const withCost = (r: Result): Result => ({ ...r, extensions: { ...r.extensions, cost: cost() } });
    if (requested > maxCost || complexity > maxComplexity) {
      const error = createGraphQLError(
        requested > maxCost
          ? `this operation may make ${requested} upstream calls, more than the ${maxCost} allowed; ask for fewer items (smaller first) or split the query`
          : `this operation's complexity is ${complexity}, more than the ${maxComplexity} allowed; select fewer fields or items, or split the query`,
        { extensions: { code: 'COST_LIMIT_EXCEEDED', cost: { requested, limit: maxCost, complexity, complexityLimit: maxComplexity }, ...(ctx.upstream?.requestId ? { requestId: ctx.upstream.requestId } : {}), http: { status: 400, spec: true } } },
      );
      stop(withCost({ errors: [error] }));
      return undefined;
    }
    const onNext = ({ result, setResult }: { result: unknown; setResult(r: Result): void }) => setResult(withCost(result as Result));
    return {
      done({ result, setResult }: { result: unknown; setResult(r: Result): void }) {
        if (isAsyncIterable(result)) return { onNext };
        setResult(withCost(result as Result));
        return undefined;
      },
    };
  }

  return {
    onExecute({ args, setResultAndStopExecution }) {
      const hooks = check(args, (r) => setResultAndStopExecution(r));
      if (!hooks) return undefined;
      return { onExecuteDone: (p) => hooks.done(p as never) };
    },
    onSubscribe({ args, setResultAndStopExecution }) {
      const hooks = check(args, (r) => setResultAndStopExecution(r));
      if (!hooks) return undefined;
      return { onSubscribeResult: (p) => hooks.done(p as never) };
    },
  };
}
