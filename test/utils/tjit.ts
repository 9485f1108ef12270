/**
 * graphql-jit's code-injection hole, as the tests of `use-compiled-execution.ts` reproduce it: the
 * Date marker graphql-jit 0.8.9 rewrites in the code it generates, and a string literal that, once
 * compiled, runs `globalThis.<flag> = 1` in the process.
 */

/** graphql-jit 0.8.9's Date marker: a JSON string starting with it becomes `new Date(<the rest, raw>)`. */
export const JIT_MAGIC_DATE = '__MAGIC_DATE__33a9e76d_02e0_4128_8e92_3530ad3da74d';

/** A string literal's value that, compiled by graphql-jit, sets `globalThis[flag]` to 1. */
export const jitInjection = (flag: string) => `${JIT_MAGIC_DATE}0),x:(globalThis.${flag}=1),y:(0`;
