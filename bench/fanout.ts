/**
 * Benchmark: one oCore backup watched by 1, 100 and 1,000 graphql-sse subscribers (distinct
 * connections, one HTTP connection each). Prints the upstream streams opened, gateway heap per
 * subscriber (after GC, gateway in its own process) and relay latency (simulator event time ->
 * subscriber receipt) p50/p99 over the events emitted after every subscriber had joined.
 */
import { fork, type ChildProcess } from 'node:child_process';
import { once } from 'node:events';
import { createClient } from 'graphql-sse';
import { encodeGlobalId } from '../src/domain/ids.ts';

type Stats = { heapUsed: number; rss: number; hub: { openSources: number; sourcesOpened: number; subscribers: number }; upstreamStreamsOpened: number; upstreamStreamsOpen: number };

function ask(child: ChildProcess): Promise<Stats> {
  child.send({ type: 'stats' });
  return new Promise((resolve) => {
    const on = (m: any) => {
      if (m.type === 'stats') {
        child.off('message', on);
        resolve(m);
      }
    };
    child.on('message', on);
  });
}

const pct = (xs: number[], p: number) => {
  const s = [...xs].sort((a, b) => a - b);
  return s.length ? s[Math.min(s.length - 1, Math.floor((p / 100) * s.length))] : NaN;
};

async function triggerBackup(ocoreUrl: string, credential: string): Promise<string> {
  const h = { authorization: `Bearer ${credential}`, 'content-type': 'application/json' };
  const projects: any = await (await fetch(`${ocoreUrl}/api/projects`, { headers: h })).json();
  const envs: any = await (await fetch(`${ocoreUrl}/api/projects/${projects.projects[0].id}/environments`, { headers: h })).json();
  const res: any = await (await fetch(`${ocoreUrl}/api/environments/${envs.environments[0].id}/backups`, { method: 'POST', headers: h, body: JSON.stringify({ type: 'db' }) })).json();
  return res.backupId;
}

/** Runs one fan-out round with `n` subscribers; returns its measurements. */
export async function fanoutRound(n: number) {
  const child = fork(new URL('./fanout-server.ts', import.meta.url).pathname, [], {
    execArgv: ['--import', 'tsx', '--expose-gc'],
    env: { ...process.env, STEP_MS: '1500' },
    stdio: ['ignore', 'inherit', 'inherit', 'ipc'],
  });
  const [ready] = (await once(child, 'message')) as [{ url: string; ocoreUrl: string; credential: string }];
  try {
    const before = await ask(child);
    const backupId = await triggerBackup(ready.ocoreUrl, ready.credential);
    const id = encodeGlobalId('ocore', 'backup', backupId);
    const latencies: number[] = [];
    // Only events the provider emitted after everyone had joined count: the first event a late
    // subscriber gets is the latest state replayed, not a relay.
    let allJoinedAt = Infinity;
    let completed = 0;
    let subscribed = 0;
    let resolveAll!: () => void;
    const allDone = new Promise<void>((r) => (resolveAll = r));
    let resolveSubscribed!: () => void;
    const allSubscribed = new Promise<void>((r) => (resolveSubscribed = r));
    const clients = Array.from({ length: n }, () => createClient({ url: `${ready.url}/graphql`, singleConnection: false, retryAttempts: 0 }));
    for (const client of clients) {
      let first = true;
      client.subscribe<{ backupProgress: { at: string; done: boolean } }>(
        { query: `subscription($id: ID!) { backupProgress(backupId: $id) { status percent at done } }`, variables: { id } },
        {
          next: (r) => {
            if (first) {
              first = false;
              if (++subscribed === n) {
                allJoinedAt = Date.now();
                resolveSubscribed();
              }
              return;
            }
            const e = r.data?.backupProgress;
            if (e && Date.parse(e.at) >= allJoinedAt) latencies.push(Date.now() - Date.parse(e.at));
          },
          error: (e) => {
            console.error('subscription error', e);
            if (++completed === n) resolveAll();
          },
          complete: () => {
            if (++completed === n) resolveAll();
          },
        },
      );
    }
    await allSubscribed;
    const during = await ask(child);
    await allDone;
    const after = await ask(child);
    for (const c of clients) c.dispose();
    return {
      subscribers: n,
      upstreamStreamsOpened: after.upstreamStreamsOpened - before.upstreamStreamsOpened,
      upstreamStreamsOpenAfter: after.upstreamStreamsOpen,
      memoryPerSubscriberKiB: Math.round(((during.heapUsed - before.heapUsed) / n / 1024) * 10) / 10,
      liveEventsMeasured: latencies.length,
      relayLatencyP50Ms: pct(latencies, 50),
      relayLatencyP99Ms: pct(latencies, 99),
    };
  } finally {
    child.send({ type: 'stop' });
    await once(child, 'exit');
  }
}
