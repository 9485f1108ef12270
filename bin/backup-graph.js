#!/usr/bin/env node
// Entry point of the `backup-graph` command: runs the production build (`npm run build`) when it is
// current, else the TypeScript sources through tsx (bin/runtime.js says which and why).
import { pathToFileURL } from 'node:url';
import { chooseEntry } from './runtime.js';

const choice = chooseEntry();
if (choice.note) process.stderr.write(`backup-graph: ${choice.note}\n`);
if (choice.kind === 'sources') {
  const { register } = await import('tsx/esm/api');
  register();
}
const { main } = await import(pathToFileURL(choice.entry).href);
await main(process.argv.slice(2));
