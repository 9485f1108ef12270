/**
 * The adapter audits' harness: one provider kind's running simulator, fresh adapters on it from the
 * kind's registry entry, and the truth the audits compare with, read from the simulator itself
 * (its own state or its raw API), never through the adapter under audit. Everything
 * provider-specific the audits need is in {@link HARNESSES}; the audits themselves are generic.
 */
import type { EntityKind, ProviderRef } from '../../src/domain/models.ts';
import type { ProviderAdapter, ProviderAdapterOptions, ProviderKindEntry, RequestContext } from '../../src/providers/contract/index.ts';
import { PROVIDERS } from '../../src/providers/registry.ts';
import type { SeededSimulator } from '../../src/simulators/kit/index.ts';
import { startBocadaSimulator } from '../../src/simulators/bocada/index.ts';
import { startBycloudSimulator } from '../../src/simulators/bycloud/index.ts';
import { startNorcubeSimulator } from '../../src/simulators/norcube/index.ts';
import { startOcoreSimulator } from '../../src/simulators/ocore/index.ts';
import type { UpstreamSettings } from '../../src/upstream/client.ts';
import { callOn, healthy, norcubeAll, type Json } from '../utils/tsimulator.ts';

/** What the audits know about one provider kind without asking its adapter. */
export interface HarnessTruth {
  /** How many records the simulator holds for the list of `kind`, unfiltered. */
  count(kind: EntityKind): Promise<number>;
  /**
   * A lookup the adapter answers with one upstream call per id, and the simulator route of that
   * call: failing the route once fails exactly one id of a batch.
   */
  perIdLookup: { kind: EntityKind; routeKey: string };
}

/** One audit's view of a provider: a fresh adapter on its running simulator, and the truth. */
export interface AuditTarget {
  readonly kind: string;
  /** The registry entry the adapter comes from (its SDL says which concrete types it may answer). */
  readonly entry: ProviderKindEntry;
  readonly simulator: SeededSimulator;
  /** A fresh adapter (no state from other audits), closed after the audit. */
  readonly adapter: ProviderAdapter;
  /** Another adapter on the same simulator with other upstream settings, credential or base URL; closed after the audit. */
  makeAdapter(options?: { upstream?: UpstreamSettings; secret?: string; baseUrl?: string }): ProviderAdapter;
  /** A fresh request context (a new request for every layer's per-request state). */
  ctx(): RequestContext;
  readonly truth: HarnessTruth;
}

/** Replaces an adapter the harness built from `options` (with a wrapper around it). */
export type WrapAdapter = (adapter: ProviderAdapter, options: ProviderAdapterOptions) => ProviderAdapter;

/** A provider kind's harness: its simulator running, audit targets on demand. */
export interface AdapterHarness {
  readonly kind: string;
  readonly simulator: SeededSimulator;
  /** A target for one audit; `wrap` replaces the adapters it builds (the broken fixtures wrap real ones). */
  target(wrap?: WrapAdapter): AuditTarget & { close(): Promise<void> };
  /** Back to a healthy simulator: no faults, a rate limit no audit trips. */
  reset(): void;
  close(): Promise<void>;
}

/** How one provider kind is set up for the audits. */
interface HarnessDefinition<S extends SeededSimulator> {
  entry: ProviderKindEntry;
  /** Starts the simulator with still data: no scheduler, steps too slow to move anything during the audits. */
  start(): Promise<S>;
  /** Truth counts per list kind (every kind the adapter lists must have one). */
  counts: Partial<Record<EntityKind, (sim: S) => number | Promise<number>>>;
  perIdLookup: HarnessTruth['perIdLookup'];
}

const define = <S extends SeededSimulator>(d: HarnessDefinition<S>) => d as unknown as HarnessDefinition<SeededSimulator>;
const STILL = { stepMs: 60_000, scheduleEveryMs: 0 };
const distinct = (xs: string[]) => new Set(xs).size;
/** Upstream settings of every audited adapter: quick retries, so fault audits stay fast. */
const FAST: UpstreamSettings = { retry: { maxRetries: 1, baseDelayMs: 1, maxDelayMs: 5 }, deadlineMs: 5000 };

