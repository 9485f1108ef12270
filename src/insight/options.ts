/**
 * The gateway's `insight` options (config `insight:`): where RPO targets come from. What a
 * resource's target is when several sources could give one is decided in `rpo.ts`.
 */
import type { Clock } from '../domain/clock.ts';

/**
 * One rule of `insight.rpo.rules`: every field given must match the resource (provider instance id,
 * provider kind, resource type case-insensitively, name as a case-insensitive glob where `*` is
 * any run of characters and `?` one character); the first rule that matches sets the target.
 */
export interface RpoRule {
  /** A provider instance (config id). */
  provider?: string;
  /** A provider kind (`bocada`, `norcube`, ...). */
  kind?: string;
  /** The resource's `type` (`vm`, `postgres`, `volume`, `production`...). */
  resourceType?: string;
  /** A glob over the resource's name, e.g. `prod-*`. */
  name?: string;
  /** The target, in seconds (> 0). */
  rpoSeconds: number;
}

/** Options of protection and RPO (gateway `insight`). */
export interface InsightOptions {
  rpo?: {
    /** The target of a resource no rule matches and no schedule drives, in seconds. @default none (such resources are UNKNOWN unless unprotected or at risk) */
    defaultSeconds?: number;
    /** Rules checked in order, before the resource's schedules. @default [] */
    rules?: readonly RpoRule[];
  };
}

/** What protection resolvers read from the request context: the options, the gateway's clock and the request's "now". */
export interface InsightContext {
  options: InsightOptions;
  /** The gateway's clock. */
  clock: Clock;
  /** "Now" of every protection status of this request (epoch ms): the clock read once, when the request began. */
  now: number;
}

/** The insight part of one request's context: `now` read from `clock` at this moment. */
export function createInsightContext(options: InsightOptions | undefined, clock: Clock): InsightContext {
  return { options: options ?? {}, clock, now: clock.now() };
}
