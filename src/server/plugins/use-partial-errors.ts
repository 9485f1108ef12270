/**
 * Partial results: errors of single providers, collected in the context while resolving, are
 * appended to the response's `errors` next to the data the other providers returned. Streamed
 * (subscription) results are left alone.
 */
import type { Plugin } from 'graphql-yoga';
import type { GatewayContext } from '../context.ts';

/** Appends the context's `partialErrors` to the execution result. */
export function usePartialErrors(): Plugin<GatewayContext> {
  // One hooks object for every execution: nothing is allocated per request.
  const hooks: OnExecuteHooks = {
    onExecuteDone({ args, result, setResult }) {
      const extra = (args.contextValue as GatewayContext).partialErrors;
      if (!extra?.length || !result || Symbol.asyncIterator in result) return;
      setResult({ ...result, errors: [...(result.errors ?? []), ...extra] });
    },
  };
  return {
    onExecute: () => hooks,
  };
}

type OnExecuteHooks = Exclude<ReturnType<NonNullable<Plugin<GatewayContext>['onExecute']>>, void | Promise<unknown>>;
