/**
 * `Subscription.restoreProgress`: live progress of the latest restore from a backup.
 */
import type { SubscriptionResolvers } from '../../generated/graphql.ts';
import { progressSubscription } from '../_shared/progress.ts';

/** Resolves `Subscription.restoreProgress`: the latest state first, then every change, ending with a `done` event. */
export const restoreProgress: NonNullable<SubscriptionResolvers['restoreProgress']> = progressSubscription('restore');
