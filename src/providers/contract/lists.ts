/**
 * How an adapter reads: lists, batch lookups by native id, and the provider-specific fields that
 * need their own upstream call.
 *
 * Order of a list: a time-stamped list (jobs, backups, alerts) answers newest first by `createdAt`
 * (ties in a stable order of the adapter's choosing), a list made of several upstream lists merging
 * them (`mergedPage` in `src/domain/merge.ts`); the others answer in the provider's own stable
 * order. A request with `order` asks for one of the adapter's declared `orders` (`orders.ts`).
 */
import type { EntityKind, ModelOf } from '../../domain/models.ts';
import type { Page, PageRequest } from '../../domain/page.ts';
import type { RequestContext } from '../../upstream/request-context.ts';

/** Lists this adapter supports, by entity kind (each in the order the header says). */
export type ProviderLists = { [K in EntityKind]?: (req: PageRequest, ctx: RequestContext) => Promise<Page<ModelOf[K]>> };

/**
 * Batch lookups by native id, by entity kind. Answers one entry per id, in order: the model, null
 * when the provider says it does not exist, or an Error for that id alone.
 */
export type ProviderLookups = {
  [K in EntityKind]?: (nativeIds: readonly string[], ctx: RequestContext) => Promise<Array<ModelOf[K] | null | Error>>;
};

/**
 * Lazily loaded provider-specific fields, by concrete GraphQL type then field name (e.g.
 * `BocadaJob.timeline`). The gateway wires each into a resolver; the function receives the model
 * the adapter produced and the field's arguments, and returns domain values (never wire DTOs).
 */
export type ProviderFieldResolvers = Record<
  string,
  Record<string, (model: any, args: Record<string, unknown>, ctx: RequestContext) => Promise<unknown>>
>;
