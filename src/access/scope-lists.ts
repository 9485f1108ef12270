/**
 * A provider's list narrowed to the organizations a caller may see, pushed down as the list's own
 * `organizationId` filter (never read whole and filtered here): one organization is one filtered
 * list; several organizations of one provider are read one after another, behind one resume token
 * (merged in the list's order, when it has one: `mergedPage`).
 * An `organizationId` the client asks for outside the scope is an empty list, not an error.
 */
import { badUserInput } from '../domain/errors.ts';
import type { EntityKind, EntityModel } from '../domain/models.ts';
import { mergedPage } from '../domain/merge.ts';
import { DEFAULT_ORDERS, orderingOf } from '../domain/merge-order.ts';
import type { Page, PageRequest } from '../domain/page.ts';
import type { RequestContext } from '../upstream/request-context.ts';

/** A list of one adapter (its request context not yet bound). */
export type AdapterList<T> = (req: PageRequest, ctx: RequestContext) => Promise<Page<T>>;

const EMPTY: Page<never> = Object.freeze({ items: [], next: null, total: 0 }) as Page<never>;
/** Resume tokens of a list over several organizations: `s1:<organization index>:<that list's own token or empty>`. */
const TOKEN = /^s1:(\d{1,4}):(.*)$/s;

/**
 * Whether `model` (of `kind`) belongs to one of `allowed`, judged from what it says itself: an
 * organization by its own id, anything else by `organizationNativeId`. A record that names no
 * organization (one-organization providers) passes: the provider was asked with the filter.
 */
export function inAllowedOrganization(kind: EntityKind, model: EntityModel, allowed: readonly string[]): boolean {
  if (kind === 'organization') return allowed.includes(model.nativeId);
  const org = model.organizationNativeId;
  return typeof org !== 'string' || allowed.includes(org);
}

/** `list` as a caller limited to `allowed` (native organization ids of this provider, non-empty) sees it. */
export function scopedList<T extends EntityModel>(kind: EntityKind, list: AdapterList<T>, allowed: readonly string[]): AdapterList<T> {
  const keep = (p: Page<T>): Page<T> => {
    const items = p.items.filter((m) => inAllowedOrganization(kind, m, allowed));
    return items.length === p.items.length ? p : { ...p, items };
  };
  const one = (req: PageRequest, organizationId: string, ctx: RequestContext) =>
    list({ ...req, filter: { ...req.filter, organizationId } }, ctx);

  return async (req, ctx) => {
    const asked = req.filter.organizationId;
    if (asked !== undefined) return allowed.includes(asked) ? keep(await list(req, ctx)) : EMPTY;
    if (allowed.length === 0) return EMPTY;
    if (allowed.length === 1) return keep(await one(req, allowed[0], ctx));
    // An ordered list (time-stamped lists newest first, or an orderBy): the organizations' lists merged in that order.
    const order = req.order ?? DEFAULT_ORDERS[kind];
    if (order) return keep(await mergedPage('scope', allowed.map((o, i) => ({ key: `o${i}`, list: (r: PageRequest) => one({ ...r, order: req.order }, o, ctx) })), req, orderingOf(order)));

    // Several organizations: each one's filtered list in turn; an empty one hands over to the next
    // within this call (an empty page with a next token would end the gateway's page early).
    let index = 0;
    let after: string | null = null;
    if (req.after !== null) {
      const m = TOKEN.exec(req.after);
      if (!m || Number(m[1]) >= allowed.length) throw badUserInput('malformed cursor', 'after');
      index = Number(m[1]);
      after = m[2] === '' ? null : m[2];
    }
    const fromStart = index === 0 && after === null;
    for (;;) {
      const page = await one({ ...req, after }, allowed[index], ctx);
      const next = page.next !== null ? `s1:${index}:${page.next}` : index + 1 < allowed.length ? `s1:${index + 1}:` : null;
      if (page.items.length > 0 || next === null || page.next !== null) {
        let total: number | null = null;
        if (fromStart && index === 0 && page.total !== null) {
          const rest = await Promise.all(allowed.slice(1).map((o) => one({ after: null, limit: 1, filter: req.filter }, o, ctx)));
          total = rest.every((r) => r.total !== null) ? rest.reduce((n, r) => n + r.total!, page.total) : null;
        }
        return keep({ items: page.items, next, total });
      }
      index++;
      after = null;
    }
  };
}
