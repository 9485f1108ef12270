/**
 * What a job, backup or alert record already says of its resource: the resource's concrete type
 * and its name, as the provider's list record carries them (Norcube `datasourceName`, oCore
 * `environmentName`, a ByCloud backup's volume tag or stamped name). A `resource` selection of
 * only `id`, `name` and `__typename` resolves from it without a lookup (src/resolvers/_shared/entity.ts);
 * any other selection looks the resource up. An adapter attaches it only when the record's name is
 * the name the resource itself would show.
 */
import type { ModelBase } from '../../domain/models.ts';

/** The resource as its job, backup or alert record names it. */
export interface ResourceRef {
  /** The concrete GraphQL type of the resource (`NorcubeDataSource`, `OcoreEnvironment`...). */
  typename: string;
  /** Its name, as `Resource.name` shows it. */
  name: string;
}

/** The model field a {@link ResourceRef} travels in. */
const FIELD = 'resourceRef';

/** `model` with its resource named by its own record; an empty or missing name attaches nothing. Returns `model`. */
export function withResourceRef<T extends ModelBase>(model: T, typename: string, name: unknown): T {
  if (typeof name === 'string' && name.trim() !== '') (model as ModelBase)[FIELD] = { typename, name } satisfies ResourceRef;
  return model;
}

/** The resource as `model`'s record names it, or null. */
export function resourceRefOf(model: ModelBase): ResourceRef | null {
  const r = model[FIELD] as ResourceRef | undefined;
  return r && typeof r.typename === 'string' && typeof r.name === 'string' ? r : null;
}
