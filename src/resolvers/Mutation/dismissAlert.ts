/**
 * `Mutation.dismissAlert`: dismisses an alert.
 */
import type { MutationResolvers } from '../../generated/graphql.ts';
import { alertAction } from '../_shared/actions.ts';

/** Resolves `Mutation.dismissAlert`: the alert after the provider dismissed it. */
export const dismissAlert: NonNullable<MutationResolvers['dismissAlert']> = alertAction('dismissAlert', 'dismissing an alert');
