/**
 * The listing's floor: a hand-written server that answers the listing document with the same
 * bytes Backup Graph answers, from the same upstream page, doing only what that needs: node:http,
 * one undici GET `/backups?limit=20` (a keep-alive pool), JSON.parse, a loop mapping the 20 jobs to
 * the five selected fields exactly as the gateway maps them (global id, `<data source> · <created>`
 * name, file status, size, canonical ISO timestamp), JSON.stringify. No GraphQL, no validation, no
 * resilience: what is left when all of that costs nothing. The bench checks that its answer equals
 * the gateway's before it measures anything.
 *
 * The gateway's `extensions` (its cost report) are the same for every request of this document: the
 * bench passes them (`--extensions <json>`, read from the gateway's first answer) and the floor
 * appends them verbatim, so both answers have the same bytes.
 *
 * Run as a child: `node --import tsx bench/floor.ts --port N --upstream URL [--first 20] [--extensions JSON]`.
 */
import { createServer } from 'node:http';
import { parseArgs } from 'node:util';
import { Pool } from 'undici';

const { values } = parseArgs({ options: { port: { type: 'string' }, upstream: { type: 'string' }, first: { type: 'string' }, 'provider-id': { type: 'string' }, extensions: { type: 'string' } } });
const first = Number(values.first ?? 20);
const providerId = values['provider-id'] ?? 'norcube';
const pool = new Pool(values.upstream!, { connections: 64, pipelining: 1 });
const path = `/backups?limit=${first}`;
const extensions = values.extensions ? `,"extensions":${JSON.stringify(JSON.parse(values.extensions))}` : '';
const headers = { authorization: 'Bearer bench-token', accept: 'application/json' };

/** The gateway's global id (src/domain/ids.ts): base64url of `["bg1", provider, kind, native id]`. */
const globalId = (nativeId: string) => Buffer.from(JSON.stringify(['bg1', providerId, 'backup', nativeId]), 'utf8').toString('base64url');
/** Canonical ISO-8601 UTC with milliseconds; the spec's `...T11:00:00Z` form gets `.000` without a Date. */
const canonical = (s: string) => (s.length === 20 && s.endsWith('Z') ? `${s.slice(0, 19)}.000Z` : new Date(s).toISOString());

interface Job { jobId: string; datasourceId: string; datasourceName: string; jobCreatedAt: string; jobBytesWritten: number; jobStatus: string; jobDeletedAt?: string }

const server = createServer((req, res) => {
  req.resume();
  req.on('end', async () => {
    try {
      const up = await pool.request({ path, method: 'GET', headers });
      const page = (await up.body.json()) as { list: Job[] };
      const nodes = page.list.filter((j) => (j.jobStatus === 'success' || j.jobStatus === 'partial') && j.jobBytesWritten > 0).map((j) => {
        const createdAt = canonical(j.jobCreatedAt);
        return { id: globalId(`${j.datasourceId}/${j.jobId}`), name: `${j.datasourceName} · ${createdAt}`, status: j.jobDeletedAt ? 'EXPIRED' : 'AVAILABLE', createdAt, sizeBytes: j.jobBytesWritten };
      });
      const body = `{"data":${JSON.stringify({ backups: { nodes } })}${extensions}}`;
      res.writeHead(200, { 'content-type': 'application/json; charset=utf-8', 'content-length': Buffer.byteLength(body) });
      res.end(body);
    } catch (e) {
      res.writeHead(502, { 'content-type': 'application/json' });
      res.end(JSON.stringify({ errors: [{ message: String(e) }] }));
    }
  });
});
server.keepAliveTimeout = 60_000;
server.listen(Number(values.port), '127.0.0.1');
process.on('SIGTERM', () => {
  server.closeAllConnections();
  server.close(() => void pool.close().then(() => process.exit(0)));
});
