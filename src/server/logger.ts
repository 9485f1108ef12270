/**
 * The gateway's logger: pino JSON lines at the level `LOG_LEVEL` names, with three layers that keep
 * secrets out of them:
 * 1. redaction: a field named like a secret (`targetUri`, `password`, `token`, `secret`, `apiKey`,
 *    `authorization`, `cookie`, ..., any case) is `[Redacted]` at any depth up to {@link REDACT_DEPTH};
 * 2. errors are written as `{ type, message, stack, code }` only: no enumerable extras (a GraphQL
 *    error's `source`, an upstream error's request), whatever a caller passes as `err`;
 * 3. every line is scrubbed before it leaves: a password in a URI's user info
 *    (`postgres://user:PASSWORD@host`) or in a `password=`-style parameter becomes `[Redacted]`.
 * None of this is a licence to log inputs: the gateway logs no variables and no query text (see
 * {@link yogaLogging} and `plugins/use-access-log.ts`).
 */
import pino, { type DestinationStream, type LevelWithSilent, type Logger } from 'pino';
import type { YogaLogger } from 'graphql-yoga';
import { ConfigError } from './config.ts';

/** The levels `LOG_LEVEL` may name, most severe first (`silent` writes nothing). */
export const LOG_LEVELS: readonly LevelWithSilent[] = ['fatal', 'error', 'warn', 'info', 'debug', 'trace', 'silent'];

/** What replaces a redacted value. */
export const REDACTED = '[Redacted]';

/** Field names whose values are never written, wherever they are in a line (compared without case). */
export const SECRET_FIELDS: readonly string[] = [
  'targetUri', 'password', 'passwd', 'passphrase', 'secret', 'clientSecret', 'token', 'accessToken', 'refreshToken', 'idToken',
  'apiKey', 'api_key', 'credential', 'credentials', 'connectionString', 'authorization', 'cookie', 'set-cookie', 'x-api-key',
  'proxy-authorization',
];

/** How deep below the top of a line {@link SECRET_FIELDS} are redacted (0 = top-level fields only). */
export const REDACT_DEPTH = 5;

const SECRET_KEYS = new Set(SECRET_FIELDS.map((f) => f.toLowerCase()));

/**
 * `value` with every {@link SECRET_FIELDS} field (any case) replaced by {@link REDACTED}, down to
 * {@link REDACT_DEPTH} levels below the top; objects are copied only where something is replaced,
 * errors are left to the `err` serializer. (A walk rather than pino's `redact` wildcards: one path
 * per field and depth made every line ~100x slower.)
 */
export function redactSecrets<T>(value: T, depth = REDACT_DEPTH): T {
  if (typeof value !== 'object' || value === null || value instanceof Error || depth < 0) return value;
  if (Array.isArray(value)) {
    let out: unknown[] | undefined;
    value.forEach((v, i) => {
      const r = redactSecrets(v, depth - 1);
      if (r !== v) (out ??= [...value])[i] = r;
    });
    return (out ?? value) as T;
  }
  if (Object.getPrototypeOf(value) !== Object.prototype && Object.getPrototypeOf(value) !== null) return value;
  let out: Record<string, unknown> | undefined;
  for (const [k, v] of Object.entries(value)) {
    const r = SECRET_KEYS.has(k.toLowerCase()) ? REDACTED : redactSecrets(v, depth - 1);
    if (r !== v) (out ??= { ...(value as Record<string, unknown>) })[k] = r;
  }
  return (out ?? value) as T;
}

