/** Query parameters as the simulators read them: strict, with a 400 for a bad value. */
import { SimHttpError } from './http-errors.ts';

/** How {@link intParam} reads one parameter. */
export interface IntParamOptions {
  min: number;
  max: number;
  /** Code of the default 400. @default 'bad_request' */
  code?: string;
  /**
   * The error for a bad value, given the parameter's name and what is wrong with it
   * (`must be an integer`, `must be between <min> and <max>`).
   * @default a 400 `SimHttpError` with `code` and the message `<name> <problem>`
   */
  error?: (name: string, problem: string) => Error;
}

/** Reads an integer query parameter; `undefined` when absent or empty, the `error` (400) when not an integer within bounds. */
export function intParam(q: URLSearchParams, name: string, opts: IntParamOptions): number | undefined {
  const raw = q.get(name);
  if (raw === null || raw === '') return undefined;
  const fail = opts.error ?? ((n: string, problem: string) => new SimHttpError(400, opts.code ?? 'bad_request', `${n} ${problem}`));
  if (!/^-?\d+$/.test(raw)) throw fail(name, 'must be an integer');
  const n = Number(raw);
  if (n < opts.min || n > opts.max) throw fail(name, `must be between ${opts.min} and ${opts.max}`);
  return n;
}
