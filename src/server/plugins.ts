/**
 * Small yoga/envelop plugins, one idea each. Composed in order in `gateway.ts`.
 */
import type { Plugin } from 'graphql-yoga';
import type { GatewayContext } from './context.ts';

/**
 * Partial results: errors of single providers, collected in the context while resolving, are
 * appended to the response's `errors` next to the data the other providers returned.
 */
export function usePartialErrors(): Plugin<GatewayContext> {
  return {
    onExecute() {
      return {
        onExecuteDone({ args, result, setResult }) {
          const extra = (args.contextValue as GatewayContext).partialErrors;
          if (!extra?.length || !result || Symbol.asyncIterator in result) return;
          setResult({ ...result, errors: [...(result.errors ?? []), ...extra] });
        },
      };
    },
  };
}

/** Echoes the request id (the client's `X-Request-Id` or a generated one) on every response. */
export function useRequestIdHeader(requestIdOf: (request: Request) => string): Plugin {
  return {
    onResponse({ request, response }) {
      response.headers.set('x-request-id', requestIdOf(request));
    },
  };
}
