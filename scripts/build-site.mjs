// `npm run build`: a self-contained static site in dist/ (after scripts/build-wasm.sh).
// Every URL in the page is relative, so dist/ works from a sub-path such as
// https://user.github.io/survkit/ and from a file server on a hospital laptop.
import { cpSync, rmSync, readdirSync, statSync, existsSync, writeFileSync, readFileSync } from 'node:fs';
import { join, relative } from 'node:path';
import { createHash } from 'node:crypto';
import { gzipSync } from 'node:zlib';

const root = new URL('..', import.meta.url).pathname;
const src = join(root, 'www');
const out = join(root, 'dist');
if (!existsSync(join(src, 'pkg', 'survkit_wasm_bg.wasm'))) {
  console.error('www/pkg is missing: run `bash scripts/build-wasm.sh` first (npm run build does).');
  process.exit(1);
}
rmSync(out, { recursive: true, force: true });
cpSync(src, out, { recursive: true, filter: (p) => !p.endsWith('.gitignore') && !p.endsWith('README.md') });

const files = [];
const walk = (d) => {
  for (const f of readdirSync(d)) {
    const p = join(d, f);
    if (statSync(p).isDirectory()) walk(p);
    else files.push(p);
  }
};
walk(out);
// A build id for the service worker's cache name, from the content of every file.
const hash = createHash('sha256');
for (const f of files.sort()) hash.update(relative(out, f)).update(readFileSync(f));
const id = hash.digest('hex').slice(0, 12);
writeFileSync(join(out, 'build.json'), JSON.stringify({ id, files: files.map((f) => relative(out, f)).sort() }, null, 2));

let raw = 0;
let gz = 0;
for (const f of files) {
  const b = readFileSync(f);
  raw += b.length;
  gz += gzipSync(b, { level: 9 }).length;
}
console.log(`dist/: ${files.length} files, ${(raw / 1024).toFixed(0)} KB raw, ${(gz / 1024).toFixed(0)} KB gzipped (build ${id})`);