/** A URI's user-info password: `scheme://user:` kept, the password replaced. */
const URI_PASSWORD = /(\b[a-z][a-z0-9+.-]*:\/\/[^\s/:@"'\\]*:)[^\s@/"'\\]+@/gi;
/** A secret-named `key=value` parameter (query strings, DSNs, `Bearer`-less headers in text). */
const SECRET_PARAM = /(\b(?:password|passwd|pwd|secret|token|access_token|api[_-]?key|sslpassword)=)[^&;\s"'\\]+/gi;

/** `text` with URI passwords and secret-named parameters replaced by {@link REDACTED}. */
export function scrubSecrets(text: string): string {
  return text.replace(URI_PASSWORD, `$1${REDACTED}@`).replace(SECRET_PARAM, `$1${REDACTED}`);
}

/** Every line through {@link scrubSecrets} on its way to `inner`. */
function scrubbing(inner: DestinationStream): DestinationStream {
  return { write: (line: string) => inner.write(scrubSecrets(line)) };
}

/** An error as a line may carry it: its name, message, stack and string code, nothing else. */
function serializeErr(e: unknown): unknown {
  if (typeof e !== 'object' || e === null) return e;
  const o = e as { name?: unknown; type?: unknown; message?: unknown; stack?: unknown; code?: unknown; extensions?: { code?: unknown } };
  const code = typeof o.code === 'string' ? o.code : typeof o.extensions?.code === 'string' ? o.extensions.code : undefined;
  return {
    type: typeof o.name === 'string' ? o.name : typeof o.type === 'string' ? o.type : 'Error',
    ...(typeof o.message === 'string' ? { message: o.message } : {}),
    ...(typeof o.stack === 'string' ? { stack: o.stack } : {}),
    ...(code ? { code } : {}),
  };
}

/** `LOG_LEVEL`'s value as a level: absent or empty is `info`; anything not in {@link LOG_LEVELS} is a {@link ConfigError}. */
export function parseLogLevel(value: string | undefined): LevelWithSilent {
  const v = value?.trim().toLowerCase();
  if (!v) return 'info';
  if (!(LOG_LEVELS as readonly string[]).includes(v)) throw new ConfigError(`LOG_LEVEL must be one of ${LOG_LEVELS.join(', ')} (got "${value}")`);
  return v as LevelWithSilent;
}

/** Options of {@link createGatewayLogger}. */
export interface GatewayLoggerOptions {
  /** The least severe level written, as `LOG_LEVEL` gives it (see {@link parseLogLevel}). @default 'info' */
  level?: string;
  /** Where the lines go, each one scrubbed first. @default stdout, written synchronously (nothing lost on exit) */
  destination?: DestinationStream;
}

/**
 * The gateway's pino logger: JSON lines at `level`, secret fields redacted, errors reduced to
 * type/message/stack/code, every line scrubbed of URI passwords. Throws a {@link ConfigError} (before
 * anything is written) when `level` is not a level.
 */
export function createGatewayLogger(options: GatewayLoggerOptions = {}): Logger {
  const level = parseLogLevel(options.level);
  const destination = options.destination ?? pino.destination(1);
  return pino(
    {
      level,
      formatters: { log: (fields) => redactSecrets(fields) },
      serializers: { err: serializeErr },
    },
    scrubbing(destination),
  );
}

/** A client may name its operation anything; only a GraphQL name is worth a log field. */
const GRAPHQL_NAME = /^[_A-Za-z][_0-9A-Za-z]{0,99}$/;

/** One argument yoga passed, reduced to what a line may carry. */
function describeArg(a: unknown): { text?: string; fields?: Record<string, unknown> } {
  if (typeof a === 'string') return { text: a.length > 300 ? `${a.slice(0, 300)}…` : a };
  if (typeof a !== 'object' || a === null) return { text: String(a) };
  if (a instanceof Error || (typeof (a as Error).name === 'string' && 'message' in a)) {
    // A GraphQL error's message may quote a literal and its toString() prints the query around it:
    // keep the name, the code (of the error or what it wraps) and the path.
    let inner: unknown = a;
    while (typeof inner === 'object' && inner !== null && (inner as { originalError?: unknown }).originalError) inner = (inner as { originalError: unknown }).originalError;
    const o = a as unknown as { name: string; path?: unknown; extensions?: { code?: unknown } };
    const i = inner as { name?: unknown; code?: unknown; extensions?: { code?: unknown } };
    const code = [o.extensions?.code, i.extensions?.code, i.code].find((c) => typeof c === 'string');
    return {
      fields: {
        error: { type: o.name, ...(inner !== a && typeof i.name === 'string' ? { cause: i.name } : {}), ...(code ? { code } : {}) },
        ...(Array.isArray(o.path) ? { path: o.path.join('.') } : {}),
      },
    };
  }
  // Request params or anything else: never its variables or query; at most its operation name.
  const name = (a as { operationName?: unknown }).operationName;
  return { fields: typeof name === 'string' && GRAPHQL_NAME.test(name) ? { operationName: name } : {} };
}

/**
 * yoga's `logging` option over `logger`. yoga writes fixed strings (kept at their level) and, at
 * error, every error its mask replaced: an expected error with its code, or an unexpected one the
 * gateway's own mask has already logged at error with its stack (`use-error-masking.ts`). So any
 * call that carries an object goes to debug, reduced to names, codes and paths: never a message,
 * a query, a variable or `String(error)` (which prints the query text around the error). A call
 * whose line could not be written (its level and debug both off) costs nothing.
 */
export function yogaLogging(logger: Logger): YogaLogger {
  const bridge = (level: 'debug' | 'info' | 'warn' | 'error') => (...args: unknown[]) => {
    // yoga calls debug a few times per request: nothing is built while neither level can be written.
    if (!logger.isLevelEnabled('debug') && (level === 'debug' || !logger.isLevelEnabled(level))) return;
    const parts = args.map(describeArg);
    const text = parts.flatMap((p) => (p.text === undefined ? [] : [p.text])).join(' ');
    const fields = Object.assign({}, ...parts.map((p) => p.fields ?? {}));
    const structured = parts.some((p) => p.fields);
    const msg = `yoga${text ? `: ${text}` : level === 'error' ? ': error replaced by the mask' : ''}`;
    logger[structured ? 'debug' : level](fields, msg);
  };
  return { debug: bridge('debug'), info: bridge('info'), warn: bridge('warn'), error: bridge('error') };
}
