/** Credentials as the simulators read them from a request. */
import type { SimRequest } from './router.ts';

/** The token of an `Authorization: Bearer <token>` header (scheme case-insensitive); null when there is none. */
export function bearerToken(req: SimRequest): string | null {
  const header = req.headers.authorization;
  const m = typeof header === 'string' ? /^Bearer\s+(\S+)\s*$/i.exec(header) : null;
  return m ? m[1] : null;
}
