// Browser variant of `npm run bench`: the page's own path, file drop to Kaplan–Meier
// figure, in headless Chromium (Debian's, through playwright-core; see
// tests/browser/harness.mjs). Called by `survkit-bench all` as
//   node bench/browser.mjs --task page --file F --p P --reps N
// Each run: a fresh page load (example analysed), then the CSV is handed to the page as
// a disk-backed File (through an input of our own, outside the timing), a real drop event
// is dispatched on #drop and the clock stops when a new SVG is in #km-svg and the
// file's name is shown (the page guesses the roles and analyses on its own).
import { statSync } from 'node:fs';
import { basename } from 'node:path';
import { open } from '../tests/browser/harness.mjs';

const args = process.argv.slice(2);
const opt = (k) => { const i = args.indexOf(k); return i >= 0 ? args[i + 1] : undefined; };
const file = opt('--file');
const reps = Math.max(1, Number(opt('--reps') || 5));
const name = basename(file);
const size = statSync(file).size;

const h = await open();
const { page } = h;

const times = [];
try {
  for (let i = 0; i <= reps; i++) {
    await page.goto(`${h.origin}/`);
    await page.waitForSelector('#km-svg svg', { timeout: 120_000 });
    // The file enters the page through a detached <input type=file> of our own (a
    // disk-backed File, as a dropped one is), outside the timing.
    await page.evaluate(() => {
      const input = document.createElement('input');
      input.type = 'file';
      input.id = 'bench-file';
      input.style.display = 'none';
      document.body.append(input);
    });
    await page.setInputFiles('#bench-file', file);
    const ms = await page.evaluate(async ({ name }) => {
      const file = document.querySelector('#bench-file').files[0];
      const dt = new DataTransfer();
      dt.items.add(file);
      const old = document.querySelector('#km-svg svg');
      if (old) old.setAttribute('data-bench-old', '1');
      const drop = document.querySelector('#drop');
      const t0 = performance.now();
      for (const type of ['dragenter', 'dragover', 'drop']) {
        drop.dispatchEvent(new DragEvent(type, { dataTransfer: dt, bubbles: true, cancelable: true }));
      }
      await new Promise((resolve, reject) => {
        const deadline = t0 + 600_000;
        const check = () => {
          const svg = document.querySelector('#km-svg svg');
          const err = document.querySelector('#error');
          if (svg && !svg.hasAttribute('data-bench-old') &&
              document.querySelector('#source')?.textContent.includes(name)) resolve();
          else if (err && !err.hidden && err.textContent.trim()) reject(new Error(err.textContent.trim()));
          else if (performance.now() > deadline) reject(new Error('no figure after 600 s'));
          else setTimeout(check, 5);
        };
        check();
      });
      return performance.now() - t0;
    }, { name });
    if (i > 0) times.push(ms / 1000);
    process.stderr.write(`  run ${i}: ${(ms / 1000).toFixed(2)} s\n`);
  }
} finally {
  await h.close();
}
console.log(JSON.stringify({
  engine: 'browser',
  version: 'headless Chromium via playwright-core',
  times,
  file_bytes: size,
  check: name,
}));
