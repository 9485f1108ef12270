/**
 * GraphiQL as the gateway serves it: its files from this server (see `useGraphiQLAssets`), opening
 * on a dashboard query.
 */
import type { GraphiQLOptions } from 'graphql-yoga';
import { GRAPHIQL_ASSETS_PATH } from './plugins/use-graphiql-assets.ts';

/**
 * The query GraphiQL opens with: an operations dashboard across every provider. It answers the
 * questions a backup dashboard opens with: is every provider up; what ran lately; what failed in the
 * last 24 hours (counted by `jobStats`, whose window defaults to the last 24 hours, since a literal
 * cannot say "now - 24 h"; the rows are the newest FAILED jobs); which resources are at risk. Its
 * upstream cost per provider and route is written down in bench/dashboard-plan.ts.
 */
export const DASHBOARD_QUERY = `# Backup Graph: one GraphQL API over Bocada, Norcube, ByCloud and oCore.
# Press the run button for an operations dashboard across all providers.
# Ctrl-Space completes fields; the Docs panel (book icon) documents every type.
query OperationsDashboard {
  # Is every provider up?
  providers {
    id
    name
    health { status latencyMs message }
  }

  # What failed in the last 24 hours, everywhere? (the window defaults to the last 24 h)
  failuresLast24h: jobStats(filter: { status: [FAILED] }) {
    since
    total
    exact
    providers { provider { id } total }
  }
  # ...and the newest failures themselves, newest first across providers, with the reason
  recentFailures: jobs(first: 8, filter: { status: [FAILED] }) {
    nodes {
      provider { id }
      name
      createdAt
      failureReason
      resource { name }
    }
  }

  # Recent activity: the newest backup runs across providers, newest first (by when each was queued)
  recentJobs: jobs(first: 8) {
    nodes {
      provider { id }
      name
      status
      createdAt
      resource { name }
    }
  }

  # Is every resource within its RPO? Counts per status, and the worst resources first
  protection: protectionSummary {
    asOf
    exact
    total { protected atRisk unprotected unknown total }
    providers {
      provider { id }
      counts { protected atRisk unprotected unknown total }
    }
    atRisk: resources(first: 10) {
      provider { id }
      name
      protection { status reasons lastSuccessfulBackupAt rpoMet }
    }
  }
}
`;

const escapeHtml = (s: string) => s.replace(/[&<>"']/g, (c) => `&#${c.charCodeAt(0)};`);

/**
 * GraphiQL's page, loading its bundle, styles and editor workers from this gateway instead of a
 * CDN. Options are embedded as JSON (with `<` escaped, so no option can close the script).
 */
export function renderLocalGraphiQL(options: GraphiQLOptions = {}): string {
  const a = GRAPHIQL_ASSETS_PATH;
  const opts = JSON.stringify(options).replace(/</g, '\\u003c');
  const title = escapeHtml(options.title ?? 'GraphiQL');
  return `<!doctype html><html lang="en"><head><meta charset="utf-8"><title>${title}</title>
<link rel="stylesheet" href="${a}graphiql.css"></head>
<body id="body" class="no-focus-outline"><noscript>You need to enable JavaScript to run GraphiQL.</noscript><div id="root">Loading ${title}...</div>
<script>
function prepareBlob(r){return URL.createObjectURL(new Blob([r],{type:"application/javascript"}))}
const workers={},workerUrls={editorWorkerService:"${a}monacoeditorwork/editor.worker.bundle.js",json:"${a}monacoeditorwork/json.worker.bundle.js",graphql:"${a}monacoeditorwork/graphql.worker..bundle.js"};
function prepareWorkers(){return Promise.all(Object.entries(workerUrls).map(async([k,u])=>{workers[k]=prepareBlob(await (await fetch(u)).text())}))}
self.MonacoEnvironment={globalAPI:false,getWorkerUrl:function(_,label){return workers[label]}};
</script>
<script src="${a}yoga-graphiql.umd.js"></script>
<script>prepareWorkers().finally(()=>{YogaGraphiQL.renderYogaGraphiQL(root,${opts})})</script>
</body></html>`;
}
