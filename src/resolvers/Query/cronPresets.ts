/**
 * `Query.cronPresets`: a provider's ready-made cron expressions.
 */
import type { QueryResolvers } from '../../generated/graphql.ts';
import { actionOf } from '../_shared/actions.ts';

/** Resolves `Query.cronPresets` of one provider instance; UNSUPPORTED_BY_PROVIDER when it has none. */
export const cronPresets: NonNullable<QueryResolvers['cronPresets']> = async (_p, { provider }, ctx) =>
  actionOf(ctx, provider, 'cronPresets', 'cron presets')(ctx.upstream);
