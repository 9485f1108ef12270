import { describe, expect, it } from 'vitest';
import { ConfigError, gatewayOptionsFrom, parseConfig, providerOptionsFrom } from '../../src/server/config.ts';

const good = `
providers:
  - id: bocada-eu
    kind: bocada
    name: Bocada EU
    baseUrl: https://bocada.example.com
    auth: { apiKey: \${BOCADA_API_KEY} }
  - id: ocore
    kind: ocore
    baseUrl: https://api.ocore.example
    auth: { token: \${OCORE_TOKEN} }
`;
const env = { BOCADA_API_KEY: 'bc_live_s3cret', OCORE_TOKEN: 'eyJ.secret.jwt' };

function errorOf(text: string, e: NodeJS.ProcessEnv = env): string {
  try {
    parseConfig(text, e);
  } catch (err) {
    expect(err).toBeInstanceOf(ConfigError);
    return (err as Error).message;
  }
  throw new Error('expected a ConfigError');
}

describe('config', () => {
  it('passes breaker, retry budget, bulkhead and body cap settings to every provider, and names a bad one', () => {
    const withGuards = `upstream:\n  breaker: { consecutiveFailures: 5, halfOpenAfterMs: 2000 }\n  retryBudget: { ratio: 0.1 }\n  bulkhead: { maxConcurrent: 4 }\n  maxBodyBytes: 1048576\n${good}`;
    const [first] = providerOptionsFrom(parseConfig(withGuards, env));
    expect(first.upstream).toMatchObject({ breaker: { consecutiveFailures: 5, halfOpenAfterMs: 2000 }, retryBudget: { ratio: 0.1 }, bulkhead: { maxConcurrent: 4 }, maxBodyBytes: 1048576 });
    expect(errorOf(`upstream:\n  retryBudget: { ratio: 3 }\n${good}`)).toContain('upstream.retryBudget.ratio');
  });

  it('reads providers with secrets from the environment', () => {
    const opts = providerOptionsFrom(parseConfig(good, env));
    expect(opts.map((o) => [o.ref.id, o.ref.kind, o.ref.name, o.secret])).toEqual([
      ['bocada-eu', 'bocada', 'Bocada EU', 'bc_live_s3cret'],
      ['ocore', 'ocore', 'oCore', 'eyJ.secret.jwt'],
    ]);
  });

  it('names the token\'s organization of a single-organization provider from organizationName, and refuses an empty one', () => {
    const named = good.replace('    kind: ocore\n', '    kind: ocore\n    organizationName: Fabrikam Studios\n');
    const [bocada, ocore] = providerOptionsFrom(parseConfig(named, env));
    expect(ocore.ref.organizationName).toBe('Fabrikam Studios');
    expect(bocada.ref.organizationName).toBeUndefined();
    expect(errorOf(good.replace('    kind: ocore\n', '    kind: ocore\n    organizationName: ""\n'))).toContain('providers[1].organizationName');
  });

  it('takes secrets with YAML syntax characters verbatim', () => {
    const tricky = 'k: {x} #not-a-comment, [y] "z"';
    const opts = providerOptionsFrom(parseConfig(good, { ...env, BOCADA_API_KEY: tricky }));
    expect(opts[0].secret).toBe(tricky);
  });

  it('names a missing environment variable and its key', () => {
    expect(errorOf(good, { OCORE_TOKEN: 'x' })).toContain('providers[0].auth.apiKey: environment variable BOCADA_API_KEY is not set');
  });

  it.each([
    [good.replace('kind: bocada', 'kind: veeam'), 'providers[0].kind'],
    [good.replace('name: Bocada EU', 'nmae: Bocada EU'), 'unknown key(s) "nmae"'],
    [good.replace('baseUrl: https://bocada.example.com', 'baseUrl: not a url'), 'providers[0].baseUrl'],
    [good.replace('id: ocore', 'id: bocada-eu'), 'providers[1].id: duplicate provider id'],
    [good.replace('auth: { apiKey: ${BOCADA_API_KEY} }', 'auth: { token: ${BOCADA_API_KEY} }'), 'providers[0].auth.apiKey: bocada needs auth.apiKey'],
    ['providers: []', 'providers: at least one provider'],
    ['providers: [', 'not valid YAML'],
    [`${good}\nextra: 1`, 'unknown key(s) "extra"'],
  ])('rejects a bad config (%#) naming the key', (text, expected) => {
    expect(errorOf(text)).toContain(expected);
  });

  it('never echoes a secret in an error', () => {
    const msg = errorOf(good.replace('baseUrl: https://api.ocore.example', 'baseUrl: 42'));
    expect(msg).not.toContain('bc_live_s3cret');
    expect(msg).not.toContain('eyJ.secret.jwt');
  });
});

