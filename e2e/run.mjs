// `npm test`: build samen once, then run every tests/*.test.mjs with Node's
// built-in test runner, one file at a time (each file starts its own samen
// process and Chromium). Arguments select files: `npm test -- tests/axe.test.mjs`.
//
// SAMEN_E2E_BINARY=/path/to/samen skips the build.
// SAMEN_E2E_DATABASE_URL=postgres://… runs samen on PostgreSQL.

import { execFileSync, spawnSync } from 'node:child_process';
import { mkdtempSync, readdirSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { dirname, join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';

const here = dirname(fileURLToPath(import.meta.url));
const repoRoot = resolve(here, '..');

let files = process.argv.slice(2);
if (files.length === 0) {
  files = readdirSync(join(here, 'tests')).filter((f) => f.endsWith('.test.mjs')).sort().map((f) => join('tests', f));
}

const env = { ...process.env };
let built;
if (!env.SAMEN_E2E_BINARY) {
  built = mkdtempSync(join(tmpdir(), 'samen-e2e-bin-'));
  env.SAMEN_E2E_BINARY = join(built, process.platform === 'win32' ? 'samen.exe' : 'samen');
  console.log(`building samen into ${env.SAMEN_E2E_BINARY}`);
  execFileSync('go', ['build', '-o', env.SAMEN_E2E_BINARY, './cmd/samen'], { cwd: repoRoot, stdio: 'inherit' });
}

const run = spawnSync(process.execPath, ['--test', '--test-concurrency=1', ...files], { cwd: here, env, stdio: 'inherit' });
if (built) rmSync(built, { recursive: true, force: true });
if (run.error) throw run.error;
process.exit(run.status ?? 1);
