/**
 * `Query.retentionPreview`: what a retention change would delete (read through a POST upstream).
 */
import { decodeGlobalIdOf, encodeGlobalId } from '../../domain/ids.ts';
import { checkRetention } from '../../domain/validation.ts';
import type { QueryResolvers } from '../../generated/graphql.ts';
import { actionOf, withoutNulls, withProviderMessage } from '../_shared/actions.ts';

/** Resolves `Query.retentionPreview`: the backups the provider would delete, each with its global id; BAD_USER_INPUT before any upstream call. */
export const retentionPreview: NonNullable<QueryResolvers['retentionPreview']> = async (_p, { resourceId, retention }, ctx) => {
  const r = decodeGlobalIdOf(resourceId, 'resource', 'resourceId');
  checkRetention(retention, 'retention');
  const act = actionOf(ctx, r.providerId, 'retentionPreview', 'retention preview');
  const preview = await withProviderMessage(() => act(r.nativeId, withoutNulls(retention), ctx.upstream));
  return {
    totalSizeBytes: preview.totalSizeBytes,
    items: preview.items.map((i) => ({ ...i, backupId: encodeGlobalId(r.providerId, 'backup', i.backupNativeId) })),
  };
};
