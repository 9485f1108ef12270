import { mkdtempSync, readFileSync, statSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { Writable } from 'node:stream';
import pino from 'pino';
import { describe, expect, it } from 'vitest';
import { createManualClock } from '../../src/domain/clock.ts';
import { createAuditTrail } from '../../src/access/audit.ts';

const caller = { id: 'noc', kind: 'api-key' as const, role: 'admin' as const };

describe('audit trail', () => {
  it('appends one JSON line per record, in call order, stamped by the gateway clock, file mode 0600', async () => {
    const file = join(mkdtempSync(join(tmpdir(), 'bg-audit-unit-')), 'audit.jsonl');
    const clock = createManualClock(Date.UTC(2031, 0, 2, 3, 4, 5));
    const a = createAuditTrail({ logger: pino({ level: 'silent' }), file, clock });
    const records = ['deleteBackup', 'restoreBackup', 'triggerBackup'].map((mutation, i) => {
      clock.advance(1000);
      return a.stamp({ requestId: `r${i}`, caller, mutation, targets: [`id-${i}`], outcome: 'ALLOWED' });
    });
    await Promise.all(records.map((r) => a.persist(r)));
    await a.close();
    const lines = readFileSync(file, 'utf8').trim().split('\n').map((l) => JSON.parse(l));
    expect(lines).toEqual(records);
    expect(lines.map((l) => l.time)).toEqual(['2031-01-02T03:04:06.000Z', '2031-01-02T03:04:07.000Z', '2031-01-02T03:04:08.000Z']);
    expect(statSync(file).mode & 0o777).toBe(0o600);
  });

  it('rejects with AuditWriteError when the file cannot be written, and logs the `audit` line', async () => {
    const logs: string[] = [];
    const logger = pino({ level: 'info' }, new Writable({ write: (c, _e, cb) => (logs.push(String(c)), cb()) }));
    const a = createAuditTrail({ logger, file: join(tmpdir(), 'no-such-dir-for-audit', 'x', 'audit.jsonl') });
    const r = a.stamp({ requestId: 'r', caller, mutation: 'deleteBackup', targets: [], outcome: 'ALLOWED' });
    await expect(a.persist(r)).rejects.toMatchObject({ name: 'AuditWriteError', reason: 'ENOENT' });
    // The next append tries again (and fails again), not stuck on a broken handle.
    await expect(a.persist(r)).rejects.toMatchObject({ name: 'AuditWriteError' });
    a.log({ ...r, outcome: 'OK' });
    expect(JSON.parse(logs[0])).toMatchObject({ msg: 'audit', audit: { mutation: 'deleteBackup', outcome: 'OK', caller } });
  });
});
