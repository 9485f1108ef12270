/**
 * A small reader of the Prometheus text format (what `/metrics` answers), for tests: samples with
 * their labels, sums over a label filter, and a scrape over HTTP.
 */

/** One sample line: `name{label="value",...} 12`. */
export interface Sample {
  name: string;
  labels: Record<string, string>;
  value: number;
}

/** A parsed scrape. */
export interface Scrape {
  /** The text as served. */
  text: string;
  /** The `# TYPE` of each metric family. */
  types: Record<string, string>;
  samples: Sample[];
  /** Samples of `name` whose labels include every pair of `where`. */
  select(name: string, where?: Record<string, string>): Sample[];
  /** Sum of {@link select}'s values (0 when none). */
  sum(name: string, where?: Record<string, string>): number;
  /** Sums of `name`'s values grouped by the value of `label`. */
  by(name: string, label: string, where?: Record<string, string>): Record<string, number>;
}

const LINE = /^([a-zA-Z_:][a-zA-Z0-9_:]*)(?:\{(.*)\})?\s+(\S+)(?:\s+\d+)?$/;
const LABEL = /([a-zA-Z_][a-zA-Z0-9_]*)="((?:[^"\\]|\\.)*)"\s*,?/g;

const unescape = (v: string) => v.replace(/\\(.)/g, (_m, c: string) => (c === 'n' ? '\n' : c));

/** Parses Prometheus text format (0.0.4); throws on a line it cannot read. */
export function parseMetrics(text: string): Scrape {
  const types: Record<string, string> = {};
  const samples: Sample[] = [];
  for (const line of text.split('\n')) {
    if (line.trim() === '') continue;
    if (line.startsWith('#')) {
      const type = /^# TYPE (\S+) (\S+)$/.exec(line);
      if (type) types[type[1]] = type[2];
      continue;
    }
    const m = LINE.exec(line);
    if (!m) throw new Error(`not a Prometheus sample line: ${line}`);
    const labels: Record<string, string> = {};
    if (m[2]) {
      const rest = m[2].replace(LABEL, (_all, k: string, v: string) => {
        labels[k] = unescape(v);
        return '';
      });
      if (rest.trim() !== '') throw new Error(`unreadable labels in: ${line}`);
    }
    samples.push({ name: m[1], labels, value: Number(m[3]) });
  }
  const select = (name: string, where: Record<string, string> = {}) =>
    samples.filter((s) => s.name === name && Object.entries(where).every(([k, v]) => s.labels[k] === v));
  return {
    text,
    types,
    samples,
    select,
    sum: (name, where) => select(name, where).reduce((n, s) => n + s.value, 0),
    by(name, label, where) {
      const out: Record<string, number> = {};
      for (const s of select(name, where)) out[s.labels[label]] = (out[s.labels[label]] ?? 0) + s.value;
      return out;
    },
  };
}

/** GETs `url` + `path` and parses it; fails unless it is a 200 in Prometheus text format. */
export async function scrape(url: string, path = '/metrics'): Promise<Scrape> {
  const res = await fetch(`${url}${path}`);
  const text = await res.text();
  if (res.status !== 200) throw new Error(`scrape answered ${res.status}: ${text.slice(0, 200)}`);
  if (!res.headers.get('content-type')?.startsWith('text/plain')) throw new Error(`scrape content type ${res.headers.get('content-type')}`);
  return parseMetrics(text);
}
