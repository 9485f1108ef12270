/**
 * The gateway's config file: YAML, `${VAR}` replaced from the environment, validated with zod.
 * Every error names the key at fault; secrets are never echoed in errors.
 */
import { readFileSync } from 'node:fs';
import { parse as parseYaml } from 'yaml';
import { z } from 'zod';
import { PROVIDER_KINDS, PROVIDERS } from '../providers/registry.ts';
import { HTTP_SERVER_DEFAULTS } from './http-server.ts';
import { normalizeOrganization } from '../access/authenticate.ts';
import { parseDuration } from '../domain/protection-duration.ts';
import { DEFAULT_REFERENCE_STALE_MS, DEFAULT_REFERENCE_TTL_MS } from '../upstream/reference-cache.ts';
import { DEFAULT_EVIDENCE_TTL_MS } from '../insight/evidence-cache.ts';

const upstreamSchema = z
  .object({
    connectTimeoutMs: z.number().int().positive().optional(),
    headersTimeoutMs: z.number().int().positive().optional(),
    bodyTimeoutMs: z.number().int().positive().optional(),
    deadlineMs: z.number().int().positive().optional(),
    /** Keep-alive connections per provider, and the bulkhead's default cap (default DEFAULT_UPSTREAM_CONNECTIONS, 64). */
    connections: z.number().int().positive().max(1024).optional(),
    retry: z
      .object({
        maxRetries: z.number().int().min(0).max(10).optional(),
        baseDelayMs: z.number().int().min(0).optional(),
        maxDelayMs: z.number().int().min(0).optional(),
      })
      .strict()
      .optional(),
    breaker: z.object({ consecutiveFailures: z.number().int().positive().optional(), halfOpenAfterMs: z.number().int().positive().optional() }).strict().optional(),
    retryBudget: z.object({ ratio: z.number().min(0).max(1).optional(), maxTokens: z.number().int().min(0).optional() }).strict().optional(),
    bulkhead: z.object({ maxConcurrent: z.number().int().positive().max(1024).optional(), maxQueued: z.number().int().min(0).optional() }).strict().optional(),
    maxBodyBytes: z.number().int().positive().optional(),
  })
  .strict();

const providerSchema = z
  .object({
    id: z.string().regex(/^[a-z0-9][a-z0-9_-]{0,63}$/, 'must be 1-64 characters of a-z, 0-9, "-" or "_"'),
    kind: z.enum(PROVIDER_KINDS as [string, ...string[]]),
    name: z.string().min(1).max(200).optional(),
    /** Name of the token's organization (Norcube, ByCloud, oCore name none); default: `name`. */
    organizationName: z.string().min(1).max(200).optional(),
    baseUrl: z.url({ protocol: /^https?$/ }),
    auth: z.union([z.object({ apiKey: z.string().min(1) }).strict(), z.object({ token: z.string().min(1) }).strict()]),
    upstream: upstreamSchema.optional(),
    /** The provider's quota: the outbound rate budget every replica shares (default: what the kind documents; `none` = no budget). */
    rateLimit: z
      .union([
        z.literal('none'),
        z.object({ requestsPerMinute: z.number().positive().max(10_000_000).optional(), requestsPerSecond: z.number().positive().max(100_000).optional() })
          .strict()
          .refine((q) => q.requestsPerMinute !== undefined || q.requestsPerSecond !== undefined, 'give requestsPerMinute or requestsPerSecond'),
      ])
      .optional(),
  })
  .strict()
  .superRefine((p, ctx) => {
    const wants = PROVIDERS[p.kind as keyof typeof PROVIDERS].secretKey;
    if (!(wants in p.auth)) ctx.addIssue({ code: 'custom', path: ['auth', wants], message: `${p.kind} needs auth.${wants}` });
  });

