// A private X display for the engines that need a real window to have keyboard focus
// (WebKitGTK always; Firefox, whose headless mode never gives the page the focus, so
// :focus-visible never matches). Xvfb -displayfd picks a free display number. No window
// manager runs: X gives the keyboard to the window under the pointer, which starts at
// the centre of the screen, so the screen is small (400 × 400) and every browser window
// (placed at 0,0, at least 447 px wide) covers the centre. Screenshots are taken by the
// engines from their own rendering, so they are not limited to the screen's size.
import { spawn } from 'node:child_process';

/** Starts Xvfb; resolves to { display: ':N', stop() }. */
export async function startXvfb() {
  const x = spawn('Xvfb', ['-displayfd', '3', '-screen', '0', '400x400x24', '-nolisten', 'tcp'], { stdio: ['ignore', 'ignore', 'ignore', 'pipe'] });
  const display = await new Promise((ok, fail) => {
    let out = '';
    x.once('error', (e) => fail(new Error(`cannot start Xvfb (apt-get install xvfb): ${e.message}`)));
    x.stdio[3].on('data', (d) => {
      out += d;
      if (out.includes('\n')) ok(`:${out.trim()}`);
    });
    setTimeout(() => fail(new Error('Xvfb did not report a display within 20 s')), 20_000);
  });
  return { display, stop: () => x.kill() };
}
