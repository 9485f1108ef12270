/**
 * The audits can fail: a real adapter (ByCloud, on its simulator) wrapped with one deliberate
 * defect at a time fails exactly the audits that defect breaks, by id, at the audit's level (a
 * broken MUST is an `error`, a broken SHOULD a `warn`), and passes every other one; the transparent
 * wrapper passes them all.
 */
import { beforeAll, describe, expect, it } from 'vitest';
import { breakAdapter, type Defect } from '../fixtures/broken-adapter.ts';
import { disposeAfterAll } from '../utils/leftovers.ts';
import { AUDITS, runAudit } from './audits.ts';
import { startHarness, type AdapterHarness } from './harness.ts';

/** Each defect and the audits it must fail, no more and no fewer. */
const DEFECTS: Array<[Defect, string[]]> = [
  ['none', []],
  // ByCloud reports exact totals, so a short list also contradicts its total; the same list in
  // another order (its resources by name) and under a filter come out short too.
  ['drops-first-item-when-resuming', ['A1001', 'A1003', 'A1005', 'A1009', 'A1010']],
  ['answers-empty-pages-when-resuming', ['A1004']],
  ['answers-limit-plus-one', ['A1002']],
  ['reports-page-size-as-total', ['A1005', 'A1010']],
  ['stamps-the-update-as-creation', ['A1008']],
  ['declares-an-order-it-ignores', ['A1009']],
  ['searches-names-case-sensitively', ['A1010']],
  ['crashes-on-foreign-token', ['A1006', 'A1007']],
  ['lacks-a-lookup', ['A2004']],
  ['answers-lookups-reversed', ['A2001', 'A2002']],
  ['answers-null-for-failed-lookups', ['A2002', 'A2003']],
  ['answers-undeclared-typename', ['A3001']],
  ['answers-raw-status', ['A3002']],
  ['probes-a-missing-route', ['A5001']],
  ['throws-from-health', ['A5002', 'A5003']],
  ['untypes-upstream-errors', ['A6001']],
  ['leaks-the-credential', ['A6002']],
  ['loses-the-request-id', ['A6003']],
  ['shares-state-across-requests', ['A7001']],
  ['forgets-the-request', ['A7002']],
];

let h: AdapterHarness;
beforeAll(async () => {
  h = disposeAfterAll(await startHarness('bycloud'));
});

describe('the audits against a broken adapter', () => {
  it('has unique, stable-looking ids and one-line rules', () => {
    const ids = AUDITS.map((a) => a.id);
    expect(new Set(ids).size).toBe(ids.length);
    for (const a of AUDITS) {
      expect(a.id).toMatch(/^A[1-7]\d{3}$/);
      expect(['MUST', 'SHOULD']).toContain(a.level);
      expect(a.rule).not.toMatch(/\n/);
    }
    expect(ids).toEqual([...ids].sort());
  });

  it('every audit is broken by some defect', () => {
    const broken = new Set(DEFECTS.flatMap(([, failing]) => failing));
    // A4001 holds by construction while capabilities are derived from `lists` (its job is to keep it so).
    expect(AUDITS.map((a) => a.id).filter((id) => !broken.has(id))).toEqual(['A4001']);
  });

  it.each(DEFECTS)('%s fails exactly %j', async (defect, failing) => {
    const results = [];
    for (const audit of AUDITS) results.push(await runAudit(audit, h, (adapter, options) => breakAdapter(adapter, defect, options)));
    const failed = results.filter((r) => r.status !== 'ok');
    expect(failed.map((r) => r.id), JSON.stringify(failed, null, 1)).toEqual(failing);
    for (const r of failed) {
      expect(r.status).toBe(r.level === 'MUST' ? 'error' : 'warn');
      expect(r.reason).toMatch(/^AuditError: /);
    }
  });
});
