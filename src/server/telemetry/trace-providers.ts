/**
 * Internal spans around what resolvers ask of a provider: one per list page, per batch lookup and
 * per provider-specific field, so a trace reads request → root field → provider list/lookup →
 * upstream attempt. The adapters themselves know nothing of tracing: the registry's factories are
 * wrapped, and every adapter keeps exactly the lists, lookups and fields it implements (so its
 * capabilities stay what they were).
 *
 * Attributes: the provider id, the entity kind, the page size asked and whether it resumes, the
 * number of ids looked up. Never a cursor, a native id, a filter value or an argument.
 */
import type { Attributes, Tracer } from '@opentelemetry/api';
import type { PageRequest, ProviderAdapter, ProviderFieldResolvers, ProviderLists, ProviderLookups, RequestContext } from '../../providers/contract/index.ts';
import type { ProviderRegistry } from '../../providers/registry.ts';
import { markFailed } from './error-code.ts';

/** Span attribute names of provider operations. */
export const PROVIDER_ATTRIBUTES = {
  provider: 'backup_graph.provider',
  entity: 'backup_graph.entity',
  limit: 'backup_graph.page.limit',
  resumed: 'backup_graph.page.resumed',
  ids: 'backup_graph.lookup.ids',
  field: 'backup_graph.field',
} as const;

type AnyList = (req: PageRequest, ctx: RequestContext) => Promise<unknown>;
type AnyLookup = (nativeIds: readonly string[], ctx: RequestContext) => Promise<unknown>;

/** Runs `fn` in an active span named `name`; a failure sets status ERROR with its code only. */
function inSpan<T>(tracer: Tracer, name: string, attributes: Attributes, fn: () => Promise<T>): Promise<T> {
  return tracer.startActiveSpan(name, { attributes }, async (span) => {
    try {
      return await fn();
    } catch (e) {
      markFailed(span, e);
      throw e;
    } finally {
      span.end();
    }
  });
}

/** `adapter` with its lists, lookups and provider-specific fields each in a span. */
export function traceAdapter(adapter: ProviderAdapter, tracer: Tracer): ProviderAdapter {
  const A = PROVIDER_ATTRIBUTES;
  const provider = adapter.ref.id;
  // Each kind's function keeps its own signature; the maps are typed loosely only while built.
  const lists: Record<string, AnyList> = {};
  for (const [kind, list] of Object.entries(adapter.lists as Record<string, AnyList | undefined>)) {
    if (!list) continue;
    lists[kind] = (req, ctx) =>
      inSpan(tracer, `backup_graph.list ${kind}`, { [A.provider]: provider, [A.entity]: kind, [A.limit]: req.limit, [A.resumed]: req.after !== null }, () => list(req, ctx));
  }
  const lookups: Record<string, AnyLookup> = {};
  for (const [kind, lookup] of Object.entries(adapter.lookups as Record<string, AnyLookup | undefined>)) {
    if (!lookup) continue;
    lookups[kind] = (ids, ctx) =>
      inSpan(tracer, `backup_graph.lookup ${kind}`, { [A.provider]: provider, [A.entity]: kind, [A.ids]: ids.length }, () => lookup(ids, ctx));
  }
  let fieldResolvers: ProviderFieldResolvers | undefined;
  if (adapter.fieldResolvers) {
    fieldResolvers = {};
    for (const [type, fields] of Object.entries(adapter.fieldResolvers)) {
      fieldResolvers[type] = {};
      for (const [field, fn] of Object.entries(fields)) {
        fieldResolvers[type][field] = (model, args, ctx) =>
          inSpan(tracer, `backup_graph.field ${type}.${field}`, { [A.provider]: provider, [A.field]: `${type}.${field}` }, () => fn(model, args, ctx));
      }
    }
  }
  return {
    ...adapter,
    lists: lists as unknown as ProviderLists,
    lookups: lookups as unknown as ProviderLookups,
    ...(fieldResolvers ? { fieldResolvers } : {}),
  };
}

/** `registry` whose factories build {@link traceAdapter traced} adapters; kinds, SDL and names unchanged. */
export function traceRegistry(registry: ProviderRegistry, tracer: Tracer): ProviderRegistry {
  return Object.fromEntries(
    Object.entries(registry).map(([kind, entry]) => [kind, { ...entry, createAdapter: (options) => traceAdapter(entry.createAdapter(options), tracer) }]),
  );
}