const rateLimitSchema = z.object({ requestsPerMinute: z.number().int().positive().max(1_000_000) }).strict();
const roleSchema = z.enum(['reader', 'operator', 'admin']);
const providerIdList = z.array(z.string().min(1)).min(1, 'must list at least one provider id (omit it for every provider)');
const organizationList = z
  .array(z.string().min(1))
  .min(1, 'must list at least one organization (omit it for every organization)')
  .refine((l) => l.every((o) => normalizeOrganization(o) !== null), 'each entry must be "<provider id>/<native organization id>" or an Organization id');

/**
 * `access:` who may call the gateway (gateway `access`). Its presence turns authentication on.
 * Messages never echo a value (a secret may stand where a hash was expected).
 */
const accessSchema = z
  .object({
    apiKeys: z
      .array(
        z
          .object({
            id: z.string().regex(/^[A-Za-z0-9][A-Za-z0-9._:-]{0,63}$/, 'must be 1-64 characters of A-Z, a-z, 0-9, ".", "_", ":" or "-"'),
            sha256: z.string().regex(/^[0-9a-fA-F]{64}$/, 'must be the SHA-256 of the key, 64 hex characters (the key itself is never stored)'),
            role: roleSchema,
            providers: providerIdList.optional(),
            organizations: organizationList.optional(),
            rateLimit: rateLimitSchema.optional(),
          })
          .strict(),
      )
      .optional(),
    jwt: z
      .object({
        issuer: z.string().min(1),
        audience: z.union([z.string().min(1), z.array(z.string().min(1)).min(1)]),
        secret: z.string().min(32, 'must be at least 32 characters (HS256 needs a 256-bit secret)').optional(),
        jwksUrl: z.url({ protocol: /^https?$/ }).optional(),
        claims: z.object({ role: z.string().min(1).optional(), providers: z.string().min(1).optional(), organizations: z.string().min(1).optional() }).strict().optional(),
        clockToleranceSeconds: z.number().int().min(0).max(300).optional(),
        rateLimit: rateLimitSchema.optional(),
      })
      .strict()
      .refine((j) => (j.secret === undefined) !== (j.jwksUrl === undefined), { message: 'needs exactly one of secret (HS256) and jwksUrl (RS256/ES256)' })
      .optional(),
    anonymous: z.enum(['none', 'reader']).optional(),
    cors: z
      .object({ origins: z.array(z.url({ protocol: /^https?$/ }).refine((o) => URL.canParse(o) && new URL(o).origin === o.replace(/\/$/, ''), 'must be an origin (scheme://host[:port]), not "*" nor a path')).optional() })
      .strict()
      .optional(),
    auditLog: z.string().min(1).optional(),
  })
  .strict()
  .superRefine((a, ctx) => {
    if (!a.apiKeys?.length && !a.jwt && a.anonymous !== 'reader') {
      ctx.addIssue({ code: 'custom', path: [], message: 'nobody could call the gateway: configure apiKeys, jwt, or anonymous: reader' });
    }
    const ids = new Set<string>();
    const hashes = new Set<string>();
    a.apiKeys?.forEach((k, i) => {
      if (ids.has(k.id)) ctx.addIssue({ code: 'custom', path: ['apiKeys', i, 'id'], message: `duplicate API key id "${k.id}"` });
      if (hashes.has(k.sha256.toLowerCase())) ctx.addIssue({ code: 'custom', path: ['apiKeys', i, 'sha256'], message: 'the same key is configured twice' });
      ids.add(k.id);
      hashes.add(k.sha256.toLowerCase());
    });
  });

/** A duration such as `24h`, `90m`, `1d12h` (days, hours, minutes, seconds in that order), as seconds. */
const durationSchema = z.string().transform((text, ctx) => {
  const seconds = parseDuration(text);
  if (seconds === null) {
    ctx.addIssue({ code: 'custom', message: `must be a duration such as "24h", "90m" or "1d12h" (days, hours, minutes, seconds; more than 0, at most 366d), got ${JSON.stringify(text)}` });
    return z.NEVER;
  }
  return seconds;
});

