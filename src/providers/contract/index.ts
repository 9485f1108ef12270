/**
 * The adapter contract every provider implements. Resolvers and loaders know only this; a
 * provider's wire format stays inside its own folder.
 */
export type { ListFilter, Page, PageRequest } from '../../domain/page.ts';
export type { RequestContext } from '../../upstream/request-context.ts';
export * from './adapter.ts';
export * from './actions.ts';
export * from './capabilities.ts';
export * from './lists.ts';
export * from './orders.ts';
export * from './progress.ts';
export * from './protection.ts';
export * from './health.ts';
export * from './organization-scope.ts';
export * from './resource-ref.ts';
