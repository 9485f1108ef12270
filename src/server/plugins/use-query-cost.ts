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
import { getOperationAST, type DocumentNode, type ExecutionResult, type GraphQLSchema } from 'graphql';
import type { GatewayContext } from '../context.ts';
import { estimateCost, type CostEstimate, type CostModel } from '../cost/estimate-cost.ts';

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

/** Variables longer than this (as JSON) are estimated every time instead of being remembered. */
const CACHEABLE_VARIABLES_CHARS = 2048;
/** Estimates remembered per document (operation name and variables shapes); past it the oldest goes. */
const ESTIMATES_PER_DOCUMENT = 32;

/**
 * `estimateCost`, remembered per parsed document (yoga's parse cache hands the same document object
 * for the same text), operation name and variables: the estimate is a pure function of the schema,
 * the document, the operation and the variables, so a repeated request costs a lookup. Neither a
 * mutation's variables (inputs, which may hold a secret) nor large ones are kept: those are
 * estimated every time.
 */
function cachedEstimator(model: CostModel) {
  const bySchema = new WeakMap<GraphQLSchema, WeakMap<DocumentNode, Map<string, CostEstimate>>>();
  return (schema: GraphQLSchema, document: DocumentNode, operationName: string | null | undefined, variables: Record<string, unknown> | null | undefined): CostEstimate => {
    const given = variables && Object.keys(variables).length > 0;
    if (given && getOperationAST(document, operationName || undefined)?.operation === 'mutation') return estimateCost({ schema, document, operationName, variables, model });
    const vars = given ? JSON.stringify(variables) : '';
    if (vars.length > CACHEABLE_VARIABLES_CHARS) return estimateCost({ schema, document, operationName, variables, model });
    let byDocument = bySchema.get(schema);
    if (!byDocument) bySchema.set(schema, (byDocument = new WeakMap()));
    let estimates = byDocument.get(document);
    if (!estimates) byDocument.set(document, (estimates = new Map()));
    const key = `${operationName ?? ''}\u0000${vars}`;
    let estimate = estimates.get(key);
    if (!estimate) {
      estimate = estimateCost({ schema, document, operationName, variables, model });
      if (estimates.size >= ESTIMATES_PER_DOCUMENT) estimates.delete(estimates.keys().next().value!);
      estimates.set(key, estimate);
    }
    return estimate;
  };
}

/** Estimates, refuses over `maxCost`, and reports `extensions.cost` on every executed result. */
export function useQueryCost(options: QueryCostOptions): Plugin<GatewayContext> {
  const { model, maxCost = DEFAULT_MAX_COST, maxComplexity = DEFAULT_MAX_COMPLEXITY } = options;
  const estimate = cachedEstimator(model);

  /** `r` with `extensions.cost`: the estimate and what the request has spent so far. */
  function withCost(r: Result, ctx: GatewayContext, requested: number): Result {
    const budget = ctx.upstream?.budget;
    const cost: CostExtension = {
      requested,
      limit: maxCost,
      upstreamCalls: budget?.used ?? 0,
      upstreamCallLimit: budget && Number.isFinite(budget.limit) ? budget.limit : null,
    };
    return { ...r, extensions: { ...r.extensions, cost } };
  }

  /**
   * Runs on execute and subscribe alike: refuses (through `stop`) and answers undefined, or answers
   * the hook that adds `extensions.cost` to the result (to each event of a stream).
   */
  function check(args: { schema: GraphQLSchema; document: DocumentNode; operationName?: string | null; variableValues?: Record<string, unknown> | null; contextValue: unknown }, stop: (r: Result) => void) {
    const ctx = args.contextValue as GatewayContext;
    const { requested, complexity } = estimate(args.schema, args.document, args.operationName, args.variableValues);
    if (requested > maxCost || complexity > maxComplexity) {
      const error = createGraphQLError(
        requested > maxCost
          ? `this operation may make ${requested} upstream calls, more than the ${maxCost} allowed; ask for fewer items (smaller first) or split the query`
          : `this operation's complexity is ${complexity}, more than the ${maxComplexity} allowed; select fewer fields or items, or split the query`,
        { extensions: { code: 'COST_LIMIT_EXCEEDED', cost: { requested, limit: maxCost, complexity, complexityLimit: maxComplexity }, ...(ctx.upstream?.requestId ? { requestId: ctx.upstream.requestId } : {}), http: { status: 400, spec: true } } },
      );
      stop(withCost({ errors: [error] }, ctx, requested));
      return undefined;
    }
    return ({ result, setResult }: { result: unknown; setResult(r: Result): void }) => {
      if (!isAsyncIterable(result)) return void setResult(withCost(result as Result, ctx, requested));
      return { onNext: ({ result: event, setResult: setEvent }: { result: unknown; setResult(r: Result): void }) => setEvent(withCost(event as Result, ctx, requested)) };
    };
  }

  return {
    onExecute({ args, setResultAndStopExecution }) {
      const done = check(args, setResultAndStopExecution);
      return done && { onExecuteDone: done as never };
    },
    onSubscribe({ args, setResultAndStopExecution }) {
      const done = check(args, setResultAndStopExecution);
      return done && { onSubscribeResult: done as never };
    },
  };
}