/** `insight:` protection and RPO (gateway `insight`; README "Protection and RPO"). */
const insightSchema = z
  .object({
    rpo: z
      .object({
        /** The target of resources no rule matches and no schedule drives. */
        default: durationSchema.optional(),
        /** Checked in order before a resource's schedules; the first that matches sets its target. */
        rules: z
          .array(
            z
              .object({
                provider: z.string().min(1).optional(),
                kind: z.enum(PROVIDER_KINDS as [string, ...string[]]).optional(),
                resourceType: z.string().min(1).optional(),
                name: z.string().min(1).max(200).optional(),
                rpo: durationSchema,
              })
              .strict()
              .refine((r) => r.provider !== undefined || r.kind !== undefined || r.resourceType !== undefined || r.name !== undefined, {
                message: 'a rule needs at least one of provider, kind, resourceType, name (use rpo.default for every resource)',
              }),
          )
          .optional(),
      })
      .strict()
      .optional(),
  })
  .strict();

/** The validated config. */
export const configSchema = z
  .object({
    server: z
      .object({
        port: z.number().int().min(0).max(65535).optional(),
        /** How long a shutdown lets in-flight requests and streams finish (gateway `drainTimeoutMs`). */
        drainTimeoutMs: z.number().int().min(0).max(600_000).optional(),
        /** Answer introspection (gateway `introspection`). Default: on without `access`, off with it. */
        introspection: z.boolean().optional(),
        /** Serve GraphiQL on GET /graphql (gateway `graphiql`). Default: on without `access`, off with it. */
        graphiql: z.boolean().optional(),
        /** "Did you mean ...?" in validation errors (gateway `fieldSuggestions`). Default: on without `access`, off with it. */
        fieldSuggestions: z.boolean().optional(),
        /** Run a query or mutation compiled by graphql-jit once its document repeats (gateway `compileQueries`). Default: on. */
        compileQueries: z.boolean().optional(),
        /** Client-side limits (gateway `http`, see `HttpServerLimits` in http-server.ts for defaults). */
        maxBodyBytes: z.number().int().positive().optional(),
        requestTimeoutMs: z.number().int().min(0).max(3_600_000).optional(),
        headersTimeoutMs: z.number().int().positive().max(3_600_000).optional(),
        keepAliveTimeoutMs: z.number().int().positive().max(3_600_000).optional(),
        /** graphql-sse single-connection reservations (gateway `singleConnection`). */
        singleConnection: z
          .object({
            reservationTimeoutMs: z.number().int().positive().max(600_000).optional(),
            maxStreamsPerClient: z.number().int().positive().optional(),
            maxStreams: z.number().int().positive().optional(),
          })
          .strict()
          .optional(),
      })
      .strict()
      .refine((s) => {
        const request = s.requestTimeoutMs ?? HTTP_SERVER_DEFAULTS.requestTimeoutMs;
        return !(s.headersTimeoutMs && request > 0 && s.headersTimeoutMs > request);
      }, {
        path: ['headersTimeoutMs'],
        message: 'must not exceed server.requestTimeoutMs',
      })
      .optional(),
    upstream: upstreamSchema.optional(),
    /**
     * Kept across requests, ms (0 = off): reference data (src/upstream/reference-cache.ts,
     * `referenceTtlMs`, default DEFAULT_REFERENCE_TTL_MS = 5000, then answered stale while one read
     * refreshes it for `referenceStaleMs`, default DEFAULT_REFERENCE_STALE_MS = 60000) and
     * protection evidence (src/insight/evidence-cache.ts, `evidenceTtlMs`, default
     * DEFAULT_EVIDENCE_TTL_MS = 5000).
     */
    cache: z
      .object({
        referenceTtlMs: z.number().int().min(0).max(3_600_000).optional(),
        referenceStaleMs: z.number().int().min(0).max(3_600_000).optional(),
        evidenceTtlMs: z.number().int().min(0).max(3_600_000).optional(),
      })
      .strict()
      .optional(),
    /** What one request may cost (gateway `maxCost`, `maxUpstreamCallsPerRequest`, `queryLimits`). */
    limits: z
      .object({
        /** Most upstream calls an operation's estimate may come to (refused before it runs). */
        maxCost: z.number().int().positive().optional(),
        /** Most upstream calls one request may make (stopped with COST_LIMIT_EXCEEDED past it). */
        maxUpstreamCallsPerRequest: z.number().int().positive().optional(),
        maxDepth: z.number().int().positive().optional(),
        maxAliases: z.number().int().min(0).optional(),
        maxTokens: z.number().int().positive().optional(),
        maxDirectives: z.number().int().min(0).optional(),
        /** Highest document complexity (graphql-armor's formula, list sizes applied). */
        maxComplexity: z.number().int().positive().optional(),
      })
      .strict()
      .optional(),
    /** Prometheus metrics (gateway `metrics`): on by default at `/metrics`. */
    metrics: z
      .object({
        enabled: z.boolean().optional(),
        path: z
          .string()
          .regex(/^\/[A-Za-z0-9._~\/-]*$/, 'must be a path starting with "/"')
          .refine((p) => !['/graphql', '/health', '/healthz', '/readyz'].includes(p), 'must not be a path the gateway already serves')
          .optional(),
      })
      .strict()
      .optional(),
    /** OpenTelemetry traces (gateway `telemetry`): exported over OTLP/HTTP only when `otlpEndpoint` is set. */
    telemetry: z
      .object({
        otlpEndpoint: z.url({ protocol: /^https?$/ }).optional(),
        serviceName: z.string().min(1).max(200).optional(),
        headers: z.record(z.string().regex(/^[A-Za-z0-9!#$%&'*+.^_`|~-]+$/, 'must be an HTTP header name'), z.string()).optional(),
      })
      .strict()
      .optional(),
    /** Shared state for several replicas (gateway `cluster`); `REDIS_URL` stands in for `cluster.redis.url` when the section is absent. */
    cluster: z
      .object({
        redis: z
          .object({
            url: z.url({ protocol: /^rediss?$/, error: 'must be a redis:// or rediss:// URL' }),
            keyPrefix: z.string().regex(/^[A-Za-z0-9:_.-]{1,64}$/, 'must be 1-64 characters of A-Z, a-z, 0-9, ":", "_", "." or "-"').optional(),
            connectWaitMs: z.number().int().min(0).max(60_000).optional(),
          })
          .strict(),
        replicaId: z.string().regex(/^[A-Za-z0-9_.-]{1,64}$/, 'must be 1-64 characters of A-Z, a-z, 0-9, "_", "." or "-"').optional(),
        progressLeaseMs: z.number().int().min(100).max(60_000).optional(),
      })
      .strict()
      .optional(),
    /** Protection and RPO: where RPO targets come from (gateway `insight`). */
    insight: insightSchema.optional(),
    /** Authentication, roles, CORS and the audit file (gateway `access`); `serve --config` refuses to start without it. */
    access: accessSchema.optional(),
    providers: z.array(providerSchema).min(1, 'at least one provider is needed'),
  })
  .strict()
  .superRefine((c, ctx) => {
    const seen = new Set<string>();
    c.providers.forEach((p, i) => {
      if (seen.has(p.id)) ctx.addIssue({ code: 'custom', path: ['providers', i, 'id'], message: `duplicate provider id "${p.id}"` });
      seen.add(p.id);
    });
    // An RPO rule names configured providers only (a typo would silently match nothing).
    c.insight?.rpo?.rules?.forEach((r, i) => {
      if (r.provider !== undefined && !seen.has(r.provider)) ctx.addIssue({ code: 'custom', path: ['insight', 'rpo', 'rules', i, 'provider'], message: `no provider "${r.provider}" is configured` });
    });
    // An API key's scope names configured providers only (a typo would silently hide everything).
    c.access?.apiKeys?.forEach((k, i) => {
      k.providers?.forEach((id, j) => {
        if (!seen.has(id)) ctx.addIssue({ code: 'custom', path: ['access', 'apiKeys', i, 'providers', j], message: `no provider "${id}" is configured` });
      });
      k.organizations?.forEach((o, j) => {
        const provider = normalizeOrganization(o)?.split('/')[0];
        if (provider && !seen.has(provider)) ctx.addIssue({ code: 'custom', path: ['access', 'apiKeys', i, 'organizations', j], message: `no provider "${provider}" is configured` });
      });
    });
  });

/** The gateway config. */
export type GatewayConfig = z.infer<typeof configSchema>;

/** A config problem; `message` lists every key at fault. */
export class ConfigError extends Error {
  constructor(message: string) {
    super(message);
    this.name = 'ConfigError';
  }
}

const keyPath = (path: readonly PropertyKey[]) =>
  path.reduce<string>((acc, p) => (typeof p === 'number' ? `${acc}[${p}]` : acc ? `${acc}.${String(p)}` : String(p)), '');

/**
 * `${VAR}` may stand anywhere in the text, also where YAML would read `{` as syntax
 * (`auth: { apiKey: ${KEY} }`, as in DESIGN.md). So each reference becomes a YAML-safe placeholder
 * before parsing, and placeholders are replaced by the variable's value after it, key by key: a
 * missing variable names its key, and a secret's characters never reach the YAML parser.
 */
function withPlaceholders(text: string): { text: string; names: string[] } {
  const names: string[] = [];
  const out = text.replace(/\$\{([A-Za-z_][A-Za-z0-9_]*)\}/g, (_m, name: string) => `__bgenv_${names.push(name) - 1}__`);
  return { text: out, names };
}

function interpolate(value: unknown, names: string[], env: NodeJS.ProcessEnv, path: PropertyKey[], problems: string[]): unknown {
  if (typeof value === 'string') {
    return value.replace(/__bgenv_(\d+)__/g, (_m, i: string) => {
      const name = names[Number(i)];
      const v = env[name];
      if (v === undefined || v === '') {
        problems.push(`${keyPath(path)}: environment variable ${name} is not set`);
        return '';
      }
      return v;
    });
  }
  if (Array.isArray(value)) return value.map((v, i) => interpolate(v, names, env, [...path, i], problems));
  if (value && typeof value === 'object') {
    return Object.fromEntries(Object.entries(value).map(([k, v]) => [k, interpolate(v, names, env, [...path, k], problems)]));
  }
  return value;
}

/** Parses and validates config text. Throws ConfigError naming every bad key. */
export function parseConfig(text: string, env: NodeJS.ProcessEnv = process.env): GatewayConfig {
  const { text: safe, names } = withPlaceholders(text);
  let raw: unknown;
  try {
    raw = parseYaml(safe);
  } catch (e) {
    throw new ConfigError(`config is not valid YAML: ${(e as Error).message.split('\n')[0]}`);
  }
  const problems: string[] = [];
  const interpolated = interpolate(raw ?? {}, names, env, [], problems);
  if (problems.length) throw new ConfigError(`invalid config:\n  ${problems.join('\n  ')}`);
  const parsed = configSchema.safeParse(interpolated);
  if (!parsed.success) {
    const lines = parsed.error.issues.map((i) => {
      const key = keyPath(i.path) || '(root)';
      const msg = i.code === 'unrecognized_keys' ? `unknown key(s) ${i.keys.map((k) => JSON.stringify(k)).join(', ')}` : i.message;
      return `${key}: ${msg}`;
    });
    throw new ConfigError(`invalid config:\n  ${lines.join('\n  ')}`);
  }
  return parsed.data;
}

/** The adapter options of every configured provider, in config order. */
export function providerOptionsFrom(config: GatewayConfig): import('../providers/contract/index.ts').ProviderAdapterOptions[] {
  return config.providers.map((p) => {
    const kind = p.kind as keyof typeof PROVIDERS;
    return {
      ref: { id: p.id, kind, name: p.name ?? PROVIDERS[kind].displayName, ...(p.organizationName ? { organizationName: p.organizationName } : {}) },
      baseUrl: p.baseUrl,
      secret: 'apiKey' in p.auth ? p.auth.apiKey : p.auth.token,
      upstream: { ...(config.upstream ?? {}), ...(p.upstream ?? {}), ...(p.rateLimit ? { rateLimit: p.rateLimit } : {}) },
      referenceTtlMs: config.cache?.referenceTtlMs ?? DEFAULT_REFERENCE_TTL_MS,
      referenceStaleMs: config.cache?.referenceStaleMs ?? DEFAULT_REFERENCE_STALE_MS,
    };
  });
}

/** `REDIS_URL` as the cluster section (none when unset); a URL that is not Redis's is a ConfigError that never echoes it. */
function clusterFromEnv(env: NodeJS.ProcessEnv): import('./gateway.ts').ClusterOptions | undefined {
  const url = env.REDIS_URL;
  if (!url) return undefined;
  if (!/^rediss?:\/\/[^\s]+$/.test(url)) throw new ConfigError('REDIS_URL: must be a redis:// or rediss:// URL');
  return { redis: { url } };
}

/** The gateway options of the `limits:` section (absent keys keep the gateway's defaults). */
function limitsFrom(limits: GatewayConfig['limits']): Pick<import('./gateway.ts').GatewayOptions, 'maxCost' | 'maxComplexity' | 'maxUpstreamCallsPerRequest' | 'queryLimits'> {
  if (!limits) return {};
  const { maxCost, maxComplexity, maxUpstreamCallsPerRequest, ...queryLimits } = limits;
  return { maxCost, maxComplexity, maxUpstreamCallsPerRequest, queryLimits };
}

/** The gateway options of the `insight:` section: durations as seconds (absent keys keep the gateway's defaults). */
function insightFrom(insight: GatewayConfig['insight']): import('../insight/options.ts').InsightOptions | undefined {
  if (!insight?.rpo) return insight ? {} : undefined;
  const { default: defaultSeconds, rules } = insight.rpo;
  return {
    rpo: {
      ...(defaultSeconds !== undefined ? { defaultSeconds } : {}),
      ...(rules ? { rules: rules.map(({ rpo, ...match }) => ({ ...match, rpoSeconds: rpo })) } : {}),
    },
  };
}

/**
 * The gateway options a config gives, besides the logger (and the providers, from
 * {@link providerOptionsFrom}). Each config section's settings land here.
 */
export function gatewayOptionsFrom(config: GatewayConfig, env: NodeJS.ProcessEnv = process.env): Omit<import('./gateway.ts').GatewayOptions, 'logger' | 'providers'> {
  return {
    cluster: config.cluster ?? clusterFromEnv(env),
    drainTimeoutMs: config.server?.drainTimeoutMs,
    access: config.access,
    introspection: config.server?.introspection,
    graphiql: config.server?.graphiql,
    fieldSuggestions: config.server?.fieldSuggestions,
    compileQueries: config.server?.compileQueries,
    http: {
      maxBodyBytes: config.server?.maxBodyBytes,
      requestTimeoutMs: config.server?.requestTimeoutMs,
      headersTimeoutMs: config.server?.headersTimeoutMs,
      keepAliveTimeoutMs: config.server?.keepAliveTimeoutMs,
    },
    singleConnection: config.server?.singleConnection,
    ...limitsFrom(config.limits),
    metrics: config.metrics,
    telemetry: config.telemetry,
    insight: insightFrom(config.insight),
    cache: { evidenceTtlMs: config.cache?.evidenceTtlMs ?? DEFAULT_EVIDENCE_TTL_MS },
  };
}

/** Reads, parses and validates a config file. */
export function loadConfigFile(file: string, env: NodeJS.ProcessEnv = process.env): GatewayConfig {
  let text: string;
  try {
    text = readFileSync(file, 'utf8');
  } catch (e) {
    throw new ConfigError(`cannot read config file ${file}: ${(e as NodeJS.ErrnoException).code ?? (e as Error).message}`);
  }
  return parseConfig(text, env);
}
