/**
 * The `resource` link of a job, backup or alert without a lookup, when the selection asks for
 * nothing its own record does not already say: only `id`, `name` and `__typename` (through
 * fragments too), and the record names its resource (`resourceRef`, see
 * src/providers/contract/resource-ref.ts). Any other field, or a record that names none, loads the
 * resource as before.
 */
import { Kind, type FieldNode, type GraphQLResolveInfo, type SelectionSetNode } from 'graphql';
import type { ModelBase, ResourceModel } from '../../domain/models.ts';
import { resourceRefOf } from '../../providers/contract/index.ts';

/** The fields a record's own naming of its resource answers. */
const NAMED_FIELDS = new Set(['id', 'name', '__typename']);

/** Per `fieldNodes` (graphql-js reuses the array for every item of a list): whether only {@link NAMED_FIELDS} are selected. */
const onlyNamedFields = new WeakMap<readonly FieldNode[], boolean>();

function selectsOnly(set: SelectionSetNode | undefined, info: GraphQLResolveInfo, seen: Set<string>): boolean {
  for (const s of set?.selections ?? []) {
    if (s.kind === Kind.FIELD) {
      if (!NAMED_FIELDS.has(s.name.value) || s.selectionSet) return false;
    } else if (s.kind === Kind.INLINE_FRAGMENT) {
      if (!selectsOnly(s.selectionSet, info, seen)) return false;
    } else {
      const name = s.name.value;
      if (seen.has(name)) continue;
      seen.add(name);
      const fragment = info.fragments[name];
      if (!fragment || !selectsOnly(fragment.selectionSet, info, seen)) return false;
    }
  }
  return true;
}

/** Whether the `resource` field being resolved selects only `id`, `name` and `__typename`. */
export function selectsResourceNameOnly(info: GraphQLResolveInfo): boolean {
  let only = onlyNamedFields.get(info.fieldNodes);
  if (only === undefined) {
    const seen = new Set<string>();
    only = info.fieldNodes.every((f) => selectsOnly(f.selectionSet, info, seen));
    onlyNamedFields.set(info.fieldNodes, only);
  }
  return only;
}

/**
 * The resource `resourceNativeId` of `m` as `m`'s record names it, when the selection allows
 * (see {@link selectsResourceNameOnly}); null when it must be looked up. The model carries only
 * what the selection reads (type, organization and dates are not known here).
 */
export function namedResourceOf(m: ModelBase & { organizationNativeId?: string | null }, resourceNativeId: string, info: GraphQLResolveInfo): ResourceModel | null {
  const ref = resourceRefOf(m);
  if (!ref || !selectsResourceNameOnly(info)) return null;
  return { typename: ref.typename, provider: m.provider, nativeId: resourceNativeId, name: ref.name, type: null, organizationNativeId: m.organizationNativeId ?? null, createdAt: null };
}
