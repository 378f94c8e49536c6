// Copies the front-end libraries samen uses from node_modules (installed
// from package-lock.json with `npm ci`) into internal/web/static/vendor,
// and the SPDX licence list into internal/toolbox, where the Go build
// embeds them. The copies are committed, so building
// samen needs Go only; `node vendor.mjs --check` (run by CI) proves that
// they are exactly the pinned packages' files.
import { readFileSync, writeFileSync, mkdirSync, existsSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';

const here = dirname(fileURLToPath(import.meta.url));
const out = join(here, '..', 'internal', 'web', 'static', 'vendor');
const toolbox = join(here, '..', 'internal', 'toolbox');

// [package file, vendored name, directory]
const files = [
  ['maplibre-gl/dist/maplibre-gl.mjs', 'maplibre-gl.mjs', out],
  ['maplibre-gl/dist/maplibre-gl-worker.mjs', 'maplibre-gl-worker.mjs', out],
  ['maplibre-gl/dist/maplibre-gl.css', 'maplibre-gl.css', out],
  ['maplibre-gl/LICENSE.txt', 'maplibre-gl.LICENSE.txt', out],
  // The identifiers a catalogue entry's licence may use (CC0-1.0).
  ['spdx-license-ids/index.json', 'spdx-license-ids.json', toolbox],
  ['spdx-license-ids/deprecated.json', 'spdx-license-ids-deprecated.json', toolbox],
  // The exceptions that may follow WITH (CC-BY-3.0).
  ['spdx-exceptions/index.json', 'spdx-exceptions.json', toolbox],
];

// Source maps are not shipped; the comment pointing at them goes too, so
// browsers do not ask for files that are not there.
const strip = (name, text) => name.endsWith('.mjs') ? text.replace(/\n\/\/# sourceMappingURL=\S+\s*$/, '\n') : text;

const check = process.argv.includes('--check');
let stale = 0;
mkdirSync(out, { recursive: true });
for (const [from, to, dir] of files) {
  const src = join(here, 'node_modules', from);
  if (!existsSync(src)) {
    console.error(`${src} is missing: run npm ci first`);
    process.exit(2);
  }
  const want = strip(to, readFileSync(src, 'utf8'));
  const dst = join(dir, to);
  if (check) {
    if (!existsSync(dst) || readFileSync(dst, 'utf8') !== want) {
      console.error(`${dst} differs from ${from}: run npm run vendor`);
      stale++;
    }
  } else {
    writeFileSync(dst, want);
    console.log(`${from} -> ${dst}`);
  }
}
const spdx = JSON.parse(readFileSync(join(here, 'node_modules', 'spdx-license-ids', 'package.json'), 'utf8')).version;
const version = JSON.parse(readFileSync(join(here, 'node_modules', 'maplibre-gl', 'package.json'), 'utf8')).version;
if (check) {
  if (stale) process.exit(1);
  console.log(`vendored files match the pinned packages (maplibre-gl ${version}, spdx-license-ids ${spdx})`);
}