describe('config limits', () => {
  it('passes every limit to the gateway options', () => {
    const text = `limits:\n  maxCost: 800\n  maxComplexity: 30000\n  maxUpstreamCallsPerRequest: 150\n  maxDepth: 10\n  maxAliases: 20\n  maxTokens: 5000\n  maxDirectives: 40\n${good}`;
    expect(gatewayOptionsFrom(parseConfig(text, env))).toMatchObject({
      maxCost: 800,
      maxComplexity: 30000,
      maxUpstreamCallsPerRequest: 150,
      queryLimits: { maxDepth: 10, maxAliases: 20, maxTokens: 5000, maxDirectives: 40 },
    });
  });

  it('leaves the gateway defaults when the section or a key is absent', () => {
    const none = gatewayOptionsFrom(parseConfig(good, env));
    expect(none.maxCost).toBeUndefined();
    expect(none.maxUpstreamCallsPerRequest).toBeUndefined();
    const some = gatewayOptionsFrom(parseConfig(`limits:\n  maxCost: 50\n${good}`, env));
    expect(some).toMatchObject({ maxCost: 50 });
    expect(some.maxUpstreamCallsPerRequest).toBeUndefined();
  });

  it('compiles repeated queries unless server.compileQueries is false, and refuses a value that is not a boolean', () => {
    expect(gatewayOptionsFrom(parseConfig(good, env)).compileQueries).toBeUndefined();
    expect(gatewayOptionsFrom(parseConfig(`server:\n  compileQueries: false\n${good}`, env)).compileQueries).toBe(false);
    expect(errorOf(`server:\n  compileQueries: sometimes\n${good}`)).toContain('server.compileQueries');
  });

  it.each([
    ['limits:\n  maxCost: 0', 'limits.maxCost'],
    ['limits:\n  maxUpstreamCallsPerRequest: -1', 'limits.maxUpstreamCallsPerRequest'],
    ['limits:\n  maxUpstreamCallsPerRequest: 2.5', 'limits.maxUpstreamCallsPerRequest'],
    ['limits:\n  maxCost: lots', 'limits.maxCost'],
    ['limits:\n  maxCalls: 10', 'unknown key(s) "maxCalls"'],
  ])('rejects a bad limit (%#) naming the key', (section, expected) => {
    expect(errorOf(`${section}\n${good}`)).toContain(expected);
  });
});

describe('config: cluster and outbound rate limits', () => {
  it('reads cluster.redis, falls back to REDIS_URL, and never echoes a Redis URL it refuses', () => {
    const withCluster = `cluster:\n  redis: { url: "redis://:pw@10.0.0.5:6379/2", keyPrefix: "bg-prod:", connectWaitMs: 10000 }\n  replicaId: gw-1\n  progressLeaseMs: 3000\n${good}`;
    expect(gatewayOptionsFrom(parseConfig(withCluster, env), {})).toMatchObject({
      cluster: { redis: { url: 'redis://:pw@10.0.0.5:6379/2', keyPrefix: 'bg-prod:', connectWaitMs: 10000 }, replicaId: 'gw-1', progressLeaseMs: 3000 },
    });
    expect(gatewayOptionsFrom(parseConfig(good, env), { REDIS_URL: 'redis://127.0.0.1:6379/0' }).cluster).toEqual({ redis: { url: 'redis://127.0.0.1:6379/0' } });
    expect(gatewayOptionsFrom(parseConfig(good, env), {}).cluster).toBeUndefined();
    expect(() => gatewayOptionsFrom(parseConfig(good, env), { REDIS_URL: 'http://user:hunter2@x' })).toThrow(/^REDIS_URL: must be a redis/);
    try {
      gatewayOptionsFrom(parseConfig(good, env), { REDIS_URL: 'http://user:hunter2@x' });
    } catch (e) {
      expect((e as Error).message).not.toContain('hunter2');
    }
    const bad = errorOf(`cluster:\n  redis: { url: "http://:hunter2@h:1" }\n${good}`);
    expect(bad).toContain('cluster.redis.url');
    expect(bad).not.toContain('hunter2');
    expect(errorOf(`cluster:\n  redis: { url: "redis://h:1", connectWaitMs: -1 }\n${good}`)).toContain('cluster.redis.connectWaitMs');
  });

  it.each([
    ['{ requestsPerSecond: 5 }', { requestsPerSecond: 5 }],
    ['{ requestsPerMinute: 600 }', { requestsPerMinute: 600 }],
    ['none', 'none'],
  ])('passes providers[].rateLimit %s to the provider', (value, expected) => {
    const text = good.replace('    auth: { apiKey: ${BOCADA_API_KEY} }', `    auth: { apiKey: \${BOCADA_API_KEY} }\n    rateLimit: ${value}`);
    expect(providerOptionsFrom(parseConfig(text, env))[0].upstream?.rateLimit).toEqual(expected);
  });

  it('refuses a rate limit without a figure, naming the key', () => {
    const text = good.replace('    auth: { apiKey: ${BOCADA_API_KEY} }', '    auth: { apiKey: ${BOCADA_API_KEY} }\n    rateLimit: {}');
    expect(errorOf(text)).toContain('providers[0].rateLimit');
  });
});
