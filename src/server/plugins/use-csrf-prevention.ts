/**
 * What a page on another origin can make a browser send without asking (a "simple" request) never
 * runs on the GraphQL endpoint:
 * - a POST whose body is a form (`application/x-www-form-urlencoded`, `multipart/form-data`),
 *   `text/plain`, or has no content type is refused with 415 `UNSUPPORTED_MEDIA_TYPE` before it is
 *   read (yoga would otherwise run urlencoded and multipart bodies, mutations included), always;
 * - with `requireHeaders` (access control on), a GET must carry one of `requireHeaders`, which a
 *   browser only sends after a CORS preflight (yoga's `csrfPrevention` idea); else 403
 *   `CSRF_PREVENTED`.
 */
import type { Plugin } from 'graphql-yoga';
import { codedErrorResponse } from '../errors.ts';

/** Options of {@link useCsrfPrevention}. */
export interface CsrfPreventionOptions {
  /** The GraphQL endpoint's path. */
  endpoint: string;
  /** Headers of which a GET must carry one (lowercase). Empty: GETs are not checked. @default [] */
  requireHeaders?: readonly string[];
}

/** The content types a cross-origin page can POST without a preflight. */
const SIMPLE_TYPES = new Set(['application/x-www-form-urlencoded', 'multipart/form-data', 'text/plain', '']);

/** Refuses form and plain-text POSTs (and, with `requireHeaders`, GETs without one of them). */
export function useCsrfPrevention(options: CsrfPreventionOptions): Plugin {
  const { endpoint, requireHeaders = [] } = options;
  const refusalOf = (status: number, code: string, message: string) => ({ status, code, message });
  return {
    onRequest({ request, url, endResponse, fetchAPI }) {
      if (url.pathname !== endpoint) return;
      let refusal: ReturnType<typeof refusalOf> | null = null;
      if (request.method === 'POST') {
        const header = request.headers.get('content-type') ?? '';
        // The usual answer at once: a JSON body is never one of the simple types.
        if (header.startsWith('application/json')) return;
        const type = header.split(';')[0].trim().toLowerCase();
        if (SIMPLE_TYPES.has(type)) refusal = refusalOf(415, 'UNSUPPORTED_MEDIA_TYPE', `Unsupported Media Type: send the GraphQL request as application/json, not ${type || 'without a content type'} (forms and plain text never run)`);
      } else if ((request.method === 'GET' || request.method === 'HEAD') && requireHeaders.length > 0) {
        if (!requireHeaders.some((h) => request.headers.has(h))) refusal = refusalOf(403, 'CSRF_PREVENTED', `refused: a GET must carry one of these headers: ${requireHeaders.join(', ')}`);
      }
      if (!refusal) return;
      endResponse(codedErrorResponse(fetchAPI, refusal.status, refusal));
    },
  };
}
