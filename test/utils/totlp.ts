/**
 * A tiny OTLP/HTTP trace receiver for tests: `POST /v1/traces` with the JSON encoding (what
 * `@opentelemetry/exporter-trace-otlp-http` sends), decoded into flat spans with plain attribute
 * values. Listens on loopback port 0; closed after the importing file's tests.
 */
import { createServer, type IncomingHttpHeaders } from 'node:http';
import type { AddressInfo } from 'node:net';
import { disposeAfterAll } from './leftovers.ts';

/** An attribute value as the tests read it. */
export type AttrValue = string | number | boolean | AttrValue[] | null;

/** One received span. */
export interface ReceivedSpan {
  traceId: string;
  spanId: string;
  /** Empty for a root span. */
  parentSpanId: string;
  name: string;
  /** OTLP span kind: 1 internal, 2 server, 3 client. */
  kind: number;
  attributes: Record<string, AttrValue>;
  /** OTLP status code: 0 unset, 1 ok, 2 error. */
  status: { code: number; message?: string };
  /** The resource's attributes (`service.name`). */
  resource: Record<string, AttrValue>;
}

/** OTLP span kinds. */
export const SPAN_KIND = { internal: 1, server: 2, client: 3 } as const;

/** A running receiver. */
export interface TOtlp {
  /** The base URL to configure as `telemetry.otlpEndpoint` (the exporter appends `/v1/traces`). */
  url: string;
  /** Every span received so far, in arrival order. */
  spans: ReceivedSpan[];
  /** The headers of every export request. */
  requests: IncomingHttpHeaders[];
  /** Every raw export body (to scan for secrets). */
  bodies: string[];
  /** Forgets what was received. */
  reset(): void;
  close(): Promise<void>;
}

interface OtlpAnyValue {
  stringValue?: string;
  boolValue?: boolean;
  intValue?: number | string;
  doubleValue?: number;
  arrayValue?: { values?: OtlpAnyValue[] };
}
interface OtlpKeyValue {
  key: string;
  value: OtlpAnyValue;
}

function valueOf(v: OtlpAnyValue | undefined): AttrValue {
  if (!v) return null;
  if (v.stringValue !== undefined) return v.stringValue;
  if (v.boolValue !== undefined) return v.boolValue;
  if (v.intValue !== undefined) return Number(v.intValue);
  if (v.doubleValue !== undefined) return v.doubleValue;
  if (v.arrayValue) return (v.arrayValue.values ?? []).map(valueOf);
  return null;
}

const attrsOf = (kvs: OtlpKeyValue[] | undefined): Record<string, AttrValue> => Object.fromEntries((kvs ?? []).map((kv) => [kv.key, valueOf(kv.value)]));

/** Decodes one JSON `ExportTraceServiceRequest` into flat spans. */
export function decodeTraces(json: any): ReceivedSpan[] {
  const out: ReceivedSpan[] = [];
  for (const rs of json.resourceSpans ?? []) {
    const resource = attrsOf(rs.resource?.attributes);
    for (const ss of rs.scopeSpans ?? []) {
      for (const s of ss.spans ?? []) {
        out.push({
          traceId: s.traceId,
          spanId: s.spanId,
          parentSpanId: s.parentSpanId ?? '',
          name: s.name,
          kind: s.kind,
          attributes: attrsOf(s.attributes),
          status: { code: s.status?.code ?? 0, ...(s.status?.message ? { message: s.status.message } : {}) },
          resource,
        });
      }
    }
  }
  return out;
}

/** Starts a receiver on loopback. */
export async function totlp(): Promise<TOtlp> {
  const spans: ReceivedSpan[] = [];
  const requests: IncomingHttpHeaders[] = [];
  const bodies: string[] = [];
  const server = createServer(async (req, res) => {
    const chunks: Buffer[] = [];
    for await (const c of req) chunks.push(c as Buffer);
    const body = Buffer.concat(chunks).toString('utf8');
    if (req.method !== 'POST' || req.url !== '/v1/traces' || !String(req.headers['content-type']).startsWith('application/json')) {
      res.writeHead(404).end();
      return;
    }
    requests.push(req.headers);
    bodies.push(body);
    spans.push(...decodeTraces(JSON.parse(body)));
    res.writeHead(200, { 'content-type': 'application/json' }).end('{}');
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', () => resolve()));
  const { port } = server.address() as AddressInfo;
  let closed: Promise<void> | undefined;
  return disposeAfterAll({
    url: `http://127.0.0.1:${port}`,
    spans,
    requests,
    bodies,
    reset() {
      spans.length = 0;
      requests.length = 0;
      bodies.length = 0;
    },
    close() {
      closed ??= new Promise<void>((resolve) => {
        server.closeAllConnections();
        server.close(() => resolve());
      });
      return closed;
    },
  });
}
