/**
 * How many keep-alive connections the gateway opens to one provider instance when the config's
 * `upstream.connections` (or a provider's own) does not say; the bulkhead's cap on attempts in
 * flight defaults to the same number, so a provider never sees more than this at once.
 *
 * 64: at 10 ms upstream latency and 200 client connections, 16 per provider capped a listing's
 * throughput (128 gave +50% requests/s); 64 keeps a provider's share of sockets modest.
 */
export const DEFAULT_UPSTREAM_CONNECTIONS = 64;
