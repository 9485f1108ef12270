/**
 * The CLI harness: `backup-graph` run as a real child process (`bin/backup-graph.js`), its output
 * captured, stopped with SIGTERM after the test unless it has already exited.
 */
import { spawn, type ChildProcessWithoutNullStreams } from 'node:child_process';
import { once } from 'node:events';
import { disposeAfterEach } from './leftovers.ts';
import { RUN_SOURCES } from './run-sources.ts';


/** Stops `child` (SIGTERM) unless it has already exited. */
export async function stopChild(child: ChildProcessWithoutNullStreams): Promise<void> {
  if (child.exitCode !== null || child.signalCode !== null) return;
  const exited = once(child, 'exit');
  child.kill('SIGTERM');
  await exited;
}

/** A running CLI. */
export interface TCli {
  child: ChildProcessWithoutNullStreams;
  /** Resolves with the first match of `re` in stdout; rejects when the process exits first. */
  waitFor(re: RegExp): Promise<RegExpMatchArray>;
  /** Everything written so far. */
  output(): { out: string; err: string };
}

/** Runs `backup-graph <args>` with `env` on top of this process's environment. */
export function runCli(args: string[], env: Record<string, string> = {}): TCli {
  const child = spawn(process.execPath, ['bin/backup-graph.js', ...args], { env: { ...process.env, ...RUN_SOURCES, ...env }, stdio: 'pipe' });
  disposeAfterEach({ close: () => stopChild(child) });
  let out = '';
  let err = '';
  child.stdout.on('data', (d) => (out += d));
  child.stderr.on('data', (d) => (err += d));
  const waitFor = (re: RegExp) =>
    new Promise<RegExpMatchArray>((resolve, reject) => {
      const check = () => {
        const m = out.match(re);
        if (m) resolve(m);
      };
      child.stdout.on('data', check);
      child.on('exit', (code) => reject(new Error(`exited ${code}: ${err || out}`)));
      check();
    });
  return { child, waitFor, output: () => ({ out, err }) };
}
