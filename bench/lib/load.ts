/**
 * The load generator: autocannon in the bench's own process (never the server's), one POST body
 * repeated over N keep-alive connections, with the server process's CPU time read from /proc
 * around the measured window.
 */
import autocannon from 'autocannon';
import { cpuMs, round } from './proc.ts';

/** One measured window against one server. */
export interface LoadFigures {
  /** Answers received in the window (any status). */
  requests: number;
  non2xx: number;
  /** Socket errors and timeouts. */
  errors: number;
  durationS: number;
  rps: number;
  p50Ms: number;
  p99Ms: number;
  /** CPU time (user + system) of the server process tree in the window, ms. */
  cpuMs: number;
  /** cpuMs / requests. */
  cpuMsPerRequest: number;
}

/** Options of {@link runLoad}. */
export interface LoadOptions {
  url: string;
  /** The JSON body POSTed on every request. */
  body: string;
  connections: number;
  durationS: number;
  /** The server's pid: its CPU time (and its children's) is read before and after the window. */
  pid?: number;
  headers?: Record<string, string>;
}

/** Runs one autocannon window; resolves with its figures. */
export async function runLoad(options: LoadOptions): Promise<LoadFigures> {
  const { url, body, connections, durationS, pid, headers = {} } = options;
  const cpuBefore = pid ? cpuMs(pid) : 0;
  const started = performance.now();
  const result = await autocannon({
    url,
    method: 'POST',
    headers: { 'content-type': 'application/json', ...headers },
    body,
    connections,
    duration: durationS,
    timeout: 30,
  });
  const elapsedS = (performance.now() - started) / 1000;
  const cpu = pid ? cpuMs(pid) - cpuBefore : 0;
  const requests = result.requests.total;
  return {
    requests,
    non2xx: result.non2xx,
    errors: result.errors + result.timeouts,
    durationS: round(elapsedS, 2),
    rps: round(requests / elapsedS, 0),
    p50Ms: result.latency.p50,
    p99Ms: result.latency.p99,
    cpuMs: cpu,
    cpuMsPerRequest: requests > 0 ? round(cpu / requests, 3) : NaN,
  };
}

/** POSTs `body` once and answers the parsed JSON (throws on a non-200). */
export async function postJson(url: string, body: string, headers: Record<string, string> = {}): Promise<any> {
  const res = await fetch(url, { method: 'POST', headers: { 'content-type': 'application/json', ...headers }, body, signal: AbortSignal.timeout(60_000) });
  const text = await res.text();
  if (res.status !== 200) throw new Error(`${url}: HTTP ${res.status}: ${text.slice(0, 500)}`);
  return JSON.parse(text);
}

/** Sends `count` requests one after another (warm-up: JIT, connection pools, caches). */
export async function warmUp(url: string, body: string, count: number, concurrency = 4): Promise<void> {
  let left = count;
  await Promise.all(Array.from({ length: concurrency }, async () => {
    while (left-- > 0) {
      const res = await fetch(url, { method: 'POST', headers: { 'content-type': 'application/json' }, body });
      await res.arrayBuffer();
    }
  }));
}

const percentile = (sorted: number[], p: number) => (sorted.length ? sorted[Math.min(sorted.length - 1, Math.ceil((p / 100) * sorted.length) - 1)] : NaN);

/**
 * A closed loop of `connections` clients, each sending its next request when its last answer is
 * in, none starting after `durationS`; resolves once every request started has been answered, so
 * every upstream call counted in the window belongs to an answered request (what autocannon,
 * which abandons requests in flight at its end, cannot promise for slow requests).
 */
export async function runClosedLoop(options: LoadOptions): Promise<LoadFigures> {
  const { url, body, connections, durationS, pid, headers = {} } = options;
  const cpuBefore = pid ? cpuMs(pid) : 0;
  const started = performance.now();
  const ends = started + durationS * 1000;
  const latencies: number[] = [];
  let non2xx = 0;
  let errors = 0;
  await Promise.all(Array.from({ length: connections }, async () => {
    while (performance.now() < ends) {
      const t = performance.now();
      try {
        const res = await fetch(url, { method: 'POST', headers: { 'content-type': 'application/json', ...headers }, body, signal: AbortSignal.timeout(120_000) });
        await res.arrayBuffer();
        if (res.status < 200 || res.status > 299) non2xx++;
        latencies.push(performance.now() - t);
      } catch {
        errors++;
      }
    }
  }));
  const elapsedS = (performance.now() - started) / 1000;
  const cpu = pid ? cpuMs(pid) - cpuBefore : 0;
  latencies.sort((a, b) => a - b);
  const requests = latencies.length;
  return {
    requests,
    non2xx,
    errors,
    durationS: round(elapsedS, 2),
    rps: round(requests / elapsedS, 1),
    p50Ms: round(percentile(latencies, 50), 0),
    p99Ms: round(percentile(latencies, 99), 0),
    cpuMs: cpu,
    cpuMsPerRequest: requests > 0 ? round(cpu / requests, 3) : NaN,
  };
}
