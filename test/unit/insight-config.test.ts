/**
 * The `insight:` config section: durations, rules, and errors that name the key at fault.
 */
import { describe, expect, it } from 'vitest';
import { ConfigError, gatewayOptionsFrom, parseConfig, providerOptionsFrom } from '../../src/server/config.ts';

const providers = `
providers:
  - id: bocada-eu
    kind: bocada
    baseUrl: https://bocada.example.com
    auth: { apiKey: k }
`;

function errorOf(text: string): string {
  try {
    parseConfig(text, {});
  } catch (err) {
    expect(err).toBeInstanceOf(ConfigError);
    return (err as Error).message;
  }
  throw new Error('expected a ConfigError');
}

describe('config: insight', () => {
  it('turns durations into seconds and rules into gateway options, in order', () => {
    const config = parseConfig(`insight:
  rpo:
    default: 1d12h
    rules:
      - { provider: bocada-eu, resourceType: database, rpo: 4h }
      - { kind: ocore, name: "prod-*", rpo: 90m }
${providers}`, {});
    expect(gatewayOptionsFrom(config, {}).insight).toEqual({
      rpo: {
        defaultSeconds: 129_600,
        rules: [{ provider: 'bocada-eu', resourceType: 'database', rpoSeconds: 14_400 }, { kind: 'ocore', name: 'prod-*', rpoSeconds: 5_400 }],
      },
    });
    expect(gatewayOptionsFrom(parseConfig(providers, {}), {}).insight).toBeUndefined();
  });

  it.each([
    ['insight:\n  rpo: { default: 24 }', 'insight.rpo.default'],
    ['insight:\n  rpo: { default: "1 day" }', 'insight.rpo.default: must be a duration'],
    ['insight:\n  rpo: { default: 0h }', 'insight.rpo.default: must be a duration'],
    ['insight:\n  rpo: { rules: [{ name: "x*", rpo: soon }] }', 'insight.rpo.rules[0].rpo: must be a duration'],
    ['insight:\n  rpo: { rules: [{ rpo: 4h }] }', 'insight.rpo.rules[0]: a rule needs at least one of'],
    ['insight:\n  rpo: { rules: [{ kind: veeam, rpo: 4h }] }', 'insight.rpo.rules[0].kind'],
    ['insight:\n  rpo: { rules: [{ provider: bocada-us, rpo: 4h }] }', 'insight.rpo.rules[0].provider: no provider "bocada-us" is configured'],
    ['insight:\n  rpo: { rules: [{ name: "x", rpo: 4h, window: 2h }] }', 'insight.rpo.rules[0]: unknown key(s) "window"'],
    ['insight:\n  slo: {}', 'insight: unknown key(s) "slo"'],
  ])('refuses %j naming the key', (section, message) => {
    expect(errorOf(`${section}\n${providers}`)).toContain(message);
  });
});

describe('config: cache', () => {
  it('keeps protection evidence 5 s unless `cache.evidenceTtlMs` says otherwise (0 turns it off)', () => {
    expect(gatewayOptionsFrom(parseConfig(providers, {}), {}).cache).toEqual({ evidenceTtlMs: 5_000 });
    expect(gatewayOptionsFrom(parseConfig(`cache: { evidenceTtlMs: 0, referenceTtlMs: 1000 }\n${providers}`, {}), {}).cache).toEqual({ evidenceTtlMs: 0 });
    expect(gatewayOptionsFrom(parseConfig(`cache: { evidenceTtlMs: 30000 }\n${providers}`, {}), {}).cache).toEqual({ evidenceTtlMs: 30_000 });
  });

  it('keeps reference data 5 s, then answers it stale for 60 s more while one read refreshes it, unless the config says otherwise', () => {
    const cacheOf = (yaml: string) => providerOptionsFrom(parseConfig(`${yaml}\n${providers}`, {})).map((p) => [p.referenceTtlMs, p.referenceStaleMs]);
    expect(cacheOf('')).toEqual([[5_000, 60_000]]);
    expect(cacheOf('cache: { referenceTtlMs: 1000, referenceStaleMs: 0 }')).toEqual([[1_000, 0]]);
  });

  it.each([
    ['cache: { referenceStaleMs: -1 }', 'cache.referenceStaleMs'],
    ['cache: { referenceStaleMs: 3600001 }', 'cache.referenceStaleMs'],
    ['cache: { evidenceTtlMs: -1 }', 'cache.evidenceTtlMs'],
    ['cache: { evidenceTtlMs: "5s" }', 'cache.evidenceTtlMs'],
    ['cache: { evidenceTtlMs: 3600001 }', 'cache.evidenceTtlMs'],
    ['cache: { evidence: 5000 }', 'unknown key(s) "evidence"'],
  ])('refuses %s, naming %s', (section, named) => {
    expect(errorOf(`${section}\n${providers}`)).toContain(named);
  });
});
