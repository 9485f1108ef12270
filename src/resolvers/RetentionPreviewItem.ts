/**
 * `RetentionPreviewItem`: a backup the retention preview says would be deleted.
 */
import { decodeGlobalId } from '../domain/ids.ts';
import type { RetentionPreviewItemResolvers } from '../generated/graphql.ts';
import type { RetentionPreviewItem as ProviderRetentionPreviewItem } from '../providers/contract/index.ts';

/** What `Query.retentionPreview` hands over per item (codegen's mapper): the adapter's item with the backup's global id. */
export type RetentionPreviewItemModel = ProviderRetentionPreviewItem & { backupId: string };

/** Resolvers of `RetentionPreviewItem`: the backup itself, loaded from the provider the item came from. */
export const RetentionPreviewItem: RetentionPreviewItemResolvers = {
  backup: (i, _a, ctx) => ctx.loaders.load('backup', decodeGlobalId(i.backupId).providerId, i.backupNativeId),
};
