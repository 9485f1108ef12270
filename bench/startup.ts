/**
 * The production-start scenario: the gateway started as production starts it (`node
 * bin/backup-graph.js serve --config`, four providers configured, the simulators in another
 * process), several times: spawn -> first 200 on `/healthz` (ready), spawn -> first answer to a
 * GraphQL query (`{ providers { id name } }`, no upstream call), and the resident set once it has
 * answered and sat idle for a second. Reports whether the bin ran `dist/` (the `npm run build`
 * output) or the TypeScript sources through tsx.
 */
import { gatewayBuildMode, startGateway } from './lib/gateway.ts';
import { postJson } from './lib/load.ts';
import { round, rssMb } from './lib/proc.ts';
import { startSims } from './sims.ts';

/** Options of {@link startupScenario}. */
export interface StartupOptions {
  /** Starts measured (the median is reported). @default 3 */
  runs?: number;
  /** Idle time before RSS is read, ms. @default 1000 */
  idleMs?: number;
  log?: (line: string) => void;
}

/** What the scenario measured. */
export interface StartupFigures {
  /** What bin/backup-graph.js ran: `dist` (compiled) or `tsx` (transpiled at start-up). */
  mode: 'dist' | 'tsx';
  /** Why a build that exists was not run (the bin's own note), or null. */
  note: string | null;
  runs: number;
  /** Median spawn -> first 200 on /healthz, ms. */
  readyMs: number;
  /** Median spawn -> first answer to a GraphQL query, ms. */
  firstQueryMs: number;
  /** Median resident set after the first answer and `idleMs` of idleness, MB. */
  rssIdleMb: number;
  samples: Array<{ readyMs: number; firstQueryMs: number; rssIdleMb: number }>;
}

const median = (xs: number[]) => [...xs].sort((a, b) => a - b)[Math.floor(xs.length / 2)];

/** Runs the scenario; resolves with its figures. */
export async function startupScenario(options: StartupOptions = {}): Promise<StartupFigures> {
  const { runs = 3, idleMs = 1000 } = options;
  const build = await gatewayBuildMode();
  const sims = await startSims({ scale: 1 });
  const samples: StartupFigures['samples'] = [];
  try {
    for (let i = 0; i < runs; i++) {
      const gateway = await startGateway({ name: 'startup-gateway', providers: sims.providers });
      try {
        const readyMs = gateway.readyAt - gateway.spawnedAt;
        await postJson(gateway.graphql, JSON.stringify({ query: '{ providers { id name } }' }));
        const firstQueryMs = performance.now() - gateway.spawnedAt;
        await new Promise((r) => setTimeout(r, idleMs));
        samples.push({ readyMs: round(readyMs, 0), firstQueryMs: round(firstQueryMs, 0), rssIdleMb: rssMb(gateway.pid) });
      } finally {
        await gateway.stop();
      }
    }
  } finally {
    await sims.stop();
  }
  return {
    mode: build.mode,
    note: build.note,
    runs,
    readyMs: median(samples.map((s) => s.readyMs)),
    firstQueryMs: median(samples.map((s) => s.firstQueryMs)),
    rssIdleMb: median(samples.map((s) => s.rssIdleMb)),
    samples,
  };
}
