/**
 * The shape resolvers hand to every `XConnection` type: a Relay connection whose `totalCount` is
 * computed only when a client asks for it.
 */
/** A Relay connection of models. */
export interface ConnectionModel<T = unknown> {
  edges: Array<{ cursor: string; node: T }>;
  nodes: T[];
  pageInfo: { hasNextPage: boolean; endCursor: string | null };
  /** Exact total across providers, or null when some provider does not report one. */
  totalCount: () => Promise<number | null>;
}
