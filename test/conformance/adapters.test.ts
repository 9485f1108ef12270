/**
 * Every adapter audit against every provider kind of the product registry, each adapter over real
 * HTTP against its own simulator on loopback. A broken MUST fails; a broken SHOULD fails too,
 * unless it is a known deviation listed below with its reason; a listed deviation that no longer
 * happens fails as well, so the list stays true.
 */
import { beforeAll, describe, expect, it } from 'vitest';
import { PROVIDER_KINDS } from '../../src/providers/registry.ts';
import { disposeAfterAll } from '../utils/leftovers.ts';
import { AUDIT_CASES, AUDITS, runAudit } from './audits.ts';
import { HARNESSES, startHarness, type AdapterHarness } from './harness.ts';

/** SHOULD audits a provider is known not to meet yet: kind -> audit id -> why. */
const KNOWN_DEVIATIONS: Record<string, Record<string, string>> = {};

describe('the audited provider kinds', () => {
  it('are exactly the kinds of the product registry', () => {
    expect(Object.keys(HARNESSES)).toEqual(PROVIDER_KINDS);
  });

  it('waive only SHOULD audits, each with a reason', () => {
    for (const [kind, waived] of Object.entries(KNOWN_DEVIATIONS)) {
      expect(PROVIDER_KINDS).toContain(kind);
      for (const [id, why] of Object.entries(waived)) {
        expect(AUDITS.find((a) => a.id === id)?.level, `${kind} ${id}`).toBe('SHOULD');
        expect(why.length).toBeGreaterThan(20);
      }
    }
  });
});

describe.each(Object.keys(HARNESSES))('%s adapter', (kind) => {
  let h: AdapterHarness;
  beforeAll(async () => {
    h = disposeAfterAll(await startHarness(kind));
  });

  it.each(AUDIT_CASES)('%s', async (_name, audit) => {
    const result = await runAudit(audit, h);
    const waived = KNOWN_DEVIATIONS[kind]?.[audit.id];
    if (waived) {
      expect(result.status, `known deviation no longer seen (remove it from KNOWN_DEVIATIONS): ${waived}`).toBe('warn');
    } else {
      expect(result.reason).toBeNull();
      expect(result.status).toBe('ok');
    }
  });
});
