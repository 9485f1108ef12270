/**
 * `ProviderKind`: each GraphQL value (`BOCADA`) stands for its provider registry key (`bocada`),
 * which `ProviderRef.kind` carries. Providers add their value to the enum in their own SDL.
 */
import type { ProviderKindResolvers } from '../generated/graphql.ts';
import type { ProviderSet } from '../providers/registry.ts';

/** The internal value of the `ProviderKind` value of every configured provider's kind. */
export function providerKindValues(providers: ProviderSet): ProviderKindResolvers {
  return Object.fromEntries(providers.list.map((a) => [a.ref.kind.toUpperCase(), a.ref.kind]));
}
