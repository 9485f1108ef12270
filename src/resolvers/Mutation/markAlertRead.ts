/**
 * `Mutation.markAlertRead`: marks an alert as read.
 */
import type { MutationResolvers } from '../../generated/graphql.ts';
import { alertAction } from '../_shared/actions.ts';

/** Resolves `Mutation.markAlertRead`: the alert after the provider marked it read. */
export const markAlertRead: NonNullable<MutationResolvers['markAlertRead']> = alertAction('markAlertRead', 'marking an alert read');
