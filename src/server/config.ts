/**
 * The gateway's config file: YAML, `${VAR}` replaced from the environment, validated with zod.
 * Every error names the key at fault; secrets are never echoed in errors.
 */
import { readFileSync } from 'node:fs';
import { parse as parseYaml } from 'yaml';
import { z } from 'zod';
import { PROVIDER_KINDS, PROVIDERS } from '../providers/registry.ts';

const upstreamSchema = z
  .object({
    connectTimeoutMs: z.number().int().positive().optional(),
    headersTimeoutMs: z.number().int().positive().optional(),
    bodyTimeoutMs: z.number().int().positive().optional(),
    deadlineMs: z.number().int().positive().optional(),
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
    baseUrl: z.url({ protocol: /^https?$/ }),
    auth: z.union([z.object({ apiKey: z.string().min(1) }).strict(), z.object({ token: z.string().min(1) }).strict()]),
    upstream: upstreamSchema.optional(),
  })
  .strict()
  .superRefine((p, ctx) => {
    const wants = PROVIDERS[p.kind as keyof typeof PROVIDERS].secretKey;
    if (!(wants in p.auth)) ctx.addIssue({ code: 'custom', path: ['auth', wants], message: `${p.kind} needs auth.${wants}` });
  });

/** The validated config. */
export const configSchema = z
  .object({
    server: z
      .object({
        port: z.number().int().min(0).max(65535).optional(),
        /** How long a shutdown lets in-flight requests and streams finish (gateway `drainTimeoutMs`). */
        drainTimeoutMs: z.number().int().min(0).max(600_000).optional(),
      })
      .strict()
      .optional(),
    upstream: upstreamSchema.optional(),
    providers: z.array(providerSchema).min(1, 'at least one provider is needed'),
  })
  .strict()
  .superRefine((c, ctx) => {
    const seen = new Set<string>();
    c.providers.forEach((p, i) => {
      if (seen.has(p.id)) ctx.addIssue({ code: 'custom', path: ['providers', i, 'id'], message: `duplicate provider id "${p.id}"` });
      seen.add(p.id);
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
      ref: { id: p.id, kind, name: p.name ?? PROVIDERS[kind].displayName },
      baseUrl: p.baseUrl,
      secret: 'apiKey' in p.auth ? p.auth.apiKey : p.auth.token,
      upstream: { ...(config.upstream ?? {}), ...(p.upstream ?? {}) },
    };
  });
}

/**
 * The gateway options a config gives, besides the logger (and the providers, from
 * {@link providerOptionsFrom}). Each config section's settings land here.
 */
export function gatewayOptionsFrom(config: GatewayConfig): Omit<import('./gateway.ts').GatewayOptions, 'logger' | 'providers'> {
  return {
    drainTimeoutMs: config.server?.drainTimeoutMs,
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
