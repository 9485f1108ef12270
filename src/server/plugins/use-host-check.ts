/**
 * DNS-rebinding defence: while the gateway listens on a loopback address, a request whose `Host`
 * is not one of the names that address is reached by (`localhost`, `127.0.0.1`, `[::1]`, with the
 * port) is refused with 421 `MISDIRECTED_REQUEST` before anything else runs. A page on
 * `evil.example` that rebinds its name to 127.0.0.1 still sends `Host: evil.example`.
 */
import type { Plugin } from 'graphql-yoga';
import { codedErrorResponse } from '../errors.ts';

/** Options of {@link useHostCheck}. */
export interface HostCheckOptions {
  /** The accepted `Host` values (lowercase), or null to accept any (not bound to loopback, or not listening yet). */
  allowedHosts: () => ReadonlySet<string> | null;
}

/** True when `host` (as given to `listen`) is a loopback address or `localhost`. */
export function isLoopbackHost(host: string): boolean {
  const h = host.replace(/^\[|\]$/g, '').toLowerCase();
  return h === 'localhost' || h === '::1' || /^127\.\d{1,3}\.\d{1,3}\.\d{1,3}$/.test(h);
}

/** The `Host` values a loopback listener on `host`:`port` answers to. */
export function loopbackHosts(host: string, port: number): Set<string> {
  const h = host.replace(/^\[|\]$/g, '').toLowerCase();
  const names = new Set(['localhost', '127.0.0.1', '[::1]', h.includes(':') ? `[${h}]` : h]);
  return new Set([...names].map((n) => `${n}:${port}`));
}

/** Refuses requests for a host this listener does not serve. */
export function useHostCheck(options: HostCheckOptions): Plugin {
  return {
    onRequest({ request, endResponse, fetchAPI }) {
      const allowed = options.allowedHosts();
      if (!allowed) return;
      const host = (request.headers.get('host') ?? '').toLowerCase();
      if (allowed.has(host)) return;
      endResponse(codedErrorResponse(fetchAPI, 421, { code: 'MISDIRECTED_REQUEST', message: 'refused: this gateway is not served under that host name' }));
    },
  };
}
