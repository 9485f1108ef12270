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
