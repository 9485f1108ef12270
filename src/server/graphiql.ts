/**
 * GraphiQL as the gateway serves it: its files from this server (see `useGraphiQLAssets`), opening
 * on a dashboard query.
 */
import type { GraphiQLOptions } from 'graphql-yoga';
import { GRAPHIQL_ASSETS_PATH } from './plugins/use-graphiql-assets.ts';

/** The query GraphiQL opens with: an operations dashboard across every provider. */
export const DASHBOARD_QUERY = `# Backup Graph: one GraphQL API over Bocada, Norcube, ByCloud and oCore.
# Press the run button for an operations dashboard across all providers.
# Ctrl-Space completes fields; the Docs panel (book icon) documents every type.
query OperationsDashboard {
  providers {
    id
    kind
    name
    health { status latencyMs }
  }
  recentJobs: jobs(first: 9) {
    nodes {
      provider { id }
      name
      operation
      status
      providerStatus
      startedAt
      resource { name }
    }
  }
  recentBackups: backups(first: 9) {
    nodes {
      provider { id }
      name
      status
      sizeBytes
      createdAt
      resource { name }
    }
  }
  alerts(first: 5) {
    nodes { severity type message createdAt resource { name } }
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
