/**
 * The audit trail of mutations. Every attempt, allowed or refused, is one structured log line
 * (`audit`, with its final outcome) and, when `access.auditLog` names a file, one JSON line
 * appended to it and fsync'd BEFORE the mutation may reach a provider (write-ahead): the file line's
 * `outcome` is the access decision (`ALLOWED`, or the refusal's code). A failed append refuses the
 * mutation, so nothing runs that the file does not hold.
 */
import { open, type FileHandle } from 'node:fs/promises';
import type { Logger } from 'pino';
import { systemClock, type Clock } from '../domain/clock.ts';
import type { Caller } from './caller.ts';

/** One mutation attempt. */
export interface AuditRecord {
  /** ISO time from the gateway's clock. */
  time: string;
  requestId: string;
  caller: Pick<Caller, 'id' | 'kind' | 'role'>;
  /** The Mutation field. */
  mutation: string;
  /** The ids the mutation's input names (global ids as sent). */
  targets: string[];
  /** `ALLOWED` (file, before running) / `OK` or `USER_ERROR` (log, after) or the error code it ended with. */
  outcome: string;
  /** Log lines of a `USER_ERROR` outcome: the codes of the payload's `userErrors`. */
  userErrors?: string[];
  /** Log lines only: true when the audit file could not take this record (a refused attempt). */
  unrecorded?: true;
}

/** The append to the audit file failed; the mutation must not run. */
export class AuditWriteError extends Error {
  constructor(readonly reason: string) {
    super(`the audit trail cannot be written (${reason})`);
    this.name = 'AuditWriteError';
  }
}

/** Where audit records go. */
export interface AuditTrail {
  /** A record stamped now (from the gateway's clock). */
  stamp(record: Omit<AuditRecord, 'time'>): AuditRecord;
  /**
   * Appends `record` as one JSON line and fsyncs it; resolves once it is on disk (at once without
   * a file). Rejects with {@link AuditWriteError}. Appends are written one at a time, in call order.
   */
  persist(record: AuditRecord): Promise<void>;
  /** The structured `audit` log line of `record`. */
  log(record: AuditRecord): void;
  /** Closes the file. */
  close(): Promise<void>;
}

/** Options of {@link createAuditTrail}. */
export interface AuditTrailOptions {
  /** Receives the `audit` log lines (info). */
  logger: Logger;
  /** File appended to (created with mode 0600). @default none: log lines only */
  file?: string;
  /** Where records read the time. @default the system clock */
  clock?: Clock;
}

/** Creates the audit trail. Opens the file on the first append (and again after a failure). */
export function createAuditTrail(options: AuditTrailOptions): AuditTrail {
  const { logger, file, clock = systemClock } = options;
  let handle: Promise<FileHandle> | null = null;
  let queue: Promise<unknown> = Promise.resolve();

  async function append(line: string): Promise<void> {
    handle ??= open(file!, 'a', 0o600);
    try {
      const fh = await handle;
      await fh.appendFile(line, 'utf8');
      await fh.sync();
    } catch (e) {
      const h = handle;
      handle = null; // the next attempt opens the file again
      h?.then((fh) => fh.close()).catch(() => undefined);
      throw new AuditWriteError((e as NodeJS.ErrnoException).code ?? 'write failed');
    }
  }

  return {
    stamp(record) {
      return { time: new Date(clock.now()).toISOString(), ...record };
    },
    persist(record) {
      if (!file) return Promise.resolve();
      const line = `${JSON.stringify(record)}\n`;
      const done = queue.then(() => append(line));
      queue = done.catch(() => undefined);
      return done;
    },
    log(record) {
      logger.info({ audit: record }, 'audit');
    },
    async close() {
      await queue;
      const h = handle;
      handle = null;
      await h?.then((fh) => fh.close()).catch(() => undefined);
    },
  };
}
