/**
 * Queries and mutations run compiled: once a document has been executed `compileAfter` times,
 * graphql-jit turns its operation into one JavaScript function per schema (field resolution,
 * leaf serialization and list completion inlined, no per-field `getArgumentValues`, no abstract
 * type lookups per item), kept as long as yoga's document cache keeps the parsed document. Until
 * then, and for a document graphql-jit cannot compile, graphql-js's own `execute` runs it, not
 * yoga's default executor (`@graphql-tools/executor`'s `normalizedExecutor`, which exists for
 * `@defer`/`@stream`, which the schema does not declare, and pays for them on every field).
 *
 * A document with a string literal holding graphql-jit's marker text (`__MAGIC_`) is never compiled.
 * graphql-jit writes a field's literal arguments into the generated code as JSON and then turns
 * every string that starts with its (public, fixed) Date marker into `new Date(<the rest>)`, the
 * rest copied raw: a caller's string literal could put any expression there, to run in the gateway
 * when the compiled query runs (checked against graphql-jit 0.8.9: a literal
 * `"__MAGIC_DATE__<uuid>0),x:(<expression>),y:(0"` runs the expression). Such a document runs
 * on graphql-js, which never generates code.
 *
 * Answers are the same either way, with one exception handled here: graphql-jit reports a
 * variable that does not coerce with its own error, without the variable's definition node that
 * the error masking needs (to code it BAD_USER_INPUT and not echo the value). A compiled run that
 * answers with no `data` at all (the only such answers are request errors) is run again by
 * graphql-js, which resolves nothing either and reports the error the way the rest of the gateway
 * expects. Subscriptions keep yoga's `subscribe` (their fan-out executes each event once anyway).
 *
 * Put it in the plugin list after yoga's own engine, which every user plugin follows.
 */
import { createRequire } from 'node:module';
import type * as GraphQLModule from 'graphql';
import type { DocumentNode, ExecutionArgs, ExecutionResult, GraphQLSchema } from 'graphql';
import { compileQuery, isCompiledQuery, type CompiledQuery } from 'graphql-jit';
import type { Plugin } from 'graphql-yoga';

/**
 * graphql as yoga, graphql-tools and the schema have it: Node's own resolution of the package. A
 * test runner may hand this file another copy of the module (its ESM build), whose `execute` would
 * refuse the schema as "from another module or realm".
 */
const { execute, visit, BREAK } = createRequire(import.meta.url)('graphql') as typeof GraphQLModule;

/** The text every marker graphql-jit substitutes in the code it generates starts with (`__MAGIC_DATE__…`, `__MAGIC_NAN__…`). */
const JIT_MARKER = '__MAGIC_';

/** True when a string literal anywhere in `document` (arguments, input objects, lists, defaults) holds {@link JIT_MARKER}. */
export function holdsJitMarker(document: DocumentNode): boolean {
  let found = false;
  visit(document, {
    StringValue(node) {
      if (!node.value.includes(JIT_MARKER)) return undefined;
      found = true;
      return BREAK;
    },
  });
  return found;
}

/** Options of {@link useCompiledExecution}. */
export interface CompiledExecutionOptions {
  /** Compile at all; false runs every query and mutation on graphql-js's `execute` (config `server.compileQueries`). @default true */
  compile?: boolean;
  /** Executions of a document (per operation) before it is compiled; one-off documents never pay for compiling. @default 2 */
  compileAfter?: number;
  /** Told once per operation graphql-jit could not compile (it then keeps running on graphql-js). */
  onCompileError?: (operationName: string | undefined, errors: readonly unknown[]) => void;
}

/** One operation of one document: how often it ran, and its compiled form once there is one (null: not compilable). */
interface Entry {
  runs: number;
  compiled?: CompiledQuery | null;
}

/** Runs queries and mutations compiled by graphql-jit once they repeat, else with graphql-js's `execute`. */
export function useCompiledExecution(options: CompiledExecutionOptions = {}): Plugin {
  const { compile = true, compileAfter = 2, onCompileError } = options;
  // Schema -> parsed document -> operation name: entries go when yoga's parser cache lets the document go.
  const entries = new WeakMap<GraphQLSchema, WeakMap<DocumentNode, Map<string, Entry>>>();

  function entryOf(args: ExecutionArgs): Entry {
    let byDocument = entries.get(args.schema);
    if (!byDocument) entries.set(args.schema, (byDocument = new WeakMap()));
    let byOperation = byDocument.get(args.document);
    if (!byOperation) byDocument.set(args.document, (byOperation = new Map()));
    const key = args.operationName ?? '';
    let entry = byOperation.get(key);
    if (!entry) byOperation.set(key, (entry = { runs: 0 }));
    return entry;
  }

  function compiledOf(args: ExecutionArgs): CompiledQuery | null {
    const entry = entryOf(args);
    if (entry.compiled !== undefined) return entry.compiled;
    if (++entry.runs < compileAfter) return null;
    if (holdsJitMarker(args.document)) return (entry.compiled = null);
    const result = compileQuery(args.schema, args.document, args.operationName ?? undefined);
    if (isCompiledQuery(result)) return (entry.compiled = result);
    onCompileError?.(args.operationName ?? undefined, result.errors ?? []);
    return (entry.compiled = null);
  }

  const run = (args: ExecutionArgs): ExecutionResult | Promise<ExecutionResult> => {
    const compiled = compiledOf(args);
    if (!compiled) return execute(args);
    const answer = compiled.query(args.rootValue, args.contextValue, args.variableValues);
    const again = (result: ExecutionResult) => ('data' in result ? result : execute(args));
    return answer instanceof Promise ? answer.then(again) : again(answer);
  };

  const executeFn = compile ? run : execute;
  return {
    // Only queries and mutations reach `onExecute`: subscriptions go through `onSubscribe`.
    onExecute({ setExecuteFn }) {
      setExecuteFn(executeFn as Parameters<typeof setExecuteFn>[0]);
    },
  };
}
