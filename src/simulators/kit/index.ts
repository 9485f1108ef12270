/**
 * The shared plumbing of every provider simulator, one idea per file. A simulator
 * (`src/simulators/<kind>/index.ts`) describes its routes, its auth check and its error shape;
 * everything cross-cutting lives here so the simulators behave alike where the providers do, and
 * differ only where their wire contracts differ. Import from this barrel.
 */
// `bearerToken`: credentials read from a request.
export * from './auth.ts';
// `isCronExpression`, `isTimeZone`, `nextCronRun`: cron schedules on cron-parser.
export * from './cron.ts';
// `knownHistory`, `cronSlotsBetween`, `KnownProtection`: the seeded history of the resources tests know.
export * from './known-runs.ts';
// `simCursor`, `encodeJsonCursor`, `decodeJsonCursor`: opaque JSON cursors.
export * from './cursor.ts';
// `RouteFault`, `createFaultTable`: fault injection.
export * from './faults.ts';
// `SimHttpError`: the error handlers throw.
export * from './http-errors.ts';
// `intParam`: strict query parameters.
export * from './params.ts';
// `createRandom`, `Random`: the seeded random source.
export * from './random.ts';
// `RateLimitSettings`, `createRateLimiter`, `secondsUntil`, `retryAfterHeader`: rate limiting.
export * from './rate-limit.ts';
// `Router`, `SimRequest`, `SimResponse`, `SimResult`, `SimHandler`: routes.
export * from './router.ts';
// `SimDataOptions`, `SeededSimulator`, `SimLiveOptions`, `asSeededSimulator`: seeded provider simulators.
export * from './seeded.ts';
// `startSimulator`, `SimulatorDefinition`, `SimulatorOptions`, `RunningSimulator`, `SimStats`, `SimRequestRecord`: the server.
export * from './server.ts';
// `firstIndex`: binary search for keyset pages.
export * from './sorted.ts';
// `SseWriter`, `streamSse`: server-sent events.
export * from './sse.ts';
// `FIXED_ANCHOR`, `SimTime`, `resolveSimTime`: the anchor and the clock.
export * from './time.ts';
// `delay`, `every`, `createTimers`: unref'd timers.
export * from './timers.ts';
