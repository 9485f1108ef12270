/**
 * The shape resolvers hand to every `XConnection` type: a Relay connection whose `totalCount` is
 * computed only when a client asks for it, and whose edges encode their cursor only when a client
 * reads `edges.cursor` (a `nodes`-only query encodes none).
 */
/** A Relay connection of models. */
export interface ConnectionModel<T = unknown> {
  /** The items with their cursors; `cursor` may be a getter that encodes on first read. */
  edges: ReadonlyArray<{ readonly cursor: string; readonly node: T }>;
  nodes: T[];
  pageInfo: { hasNextPage: boolean; endCursor: string | null };
  /** Exact total across providers, or null when some provider does not report one. */
  totalCount: () => Promise<number | null>;
}
