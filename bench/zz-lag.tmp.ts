import { startGateway } from './lib/gateway.ts';
import { runClosedLoop } from './lib/load.ts';
import { startSims } from './sims.ts';
import { DASHBOARD_CALL_BUDGET } from './dashboard.ts';
import { readFileSync } from 'node:fs';
const src = readFileSync('src/server/graphiql.ts', 'utf8');
const doc = src.slice(src.indexOf('query OperationsDashboard'), src.indexOf('`', src.indexOf('query OperationsDashboard')));
const sims = await startSims({ scale: 100 });
const gateway = await startGateway({ name: 'zz', providers: sims.providers, logLevel: 'warn', config: { limits: { maxUpstreamCallsPerRequest: DASHBOARD_CALL_BUDGET } } });
await sims.setLatency(20);
const body = JSON.stringify({ query: doc });
try {
  await runClosedLoop({ url: gateway.graphql, body, connections: 4, durationS: 6 });
  const m0 = await (await fetch(`${gateway.url}/metrics`)).text();
  const f = await runClosedLoop({ url: gateway.graphql, body, connections: 4, durationS: 20, pid: gateway.pid });
  const m = await (await fetch(`${gateway.url}/metrics`)).text();
  console.log(JSON.stringify(f));
  console.log(m.split('\n').filter((l) => /eventloop_lag/.test(l) && !l.startsWith('#')).join('\n'));
} finally { await gateway.stop(); await sims.stop(); }
