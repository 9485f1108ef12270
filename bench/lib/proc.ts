/**
 * Child processes of the benchmark and what the bench reads of them from /proc: CPU time
 * (utime + stime of the process and every descendant), resident set size, and readiness over HTTP.
 * Every server under test runs in a child started here, so its figures are its own.
 */
import { spawn, execFileSync, type ChildProcess, type SpawnOptions } from 'node:child_process';
import { once } from 'node:events';
import { createWriteStream, mkdirSync, readFileSync, readdirSync } from 'node:fs';
import { createServer } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';

/** Where children's stdout and stderr go (one file per child), so a failure can show its tail. */
export const BENCH_LOG_DIR = join(tmpdir(), 'backup-graph-bench');

let ticksPerSecond: number | undefined;
/** Clock ticks per second of /proc's CPU times (`getconf CLK_TCK`, 100 almost everywhere). */
function clockTicks(): number {
  if (ticksPerSecond === undefined) {
    try {
      ticksPerSecond = Number(execFileSync('getconf', ['CLK_TCK'], { encoding: 'utf8' }).trim()) || 100;
    } catch {
      ticksPerSecond = 100;
    }
  }
  return ticksPerSecond;
}

/** The pids of `pid` and of every process below it (read from /proc/<pid>/task/<tid>/children). */
export function processTree(pid: number): number[] {
  const out = [pid];
  for (let i = 0; i < out.length; i++) {
    let tasks: string[] = [];
    try {
      tasks = readdirSync(`/proc/${out[i]}/task`);
    } catch {
      continue;
    }
    for (const tid of tasks) {
      try {
        for (const c of readFileSync(`/proc/${out[i]}/task/${tid}/children`, 'utf8').trim().split(/\s+/)) if (c) out.push(Number(c));
      } catch {
        // The task ended between the two reads.
      }
    }
  }
  return out;
}

/** CPU time (user + system) used so far by `pid` and its descendants, in ms (10 ms resolution at 100 Hz). */
export function cpuMs(pid: number): number {
  let ticks = 0;
  for (const p of processTree(pid)) {
    try {
      // Fields after the command (which may hold spaces) start after the last ')'; utime and stime are fields 14 and 15.
      const stat = readFileSync(`/proc/${p}/stat`, 'utf8');
      const f = stat.slice(stat.lastIndexOf(')') + 2).split(' ');
      ticks += Number(f[11]) + Number(f[12]);
    } catch {
      // Gone: its time is lost, which only happens to short-lived helpers.
    }
  }
  return (ticks * 1000) / clockTicks();
}

/** Resident set size of `pid` and its descendants, in MB. */
export function rssMb(pid: number): number {
  let kb = 0;
  for (const p of processTree(pid)) {
    try {
      const m = /^VmRSS:\s+(\d+) kB/m.exec(readFileSync(`/proc/${p}/status`, 'utf8'));
      if (m) kb += Number(m[1]);
    } catch {
      // Gone.
    }
  }
  return Math.round((kb / 1024) * 10) / 10;
}

/** A free TCP port on 127.0.0.1 (listen on 0, read it, close). */
export async function freePort(): Promise<number> {
  const server = createServer();
  server.listen(0, '127.0.0.1');
  await once(server, 'listening');
  const { port } = server.address() as { port: number };
  server.close();
  await once(server, 'close');
  return port;
}

/** A child process of the bench with its log file. */
export interface BenchChild {
  name: string;
  proc: ChildProcess;
  pid: number;
  logFile: string;
  /** Spawn time (performance.now()). */
  spawnedAt: number;
  /** The last lines of its log, for error messages. */
  tail(lines?: number): string;
  /** SIGTERM, then SIGKILL after `graceMs`; resolves once it has exited. */
  stop(graceMs?: number): Promise<void>;
}

/** Spawns `command args` with stdout and stderr appended to a log file of its own. */
export function startChild(name: string, command: string, args: string[], options: Omit<SpawnOptions, 'stdio'> & { ipc?: boolean } = {}): BenchChild {
  mkdirSync(BENCH_LOG_DIR, { recursive: true });
  const logFile = join(BENCH_LOG_DIR, `${name}.log`);
  const log = createWriteStream(logFile);
  const spawnedAt = performance.now();
  const { ipc, ...spawnOptions } = options;
  const proc = spawn(command, args, { ...spawnOptions, stdio: ipc ? ['ignore', 'pipe', 'pipe', 'ipc'] : ['ignore', 'pipe', 'pipe'] });
  proc.stdout?.pipe(log, { end: false });
  proc.stderr?.pipe(log, { end: false });
  const exited = once(proc, 'exit').then(() => log.end());
  return {
    name,
    proc,
    pid: proc.pid!,
    logFile,
    spawnedAt,
    tail(lines = 20) {
      try {
        return readFileSync(logFile, 'utf8').trimEnd().split('\n').slice(-lines).join('\n');
      } catch {
        return '';
      }
    },
    async stop(graceMs = 5000) {
      if (proc.exitCode !== null || proc.signalCode !== null) return;
      proc.kill('SIGTERM');
      const timer = setTimeout(() => proc.kill('SIGKILL'), graceMs);
      await exited;
      clearTimeout(timer);
    },
  };
}

/**
 * Polls `url` until it answers 200 (resolves with performance.now() at that answer); rejects after
 * `timeoutMs` or when `child` exits first.
 */
export async function waitForOk(url: string, child: BenchChild | undefined, { timeoutMs = 60_000, everyMs = 5, init }: { timeoutMs?: number; everyMs?: number; init?: RequestInit } = {}): Promise<number> {
  const deadline = performance.now() + timeoutMs;
  for (;;) {
    if (child && (child.proc.exitCode !== null || child.proc.signalCode !== null)) {
      throw new Error(`${child.name} exited (${child.proc.exitCode ?? child.proc.signalCode}) before ${url} answered; its log ${child.logFile}:\n${child.tail()}`);
    }
    try {
      const res = await fetch(url, { ...init, signal: AbortSignal.timeout(2000) });
      await res.arrayBuffer();
      if (res.status === 200) return performance.now();
    } catch {
      // Not listening yet.
    }
    if (performance.now() > deadline) throw new Error(`${url} did not answer 200 within ${timeoutMs} ms${child ? `; ${child.name}'s log ${child.logFile}:\n${child.tail()}` : ''}`);
    await new Promise((r) => setTimeout(r, everyMs));
  }
}

/** Rounds to `digits` decimals. */
export const round = (n: number, digits = 1) => {
  const f = 10 ** digits;
  return Math.round(n * f) / f;
};

/** The `p`th percentile of `xs` (nearest rank, 0-100); NaN when there are none. */
export const percentile = (xs: readonly number[], p: number) => {
  const s = [...xs].sort((a, b) => a - b);
  return s.length ? s[Math.min(s.length - 1, Math.floor((p / 100) * s.length))] : NaN;
};
