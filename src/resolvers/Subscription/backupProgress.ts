/**
 * `Subscription.backupProgress`: live progress of a backup being made.
 */
import type { SubscriptionResolvers } from '../../generated/graphql.ts';
import { progressSubscription } from '../_shared/progress.ts';

/** Resolves `Subscription.backupProgress`: the latest state first, then every change, ending with a `done` event. */
export const backupProgress: NonNullable<SubscriptionResolvers['backupProgress']> = progressSubscription('backup');
