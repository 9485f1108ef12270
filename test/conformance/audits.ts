/**
 * The adapter audits: what every provider adapter must (MUST) or should (SHOULD) do to honour the
 * contract of `src/providers/contract` and `src/domain/page.ts`, each with a stable id, a level and
 * a one-line rule. A check gets a fresh adapter on a running simulator and throws an AuditError
 * saying what it saw when the rule does not hold. Ids are stable: a rule that changes meaning gets
 * a new id. Ranges: A1xxx paging, A2xxx lookups, A3xxx models, A4xxx capabilities, A5xxx health,
 * A6xxx upstream errors, A7xxx per-request state.
 */
import { readFileSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import { createServer } from 'node:http';
import type { AddressInfo } from 'node:net';
import { Kind, parse } from 'graphql';
import { GatewayError } from '../../src/domain/errors.ts';
import { matchesFilter } from '../../src/domain/filter.ts';
import { DEFAULT_ORDERS, compareIn, orderKey, type ListOrder } from '../../src/domain/merge-order.ts';
import type { EntityKind, EntityModel } from '../../src/domain/models.ts';
import { BACKUP_STATUSES, JOB_STATUSES } from '../../src/domain/statuses.ts';
import { capabilitiesOf, ordersOf, type ListFilter, type Page, type PageRequest, type ProviderAdapter, type ProviderKindEntry, type RequestContext } from '../../src/providers/contract/index.ts';
import { isUpstreamError, ProviderHttpError } from '../../src/upstream/errors.ts';
import { collectPages } from '../utils/tsimulator.ts';
import { drain } from '../utils/tupstream.ts';
import type { AdapterHarness, AuditTarget, WrapAdapter } from './harness.ts';

/** How binding a rule is. */
export type AuditLevel = 'MUST' | 'SHOULD';

/** One rule of the adapter contract. */
export interface Audit {
  /** Stable id, e.g. `A1001`. */
  id: string;
  level: AuditLevel;
  /** The rule, one line. */
  rule: string;
  /** Throws an {@link AuditError} when `t`'s adapter breaks the rule. */
  check(t: AuditTarget): Promise<void>;
}

/** The outcome of one audit: `error` for a broken MUST, `warn` for a broken SHOULD. */
export interface AuditResult {
  id: string;
  level: AuditLevel;
  rule: string;
  status: 'ok' | 'warn' | 'error';
  /** What the check saw, when it failed. */
  reason: string | null;
}

/** A broken rule: the message says what was seen. */
export class AuditError extends Error {
  constructor(message: string) {
    super(message);
    this.name = 'AuditError';
  }
}

function expectThat(ok: unknown, message: () => string): asserts ok {
  if (!ok) throw new AuditError(message());
}

// ---- helpers -------------------------------------------------------------------------------

/** Every entity kind, in the order the audits visit them. */
const KINDS: readonly EntityKind[] = ['organization', 'resource', 'backup', 'job', 'alert', 'schedule'];
const INTERFACE_OF: Record<EntityKind, string> = {
  organization: 'Organization', resource: 'Resource', backup: 'Backup', job: 'Job', alert: 'Alert', schedule: 'Schedule',
};
/** Resume tokens no adapter ever issues. */
const MALFORMED_TOKENS = ['not a token!', '%%%', '-1', '{"offset":"x"}'];
/** Ids no provider issues. */
const UNKNOWN_ID = 'conformance-unknown-id';

type AnyList = (req: PageRequest, ctx: RequestContext) => Promise<Page<EntityModel>>;
type AnyLookup = (nativeIds: readonly string[], ctx: RequestContext) => Promise<Array<EntityModel | null | Error>>;
/** `adapter`'s list of `kind`, typed for any kind. */
const listOf = (adapter: ProviderAdapter, kind: EntityKind) => adapter.lists[kind] as AnyList | undefined;
/** `adapter`'s lookup of `kind`, typed for any kind. */
const lookupOf = (adapter: ProviderAdapter, kind: EntityKind) => adapter.lookups[kind] as AnyLookup | undefined;
/** One page of `kind` from `after` (the first when null), in `ctx`. */
const pageOf = (adapter: ProviderAdapter, kind: EntityKind, ctx: RequestContext, after: string | null = null, limit = 5) =>
  listOf(adapter, kind)!({ after, limit, filter: {} }, ctx);

/** The kinds `adapter` lists, in a fixed order. */
const listedKinds = (adapter: ProviderAdapter) => KINDS.filter((k) => typeof adapter.lists[k] === 'function');
const ids = (items: readonly EntityModel[]) => items.map((m) => m.nativeId);
const show = (xs: readonly unknown[], n = 6) => JSON.stringify(xs.slice(0, n)) + (xs.length > n ? `… (${xs.length})` : '');

/** A whole list, `limit` at a time, each page in a fresh request. */
const walk = (t: AuditTarget, kind: EntityKind, limit: number) => drain(t.adapter, kind, { limit, ctx: t.ctx, maxPages: 5000 });

/** A whole list in `order` (or under `filter`), `limit` at a time, each page in a fresh request. */
function walkWith(t: AuditTarget, kind: EntityKind, limit: number, { order, filter = {} }: { order?: ListOrder; filter?: ListFilter }) {
  const list = listOf(t.adapter, kind)!;
  return collectPages<Page<EntityModel>>((after) => list({ after, limit, filter, ...(order ? { order } : {}) }, t.ctx()), { maxPages: 5000 });
}

/** The first place `items` break `order` (index of the item that should have come earlier), or -1. */
function firstOutOfOrder(items: readonly EntityModel[], order: ListOrder): number {
  const cmp = compareIn(order);
  for (let i = 1; i < items.length; i++) if (cmp(items[i - 1], items[i]) > 0) return i;
  return -1;
}

/** Kinds whose lists have a name a client can search (`filter.nameContains`). */
const NAMED_KINDS: readonly EntityKind[] = ['resource', 'backup', 'job'];

/** A search text matching some but not all of `names`: the middle of one name, in the other case. */
function searchTextFor(names: readonly string[]): string | null {
  for (const name of names) {
    for (const len of [4, 3, 2]) {
      if (name.length < len + 2) continue;
      const start = Math.floor((name.length - len) / 2);
      const text = name.slice(start, start + len);
      const flipped = text === text.toUpperCase() ? text.toLowerCase() : text.toUpperCase();
      const hits = names.filter((n) => n.toLowerCase().includes(text.toLowerCase())).length;
      if (hits > 0 && hits < names.length) return flipped;
    }
  }
  return null;
}

/** Every list of `t`'s adapter in turn, walked whole `limit` at a time. */
async function* eachWalk(t: AuditTarget, limit: number) {
  for (const kind of listedKinds(t.adapter)) yield { kind, ...(await walk(t, kind, limit)) };
}

/** The first pages of a list, `limit` at a time, until `enough` items or the end. */
function readFirst(t: AuditTarget, kind: EntityKind, limit: number, enough: number) {
  let seen = 0;
  return collectPages(async (after: string | null) => {
    const page = await pageOf(t.adapter, kind, t.ctx(), after, limit);
    seen += page.items.length;
    return seen >= enough ? { ...page, next: null } : page;
  }, { maxPages: 5000 });
}

/** What `p` settled to: its value, or its rejection. */
async function settle<T>(p: Promise<T>): Promise<{ ok: true; value: T } | { ok: false; error: unknown }> {
  try {
    return { ok: true, value: await p };
  } catch (error) {
    return { ok: false, error };
  }
}

const describeError = (e: unknown) => (e instanceof Error ? `${e.name}: ${e.message}` : `a non-Error ${JSON.stringify(e)}`);

/** Upstream requests `run` makes to `t`'s simulator. */
async function upstreamRequests<T>(t: AuditTarget, run: () => Promise<T>): Promise<{ requests: number; result: Awaited<ReturnType<typeof settle<T>>> }> {
  const before = t.simulator.stats.total;
  const result = await settle(run());
  return { requests: t.simulator.stats.total - before, result };
}

/** An id shaped like `known` (same length and alphabet where possible) that `taken` does not hold. */
function unknownLike(known: string, taken: ReadonlySet<string>): string {
  for (const c of '0123456789abcdef') {
    const candidate = known.slice(0, -1) + c;
    if (!taken.has(candidate)) return candidate;
  }
  return `${known}-unknown`;
}

/** Concrete types the provider's SDL declares implementing `iface`. */
function concreteTypes(entry: ProviderKindEntry, iface: string): Set<string> {
  const doc = parse(readFileSync(fileURLToPath(entry.typeDefs), 'utf8'));
  const out = new Set<string>();
  for (const d of doc.definitions) {
    if (d.kind === Kind.OBJECT_TYPE_DEFINITION && d.interfaces?.some((i) => i.name.value === iface)) out.add(d.name.value);
  }
  return out;
}

/** A loopback URL nothing listens on. */
async function closedUrl(): Promise<string> {
  const server = createServer();
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const { port } = server.address() as AddressInfo;
  await new Promise<void>((resolve) => server.close(() => resolve()));
  return `http://127.0.0.1:${port}`;
}

/** Every text a client or a log could see of `e`. */
const textsOf = (e: unknown): string[] =>
  e instanceof Error ? [e.message, e.stack ?? '', JSON.stringify({ ...e }), String((e as { providerMessage?: unknown }).providerMessage ?? '')] : [JSON.stringify(e) ?? ''];

/** Checks that a malformed resume token is refused as the client's bad input, for every list. */
async function eachMalformedToken(t: AuditTarget, check: (kind: EntityKind, token: string, e: unknown) => void) {
  for (const kind of listedKinds(t.adapter)) {
    for (const token of MALFORMED_TOKENS) {
      const r = await settle(pageOf(t.adapter, kind, t.ctx(), token));
      expectThat(!r.ok, () => `${kind} list accepted the resume token ${JSON.stringify(token)}`);
      check(kind, token, r.error);
    }
  }
}

/** Up to `n` records of `kind` from its first page (read before any fault is set). */
async function firstModels(t: AuditTarget, kind: EntityKind, n: number): Promise<EntityModel[]> {
  return (await pageOf(t.adapter, kind, t.ctx(), null, n)).items.slice(0, n);
}

// ---- the audits ----------------------------------------------------------------------------

/** Every audit, in id order. */
export const AUDITS: readonly Audit[] = [
  {
    id: 'A1001',
    level: 'MUST',
    rule: 'every list pages to the end with each item once, as many as the provider holds, and stops on a page whose next is null',
    async check(t) {
      for await (const { kind, items, pages } of eachWalk(t, 50)) {
        expectThat(pages.at(-1)!.next === null, () => `${kind} list ended on next=${JSON.stringify(pages.at(-1)!.next)}, not null`);
        const seen = new Set<string>();
        const twice = ids(items).filter((id) => (seen.has(id) ? true : (seen.add(id), false)));
        expectThat(twice.length === 0, () => `${kind} list answered ${twice.length} item(s) more than once: ${show(twice)}`);
        const truth = await t.truth.count(kind);
        expectThat(items.length === truth, () => `${kind} list walked ${items.length} items; the provider holds ${truth}`);
      }
    },
  },
  {
    id: 'A1002',
    level: 'MUST',
    rule: 'a page never holds more items than the limit asked (1, 7, or 1000 beyond any provider cap)',
    async check(t) {
      for (const kind of listedKinds(t.adapter)) {
        for (const limit of [1, 7, 1000]) {
          const { pages } = await readFirst(t, kind, limit, limit * 3);
          const over = pages.find((p) => p.items.length > limit);
          expectThat(!over, () => `${kind} list answered ${over!.items.length} items for limit ${limit}`);
        }
      }
    },
  },
  {
    id: 'A1003',
    level: 'MUST',
    rule: 'resuming from next continues right after the last item returned: small pages give the same sequence as large ones',
    async check(t) {
      const enough = 210;
      for (const kind of listedKinds(t.adapter)) {
        const small = ids((await readFirst(t, kind, 7, enough)).items).slice(0, enough);
        const large = ids((await readFirst(t, kind, 50, enough)).items).slice(0, enough);
        const at = small.findIndex((id, i) => id !== large[i]);
        expectThat(at === -1 && small.length === large.length, () =>
          `${kind} list in pages of 7 differs from pages of 50 at item ${at === -1 ? Math.min(small.length, large.length) : at}: ` +
          `${show(small.slice(Math.max(0, at), Math.max(0, at) + 3))} vs ${show(large.slice(Math.max(0, at), Math.max(0, at) + 3))}`);
      }
    },
  },
  {
    id: 'A1004',
    level: 'SHOULD',
    rule: 'a page that has a next token is not empty (the gateway reads a bounded number of upstream pages per page)',
    async check(t) {
      for (const kind of listedKinds(t.adapter)) {
        const { pages } = await readFirst(t, kind, 7, 210);
        const empty = pages.findIndex((p) => p.items.length === 0 && p.next !== null);
        expectThat(empty === -1, () => `${kind} list answered an empty page ${empty} with a next token`);
      }
    },
  },
  {
    id: 'A1005',
    level: 'MUST',
    rule: 'a total, when a page reports one, is the exact number of items of the whole list',
    async check(t) {
      for await (const { kind, items, pages } of eachWalk(t, 50)) {
        const wrong = pages.find((p) => p.total !== null && p.total !== items.length);
        expectThat(!wrong, () => `${kind} list reported total ${wrong!.total}; the walk found ${items.length}`);
      }
    },
  },
  {
    id: 'A1006',
    level: 'MUST',
    rule: 'a malformed resume token is BAD_USER_INPUT (a GatewayError), never a crash or an upstream error',
    async check(t) {
      await eachMalformedToken(t, (kind, token, e) => {
        expectThat(e instanceof GatewayError && e.code === 'BAD_USER_INPUT', () =>
          `${kind} list refused the resume token ${JSON.stringify(token)} with ${describeError(e)}${e instanceof GatewayError ? ` (${e.code})` : ''}`);
      });
    },
  },
  {
    id: 'A1007',
    level: 'SHOULD',
    rule: 'the BAD_USER_INPUT for a malformed resume token names `after` as the field at fault',
    async check(t) {
      await eachMalformedToken(t, (kind, token, e) => {
        expectThat(e instanceof GatewayError && e.extensions.field === 'after', () =>
          `${kind} list refused ${JSON.stringify(token)} naming field ${JSON.stringify(e instanceof GatewayError ? e.extensions.field : undefined)}`);
      });
    },
  },
  {
    id: 'A1008',
    level: 'MUST',
    rule: 'a time-stamped list (jobs, backups, alerts) pages newest first by createdAt, items without a time last',
    async check(t) {
      for await (const { kind, items } of eachWalk(t, 50)) {
        const order = DEFAULT_ORDERS[kind];
        if (!order) continue;
        const at = firstOutOfOrder(items, order);
        expectThat(at === -1, () => `${kind} list is not newest first at item ${at}: ${show(items.slice(Math.max(0, at - 1), at + 1).map((m) => `${m.nativeId} ${m.createdAt}`))}`);
      }
    },
  },
  {
    id: 'A1009',
    level: 'MUST',
    rule: 'every order the adapter declares is served: that list in that order holds the same items once each, sorted, in small and large pages alike',
    async check(t) {
      for (const kind of listedKinds(t.adapter)) {
        const extra = ordersOf(t.adapter, kind).filter((o) => !DEFAULT_ORDERS[kind] || orderKey(o) !== orderKey(DEFAULT_ORDERS[kind]!));
        if (extra.length === 0) continue;
        const all = new Set(ids((await walk(t, kind, 100)).items));
        for (const order of extra) {
          const { items } = await walkWith(t, kind, 100, { order });
          const at = firstOutOfOrder(items, order);
          expectThat(at === -1, () => `${kind} list in ${orderKey(order)} is out of order at item ${at}: ${show(items.slice(Math.max(0, at - 1), at + 1).map((m) => m.nativeId))}`);
          const seen = ids(items);
          expectThat(seen.length === all.size && new Set(seen).size === seen.length && seen.every((id) => all.has(id)),
            () => `${kind} list in ${orderKey(order)} walked ${seen.length} items (${new Set(seen).size} distinct); the default order has ${all.size}`);
          const small = ids((await walkWith(t, kind, 7, { order })).items);
          expectThat(JSON.stringify(small) === JSON.stringify(seen), () => `${kind} list in ${orderKey(order)} differs in pages of 7 and of 100`);
        }
      }
    },
  },
  {
    id: 'A1010',
    level: 'MUST',
    rule: 'a name search (nameContains, case-insensitive substring) or an operation filter never drops a matching item, and a total it reports counts the matches',
    async check(t) {
      for (const kind of listedKinds(t.adapter)) {
        const filters: ListFilter[] = [];
        const everything = (await walk(t, kind, 100)).items;
        if (NAMED_KINDS.includes(kind)) {
          const text = searchTextFor(everything.map((m) => m.name).filter((n): n is string => typeof n === 'string'));
          if (text !== null) filters.push({ nameContains: text });
        }
        if (kind === 'job') filters.push({ operation: ['backup'] }, { operation: ['restore'] });
        for (const filter of filters) {
          const expected = ids(everything.filter((m) => matchesFilter(m, filter)));
          const { items, pages } = await walkWith(t, kind, 50, { filter });
          const got = ids(items.filter((m) => matchesFilter(m, filter)));
          expectThat(JSON.stringify(got) === JSON.stringify(expected),
            () => `${kind} list under ${JSON.stringify(filter)} kept ${got.length} matches (${show(got, 3)}); the unfiltered list holds ${expected.length} (${show(expected, 3)})`);
          const wrong = pages.find((p) => p.total !== null && p.total !== expected.length);
          expectThat(!wrong, () => `${kind} list under ${JSON.stringify(filter)} reported total ${wrong!.total}; ${expected.length} items match`);
        }
      }
    },
  },
  {
    id: 'A2001',
    level: 'MUST',
    rule: 'a lookup answers one entry per id in the order asked: the record the list shows (same nativeId and typename), null for an unknown id',
    async check(t) {
      for (const kind of listedKinds(t.adapter)) {
        const lookup = lookupOf(t.adapter, kind);
        if (!lookup) continue; // A2004 reports it
        const { items } = await walk(t, kind, 100);
        const taken = new Set(ids(items));
        const known = items.slice(0, 3);
        const asked = [known[0].nativeId, UNKNOWN_ID, ...known.slice(1).map((m) => m.nativeId), unknownLike(known[0].nativeId, taken)];
        const expected = asked.map((id) => known.find((m) => m.nativeId === id) ?? null);
        const got = await lookup(asked, t.ctx());
        expectThat(got.length === asked.length, () => `${kind} lookup of ${asked.length} ids answered ${got.length} entries`);
        got.forEach((entry, i) => {
          const want = expected[i];
          const seen = entry instanceof Error ? describeError(entry) : entry === null ? 'null' : `${entry.typename} ${entry.nativeId}`;
          expectThat(want === null ? entry === null : !(entry instanceof Error) && entry !== null && entry.nativeId === want.nativeId && entry.typename === want.typename,
            () => `${kind} lookup entry ${i} (${JSON.stringify(asked[i])}) is ${seen}; expected ${want ? `${want.typename} ${want.nativeId}` : 'null'}`);
        });
      }
    },
  },
  {
    id: 'A2002',
    level: 'MUST',
    rule: 'when the upstream call for one id of a batch lookup fails, that entry alone is an Error (a typed upstream error); the others still answer',
    async check(t) {
      const { kind, routeKey } = t.truth.perIdLookup;
      const adapter = t.makeAdapter({ upstream: { retry: { maxRetries: 0 } } });
      const asked = ids(await firstModels(t, kind, 3));
      expectThat(asked.length === 3, () => `the ${kind} list has fewer than 3 items to look up`);
      t.simulator.setFault(routeKey, { errorStatus: 500, forceStatusTimes: 1 });
      const got = await lookupOf(adapter, kind)!(asked, t.ctx());
      const errors = got.filter((e) => e instanceof Error);
      expectThat(errors.length === 1, () => `one failed call to ${routeKey} gave ${errors.length} Error entries of ${got.length}`);
      expectThat(isUpstreamError(errors[0]), () => `the failed id's entry is ${describeError(errors[0])}, not a typed upstream error`);
      got.forEach((entry, i) => {
        expectThat(entry instanceof Error || entry?.nativeId === asked[i], () => `${kind} lookup entry ${i} is ${entry === null ? 'null' : (entry as EntityModel).nativeId}, expected ${asked[i]}`);
      });
    },
  },
  {
    id: 'A2003',
    level: 'MUST',
    rule: 'a lookup whose upstream fails never answers null for a record that exists: each entry is the record or an Error, or the batch rejects with a typed upstream error',
    async check(t) {
      const adapter = t.makeAdapter({ upstream: { retry: { maxRetries: 0 } } });
      const known = new Map<EntityKind, string[]>();
      for (const kind of listedKinds(t.adapter)) known.set(kind, ids(await firstModels(t, kind, 3)));
      t.simulator.setFault('*', { forceStatus: 500 });
      for (const [kind, asked] of known) {
        const lookup = lookupOf(adapter, kind);
        if (!lookup) continue; // A2004 reports it
        const r = await settle(lookup(asked, t.ctx()));
        if (!r.ok) {
          expectThat(isUpstreamError(r.error), () => `${kind} lookup rejected with ${describeError(r.error)}, not a typed upstream error`);
          continue;
        }
        r.value.forEach((entry, i) => {
          expectThat(entry !== null, () => `${kind} lookup answered null for ${asked[i]}, which exists, while upstream failed`);
          expectThat(entry instanceof Error || entry?.nativeId === asked[i], () => `${kind} lookup entry ${i} is ${(entry as EntityModel).nativeId}, expected ${asked[i]}`);
        });
      }
    },
  },
  {
    id: 'A2004',
    level: 'MUST',
    rule: 'every kind the adapter lists it can look up, so node(id) resolves every listed item',
    async check(t) {
      const missing = listedKinds(t.adapter).filter((k) => typeof t.adapter.lookups[k] !== 'function');
      expectThat(missing.length === 0, () => `lists without a lookup: ${missing.join(', ')}`);
    },
  },
  {
    id: 'A3001',
    level: 'MUST',
    rule: "models carry the adapter's provider ref, a typename its SDL declares for the kind's interface, and a non-empty nativeId",
    async check(t) {
      const { ref } = t.adapter;
      for await (const { kind, items } of eachWalk(t, 100)) {
        const types = concreteTypes(t.entry, INTERFACE_OF[kind]);
        for (const m of items) {
          expectThat(m.provider?.id === ref.id && m.provider.kind === ref.kind, () => `a ${kind} carries provider ${JSON.stringify(m.provider)}, not ${ref.id} (${ref.kind})`);
          expectThat(types.has(m.typename), () => `a ${kind} has typename ${JSON.stringify(m.typename)}; the SDL declares ${show([...types])} implementing ${INTERFACE_OF[kind]}`);
          expectThat(typeof m.nativeId === 'string' && m.nativeId.length > 0, () => `a ${kind} has nativeId ${JSON.stringify(m.nativeId)}`);
        }
      }
    },
  },
  {
    id: 'A3002',
    level: 'MUST',
    rule: 'statuses come from the normalized enums (JobStatus, BackupStatus, job operation, alert severity); providerStatus is the raw string or null',
    async check(t) {
      const enums: Partial<Record<EntityKind, Record<string, readonly unknown[]>>> = {
        job: { status: JOB_STATUSES, operation: ['backup', 'restore'] },
        backup: { status: BACKUP_STATUSES },
        alert: { severity: ['INFO', 'WARNING', 'CRITICAL'] },
      };
      for (const kind of listedKinds(t.adapter)) {
        const fields = enums[kind];
        if (!fields) continue;
        for (const m of (await walk(t, kind, 100)).items) {
          for (const [field, values] of Object.entries(fields)) {
            expectThat(values.includes(m[field]), () => `${kind} ${m.nativeId} has ${field} ${JSON.stringify(m[field])}, not one of ${values.join(' ')}`);
          }
          if (kind !== 'alert') {
            expectThat(m.providerStatus === null || typeof m.providerStatus === 'string', () => `${kind} ${m.nativeId} has providerStatus ${JSON.stringify(m.providerStatus)}`);
          }
        }
      }
    },
  },
  {
    id: 'A4001',
    level: 'MUST',
    rule: 'capabilitiesOf(adapter).lists names exactly the kinds adapter.lists implements',
    async check(t) {
      const caps = [...capabilitiesOf(t.adapter).lists].sort();
      const implemented = Object.keys(t.adapter.lists).filter((k) => typeof t.adapter.lists[k as EntityKind] === 'function').sort();
      expectThat(JSON.stringify(caps) === JSON.stringify(implemented), () => `capabilities list ${show(caps)}; the adapter implements ${show(implemented)}`);
      const unknown = caps.filter((k) => !KINDS.includes(k));
      expectThat(unknown.length === 0, () => `capabilities name unknown kinds ${show(unknown)}`);
    },
  },
  {
    id: 'A5001',
    level: 'MUST',
    rule: 'health() answers UP with a latency while the provider answers',
    async check(t) {
      const r = await settle(t.adapter.health(t.ctx()));
      expectThat(r.ok, () => `health() threw ${describeError(!r.ok && r.error)}`);
      expectThat(r.value.status === 'UP' && typeof r.value.latencyMs === 'number', () => `health() answered ${JSON.stringify(r.value)}`);
    },
  },
  {
    id: 'A5002',
    level: 'MUST',
    rule: 'health() never throws and answers DOWN while the provider answers 503',
    async check(t) {
      t.simulator.setFault('*', { forceStatus: 503 });
      const r = await settle(t.adapter.health(t.ctx()));
      expectThat(r.ok, () => `health() threw ${describeError(!r.ok && r.error)}`);
      expectThat(r.value.status === 'DOWN', () => `health() answered ${JSON.stringify(r.value)} while every call answers 503`);
    },
  },
  {
    id: 'A5003',
    level: 'MUST',
    rule: 'health() never throws and answers DOWN while the provider cannot be reached',
    async check(t) {
      const adapter = t.makeAdapter({ baseUrl: await closedUrl(), upstream: { retry: { maxRetries: 0 }, connectTimeoutMs: 500, deadlineMs: 2000 } });
      const r = await settle(adapter.health(t.ctx()));
      expectThat(r.ok, () => `health() threw ${describeError(!r.ok && r.error)}`);
      expectThat(r.value.status === 'DOWN', () => `health() answered ${JSON.stringify(r.value)} with nothing listening`);
    },
  },
  {
    id: 'A6001',
    level: 'MUST',
    rule: 'a 503 on a list surfaces as a typed upstream error (ProviderHttpError 503), never an untyped one',
    async check(t) {
      t.simulator.setFault('*', { forceStatus: 503 });
      let failed = 0;
      for (const kind of listedKinds(t.adapter)) {
        const { requests, result } = await upstreamRequests(t, () => pageOf(t.adapter, kind, t.ctx()));
        if (result.ok) {
          expectThat(requests === 0, () => `${kind} list answered a page while its ${requests} upstream call(s) answered 503`);
          continue;
        }
        failed++;
        const e = result.error;
        expectThat(e instanceof ProviderHttpError && e.status === 503, () => `${kind} list failed with ${describeError(e)}${isUpstreamError(e) ? '' : ' (untyped)'}`);
      }
      expectThat(failed > 0, () => 'no list called upstream, so none could fail');
    },
  },
  {
    id: 'A6002',
    level: 'MUST',
    rule: 'no error or health answer shows the credential: not in its message, stack or fields (a 503, a refused credential)',
    async check(t) {
      const wrong = `audit-secret-${t.simulator.credential.length}-${Date.now().toString(36)}`;
      const cases: Array<{ adapter: ProviderAdapter; secret: string; fault?: boolean }> = [
        { adapter: t.adapter, secret: t.simulator.credential, fault: true },
        { adapter: t.makeAdapter({ secret: wrong }), secret: wrong },
      ];
      for (const c of cases) {
        if (c.fault) t.simulator.setFault('*', { forceStatus: 503 });
        else t.simulator.clearFaults();
        const health = await settle(c.adapter.health(t.ctx()));
        const seen: unknown[] = [health.ok ? health.value.message : health.error];
        for (const kind of listedKinds(c.adapter)) {
          const r = await settle(pageOf(c.adapter, kind, t.ctx()));
          if (!r.ok) seen.push(r.error);
          const lookup = lookupOf(c.adapter, kind);
          if (lookup) {
            const l = await settle(lookup([UNKNOWN_ID], t.ctx()));
            seen.push(l.ok ? l.value[0] : l.error);
          }
        }
        const leak = seen.find((e) => textsOf(e).some((s) => s.includes(c.secret)));
        expectThat(leak === undefined, () => `${describeError(leak)} shows the credential`);
      }
    },
  },
  {
    id: 'A6003',
    level: 'SHOULD',
    rule: "a typed upstream error names the request id of the request that caused it",
    async check(t) {
      t.simulator.setFault('*', { forceStatus: 503 });
      for (const kind of listedKinds(t.adapter)) {
        const ctx = t.ctx();
        const r = await settle(pageOf(t.adapter, kind, ctx));
        if (r.ok || !isUpstreamError(r.error)) continue; // A6001 reports these
        expectThat(r.error.requestId === ctx.requestId, () => `${kind} list error names request ${JSON.stringify(r.error && (r.error as ProviderHttpError).requestId)}, not ${ctx.requestId}`);
      }
    },
  },
  {
    id: 'A7001',
    level: 'MUST',
    rule: 'per-request state is not shared across requests: a list read in a fresh request context calls upstream again',
    async check(t) {
      for (const kind of listedKinds(t.adapter)) {
        const read = () => pageOf(t.adapter, kind, t.ctx());
        const first = await upstreamRequests(t, read);
        if (first.requests === 0) continue; // answered without upstream (the token's organization)
        const second = await upstreamRequests(t, read);
        expectThat(second.requests > 0, () => `${kind} list in a new request made no upstream call (the first made ${first.requests})`);
      }
    },
  },
  {
    id: 'A7002',
    level: 'SHOULD',
    rule: 'within one request, reading the same list page again makes no further upstream call (identical GETs are deduped)',
    async check(t) {
      for (const kind of listedKinds(t.adapter)) {
        const ctx = t.ctx();
        const read = () => pageOf(t.adapter, kind, ctx);
        const first = await upstreamRequests(t, read);
        const again = await upstreamRequests(t, read);
        expectThat(again.requests === 0, () => `${kind} list read twice in one request made ${first.requests} then ${again.requests} upstream call(s)`);
      }
    },
  },
];

/** The audits as `it.each` cases: `A1001 MUST: <rule>` and the audit. */
export const AUDIT_CASES = AUDITS.map((a) => [`${a.id} ${a.level}: ${a.rule}`, a] as const);

/** Runs `audit` on a fresh target of `harness` (adapters wrapped by `wrap`), leaving the simulator healthy. */
export async function runAudit(audit: Audit, harness: AdapterHarness, wrap?: WrapAdapter): Promise<AuditResult> {
  harness.reset();
  const target = harness.target(wrap);
  const result = { id: audit.id, level: audit.level, rule: audit.rule };
  try {
    await audit.check(target);
    return { ...result, status: 'ok', reason: null };
  } catch (e) {
    return { ...result, status: audit.level === 'MUST' ? 'error' : 'warn', reason: describeError(e) };
  } finally {
    await target.close();
    harness.reset();
  }
}
