// `npm test`: build samen once, then run every tests/*.test.mjs with Node's
// built-in test runner, as many files at a time as the machine has cores.
// Each file starts its own samen process (a free port, a data directory of
// its own) and its own Chromium, so files do not share state and can run
// side by side; the longest start first. Arguments select files:
// `npm test -- tests/axe.test.mjs`.
//
// SAMEN_E2E_BINARY=/path/to/samen skips the build.
// SAMEN_E2E_DATABASE_URL=postgres://… runs samen on PostgreSQL. All files
//   then share that database, so they run one at a time.
// SAMEN_E2E_CONCURRENCY=n runs n files at a time.

import { execFileSync, spawnSync } from 'node:child_process';
import { mkdtempSync, readdirSync, rmSync } from 'node:fs';
import { availableParallelism, tmpdir } from 'node:os';
import { dirname, join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';

const here = dirname(fileURLToPath(import.meta.url));
const repoRoot = resolve(here, '..');

// The files that take longest, longest first (minutes each on a two-core
// runner): started first, none of them is left to run alone at the end.
const LONGEST = ['workspace-pages', 'axe', 'toolbox', 'assess', 'weight', 'atlas', 'workspace-journeys', 'keyboard'];
const rank = (f) => {
  const i = LONGEST.indexOf(f.replace(/^.*\//, '').replace(/\.test\.mjs$/, ''));
  return i < 0 ? LONGEST.length : i;
};

let files = process.argv.slice(2);
if (files.length === 0) {
  files = readdirSync(join(here, 'tests')).filter((f) => f.endsWith('.test.mjs')).sort().map((f) => join('tests', f));
}
files = files.sort((a, b) => rank(a) - rank(b) || (a < b ? -1 : a > b ? 1 : 0));

let concurrency = process.env.SAMEN_E2E_DATABASE_URL ? 1 : Math.max(1, availableParallelism());
if (process.env.SAMEN_E2E_CONCURRENCY) concurrency = Number(process.env.SAMEN_E2E_CONCURRENCY);
if (!Number.isInteger(concurrency) || concurrency < 1) throw new Error(`SAMEN_E2E_CONCURRENCY=${process.env.SAMEN_E2E_CONCURRENCY}: a whole number, 1 or more`);

const env = { ...process.env };
let built;
if (!env.SAMEN_E2E_BINARY) {
  built = mkdtempSync(join(tmpdir(), 'samen-e2e-bin-'));
  env.SAMEN_E2E_BINARY = join(built, process.platform === 'win32' ? 'samen.exe' : 'samen');
  console.log(`building samen into ${env.SAMEN_E2E_BINARY}`);
  execFileSync('go', ['build', '-o', env.SAMEN_E2E_BINARY, './cmd/samen'], { cwd: repoRoot, stdio: 'inherit' });
}

console.log(`${files.length} files, ${concurrency} at a time`);
const run = spawnSync(process.execPath, ['--test', `--test-concurrency=${concurrency}`, ...files], { cwd: here, env, stdio: 'inherit' });
if (built) rmSync(built, { recursive: true, force: true });
if (run.error) throw run.error;
process.exit(run.status ?? 1);