/** The four provider kinds of the product registry, as the audits set them up. */
export const HARNESSES: Record<string, HarnessDefinition<SeededSimulator>> = {
  bocada: define({
    entry: PROVIDERS.bocada,
    start: () => startBocadaSimulator(STILL),
    counts: {
      organization: (sim) => sim.data.organizations.length,
      resource: (sim) => sim.data.resources.length,
      job: (sim) => sim.data.jobs.length,
    },
    perIdLookup: { kind: 'job', routeKey: 'GET /api/v1/backup-jobs/:id' },
  }),
  norcube: define({
    entry: PROVIDERS.norcube,
    start: () => startNorcubeSimulator(STILL),
    counts: {
      organization: () => 1,
      resource: (sim) => sim.counts().datasources,
      // Jobs: every backup job, then every manual restore (DESIGN.md: Norcube backup jobs and restores).
      job: async (sim) => {
        const dataSources = await norcubeAll(sim, '/datasources');
        let restores = 0;
        for (const ds of dataSources) restores += (await norcubeAll(sim, `/datasources/${ds.id}/restores?trigger=manual`)).length;
        return (await norcubeAll(sim, '/backups')).length + restores;
      },
      // Backups: the jobs that left a file (success or partial, bytes written).
      backup: async (sim) =>
        (await norcubeAll(sim, '/backups')).filter((j: Json) => ['success', 'partial'].includes(j.jobStatus) && j.jobBytesWritten > 0).length,
      schedule: (sim) => sim.counts().attachments,
    },
    perIdLookup: { kind: 'resource', routeKey: 'GET /datasources/:id' },
  }),
  bycloud: define({
    entry: PROVIDERS.bycloud,
    start: () => startBycloudSimulator(STILL),
    counts: {
      organization: () => 1,
      resource: (sim) => distinct(sim.volumeBackups.map((b) => b.volume_id)) + distinct(sim.databaseBackups.map((b) => b.instance_id)),
      backup: (sim) => sim.volumeBackups.length + sim.databaseBackups.length,
      // Jobs: each backup's creation (ByCloud reports no jobs).
      job: (sim) => sim.volumeBackups.length + sim.databaseBackups.length,
    },
    perIdLookup: { kind: 'backup', routeKey: 'GET /v1/backups/:id' },
  }),
  ocore: define({
    entry: PROVIDERS.ocore,
    start: () => startOcoreSimulator(STILL),
    counts: {
      organization: () => 1,
      resource: (sim) => sim.counts().environments,
      backup: (sim) => sim.counts().backups,
      // Jobs: one run per backup, and every restore log.
      job: (sim) => sim.counts().backups + sim.counts().restoreLogs,
      // Alerts: the undismissed ones (a list without `includeDismissed`).
      alert: async (sim) => (await callOn(sim, '/api/backup-alerts/count')).body.undismissed,
      schedule: (sim) => sim.counts().schedules,
    },
    perIdLookup: { kind: 'backup', routeKey: 'GET /api/backups/:id' },
  }),
};

/** Starts the harness of `kind` from `definition` (one of {@link HARNESSES} unless given). */
export async function startHarness(kind: string, definition: HarnessDefinition<SeededSimulator> = HARNESSES[kind]): Promise<AdapterHarness> {
  if (!definition) throw new Error(`no harness for provider kind "${kind}"`);
  const simulator = await definition.start();
  const ref: ProviderRef = { id: `${kind}-audit`, kind, name: `${definition.entry.displayName} (audit)` };
  let requests = 0;
  const truth: HarnessTruth = {
    perIdLookup: definition.perIdLookup,
    async count(list) {
      const count = definition.counts[list];
      if (!count) throw new Error(`the ${kind} harness has no truth for the ${list} list`);
      return count(simulator);
    },
  };
  const harness: AdapterHarness = {
    kind,
    simulator,
    target(wrap = (a) => a) {
      const built: ProviderAdapter[] = [];
      const makeAdapter: AuditTarget['makeAdapter'] = (o = {}) => {
        const options: ProviderAdapterOptions = {
          ref, baseUrl: o.baseUrl ?? simulator.url, secret: o.secret ?? simulator.credential, upstream: { ...FAST, ...o.upstream },
        };
        const a = wrap(definition.entry.createAdapter(options), options);
        built.push(a);
        return a;
      };
      return {
        kind,
        entry: definition.entry,
        simulator,
        adapter: makeAdapter(),
        makeAdapter,
        ctx: () => ({ requestId: `audit-${kind}-${++requests}` }),
        truth,
        close: async () => {
          await Promise.allSettled(built.map((a) => a.close()));
        },
      };
    },
    reset: () => healthy(simulator),
    close: () => simulator.close(),
  };
  harness.reset();
  return harness;
}

/** A harness definition for a provider kind outside the product registry (e.g. a test fixture's). */
export const defineHarness = define;
