// The set-up scripts (scripts/setup.sh, scripts/build-wasm.sh, `npm start`) on a
// machine that lacks one thing at a time. Each run happens in a sandbox: a copy of the
// scripts, a PATH holding only basic system tools plus stubs, and installers (apt-get,
// cargo install, npm ci) replaced by stubs that record the call and then either
// "install" the missing thing or fail. This is the path a new machine takes and that CI,
// on a machine where everything is already installed, would otherwise never run.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import {
  chmodSync, cpSync, existsSync, mkdirSync, mkdtempSync, readFileSync, rmSync, symlinkSync, writeFileSync,
} from 'node:fs';
import { tmpdir } from 'node:os';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';

const ROOT = join(dirname(fileURLToPath(import.meta.url)), '..', '..');
const WANT = /^name = "wasm-bindgen"\nversion = "([^"]+)"/m.exec(readFileSync(join(ROOT, 'Cargo.lock'), 'utf8'))[1];
const WASM_DEBS = 'rustc-web cargo-web rust-web-src rust-web-llvm rust-web-clippy lld-22';
const R_DEBS = 'r-base-core r-cran-survival r-cran-jsonlite r-cran-cmprsk';

// Basic tools the scripts may call; everything else (cargo, rustc, apt-get, npm,
// Rscript, wasm-bindgen, id) is a stub or absent.
const SYSTEM_TOOLS = [
  'bash', 'sh', 'awk', 'grep', 'sed', 'cat', 'mkdir', 'rm', 'mv', 'cp', 'date', 'dirname', 'basename',
  'ls', 'find', 'env', 'xargs', 'gzip', 'wc', 'touch', 'chmod', 'tr', 'head', 'tail', 'sort', 'mktemp',
  'sleep', 'uname', 'readlink', 'cut', 'printf', 'test', 'true', 'false',
];

function which(tool) {
  const r = spawnSync('bash', ['-c', `command -v ${tool}`], { encoding: 'utf8' });
  return r.status === 0 && r.stdout.trim().startsWith('/') ? r.stdout.trim() : null;
}

function script(path, body) {
  writeFileSync(path, `#!/bin/bash\n${body}\n`);
  chmodSync(path, 0o755);
}

/**
 * A sandboxed machine. `missing`: which of wasm-bindgen, wasm-std, node_modules,
 * chromium, r is absent. `installers`: 'ok' or 'fail'. `root`: whether `id -u` is 0.
 * `bindgenRoot`: use WASM_BINDGEN_ROOT (CI's way) or ~/.cargo/bin (a user's).
 */
function sandbox({ missing, installers = 'ok', root = true, bindgenRoot = true, realNpm = false }) {
  const dir = mkdtempSync(join(tmpdir(), 'survkit-setup-'));
  const repo = join(dir, 'repo');
  const bin = join(dir, 'bin');
  const sys = join(dir, 'sys');
  const home = join(dir, 'home');
  const deb = join(dir, 'deb');
  const wbroot = join(dir, 'wbroot');
  const log = join(dir, 'calls.log');
  for (const d of [repo, bin, sys, home, join(home, '.cargo', 'bin'), deb, join(wbroot, 'bin'), join(dir, 'wasmlib')]) {
    mkdirSync(d, { recursive: true });
  }
  cpSync(join(ROOT, 'scripts'), join(repo, 'scripts'), { recursive: true });
  for (const f of ['package.json', 'package-lock.json', 'Cargo.lock']) cpSync(join(ROOT, f), join(repo, f));
  for (const t of SYSTEM_TOOLS) {
    const p = which(t);
    if (p) symlinkSync(p, join(sys, t));
  }
  if (realNpm) {
    for (const t of ['node', 'npm']) symlinkSync(which(t), join(sys, t));
  }
  writeFileSync(log, '');
  const fail = installers === 'fail';
  const bindgenBin = bindgenRoot ? join(wbroot, 'bin') : join(home, '.cargo', 'bin');
  const bindgenStub = (where) => script(join(where, 'wasm-bindgen'), `echo "wasm-bindgen ${WANT}"`);

  // What "installing" each Debian package leaves behind.
  script(join(dir, 'provide'), `
case "$1" in
  rustc-web) mkdir -p ${deb}/bin; printf '#!/bin/bash\\n' > ${deb}/bin/rustc; chmod +x ${deb}/bin/rustc ;;
  cargo-web) mkdir -p ${deb}/bin; printf '#!/bin/bash\\n' > ${deb}/bin/cargo; chmod +x ${deb}/bin/cargo ;;
  rust-web-src) mkdir -p ${deb}/lib/rustlib/src/rust/library ;;
  lld-22) printf '#!/bin/bash\\n' > ${bin}/rust-lld; chmod +x ${bin}/rust-lld ;;
  firefox-esr) mkdir -p ${dir}/firefox; printf '#!/bin/bash\\n' > ${dir}/firefox/firefox-esr; chmod +x ${dir}/firefox/firefox-esr ;;
  webkit2gtk-driver) printf '#!/bin/bash\\n' > ${bin}/WebKitWebDriver; chmod +x ${bin}/WebKitWebDriver
    mkdir -p ${dir}/webkit; printf '#!/bin/bash\\n' > ${dir}/webkit/MiniBrowser; chmod +x ${dir}/webkit/MiniBrowser ;;
  xvfb) printf '#!/bin/bash\\n' > ${bin}/Xvfb; chmod +x ${bin}/Xvfb ;;
  chromium) mkdir -p ${dir}/chromium; printf '#!/bin/bash\\n' > ${dir}/chromium/chromium; chmod +x ${dir}/chromium/chromium ;;
  r-base-core) printf '#!/bin/bash\\nexit 0\\n' > ${bin}/Rscript; chmod +x ${bin}/Rscript ;;
esac`);
  script(join(bin, 'id'), `echo ${root ? 0 : 1000}`);
  script(join(bin, 'apt-get'), `
echo "apt-get $*" >> ${log}
${fail ? '[ "$1" = install ] && { echo "E: Unable to locate package" >&2; exit 100; }' : ''}
if [ "$1" = install ]; then for p in "$@"; do ${dir}/provide "$p"; done; fi
exit 0`);
  script(join(bin, 'cargo'), `
case "$1" in
  fmt|clippy) exit 0 ;;
  install)
    echo "cargo $*" >> ${log}
    ${fail ? 'echo "error: failed to compile wasm-bindgen-cli" >&2; exit 101' : ''}
    dest=${home}/.cargo/bin
    while [ $# -gt 0 ]; do [ "$1" = --root ] && dest=$2/bin; shift; done
    mkdir -p "$dest"; printf '#!/bin/bash\\necho "wasm-bindgen ${WANT}"\\n' > "$dest/wasm-bindgen"; chmod +x "$dest/wasm-bindgen"
    exit 0 ;;
esac
echo "cargo $*" >> ${log}`);
  // rustup's rustc: knows the wasm32 target unless its standard library is "missing".
  writeFileSync(join(dir, 'wasmlib', 'libstd-0123.rlib'), '');
  script(join(bin, 'rustc'), missing === 'wasm-std'
    ? 'exit 1'
    : `[ "$1 $2" = "--print target-libdir" ] && echo ${join(dir, 'wasmlib')}; exit 0`);
  if (!realNpm) {
    script(join(bin, 'npm'), `
echo "npm $*" >> ${log}
${fail ? 'exit 1' : ''}
mkdir -p node_modules/.bin node_modules/playwright-core node_modules/puppeteer-core node_modules/selenium-webdriver
printf '#!/bin/bash\\n' > node_modules/.bin/wasm-opt; chmod +x node_modules/.bin/wasm-opt
touch node_modules/.package-lock.json`);
  }
  if (missing !== 'node_modules') {
    mkdirSync(join(repo, 'node_modules', '.bin'), { recursive: true });
    for (const m of ['playwright-core', 'puppeteer-core', 'selenium-webdriver']) {
      mkdirSync(join(repo, 'node_modules', m), { recursive: true });
    }
    script(join(repo, 'node_modules', '.bin', 'wasm-opt'), '');
    writeFileSync(join(repo, 'node_modules', '.package-lock.json'), '{}');
  }
  if (missing !== 'wasm-bindgen') bindgenStub(bindgenBin);
  if (missing !== 'chromium') spawnSync(join(dir, 'provide'), ['chromium']);
  if (missing !== 'firefox') spawnSync(join(dir, 'provide'), ['firefox-esr']);
  if (missing !== 'webkit') for (const p of ['webkit2gtk-driver', 'xvfb']) spawnSync(join(dir, 'provide'), [p]);
  if (missing !== 'r') spawnSync(join(dir, 'provide'), ['r-base-core']);

  const env = {
    PATH: [bin, join(home, '.cargo', 'bin'), sys].join(':'),
    HOME: home,
    SURVKIT_DEBIAN_PREFIX: deb,
    CHROMIUM: join(dir, 'chromium', 'chromium'),
    FIREFOX: join(dir, 'firefox', 'firefox-esr'),
    MINIBROWSER: join(dir, 'webkit', 'MiniBrowser'),
    SURVKIT_ENGINES: 'chromium,firefox,webkit',
  };
  if (bindgenRoot) env.WASM_BINDGEN_ROOT = wbroot;
  return {
    dir, repo, wbroot,
    run(args) {
      const r = spawnSync(join(sys, 'bash'), args, { cwd: repo, env, encoding: 'utf8', timeout: 60_000 });
      return { status: r.status, stderr: r.stderr + r.stdout, calls: readFileSync(log, 'utf8').trim().split('\n').filter(Boolean) };
    },
    runNpm(args) {
      const r = spawnSync(join(sys, 'npm'), args, { cwd: repo, env, encoding: 'utf8', timeout: 60_000 });
      return { status: r.status, stderr: r.stderr + r.stdout, calls: readFileSync(log, 'utf8').trim().split('\n').filter(Boolean) };
    },
    cleanup() { rmSync(dir, { recursive: true, force: true }); },
  };
}

// For each missing piece: the install call the set-up must make, and what its error
// must name when that install fails. (Each sandbox also lacks nothing else, so the
// calls are exactly these: nothing else is installed.)
const CASES = {
  'wasm-bindgen': {
    calls: (sb) => [`cargo install wasm-bindgen-cli --version ${WANT} --root ${sb.wbroot}`],
    names: [`wasm-bindgen-cli ${WANT}`, `cargo install wasm-bindgen-cli --version ${WANT}`],
  },
  'wasm-std': {
    calls: () => ['apt-get update -qq', `apt-get install -y -qq ${WASM_DEBS}`],
    names: ['rustc-web', `apt-get install -y ${WASM_DEBS}`],
  },
  node_modules: {
    calls: () => ['npm ci --no-audit --no-fund'],
    names: ['npm ci failed', 'Run: npm ci'],
  },
  chromium: {
    calls: () => ['apt-get update -qq', 'apt-get install -y -qq chromium'],
    names: ['Chromium', 'apt-get install -y chromium'],
  },
  firefox: {
    calls: () => ['apt-get update -qq', 'apt-get install -y -qq firefox-esr'],
    names: ['Firefox ESR', 'apt-get install -y firefox-esr'],
  },
  webkit: {
    calls: () => ['apt-get update -qq', 'apt-get install -y -qq webkit2gtk-driver xvfb'],
    names: ['WebKitWebDriver', 'apt-get install -y webkit2gtk-driver xvfb'],
  },
  r: {
    calls: () => ['apt-get update -qq', `apt-get install -y -qq ${R_DEBS}`],
    names: ['r-cran-survival', `apt-get install -y ${R_DEBS}`],
  },
};

test('with everything present, set-up installs nothing and succeeds', () => {
  const sb = sandbox({ missing: null });
  try {
    const r = sb.run(['scripts/setup.sh', 'all']);
    assert.equal(r.status, 0, r.stderr);
    assert.deepEqual(r.calls, []);
  } finally { sb.cleanup(); }
});

for (const [missing, want] of Object.entries(CASES)) {
  test(`${missing} missing: set-up makes exactly the install call for it, then succeeds`, () => {
    const sb = sandbox({ missing });
    try {
      const r = sb.run(['scripts/setup.sh', 'all']);
      assert.equal(r.status, 0, r.stderr);
      assert.deepEqual(r.calls, want.calls(sb));
      assert.match(r.stderr, /one time on this machine/, 'a one-time step says so and how long it takes');
      assert.match(r.stderr, /done in \dm \d\ds/);
    } finally { sb.cleanup(); }
  });

  test(`${missing} missing and its installer fails: non-zero exit, and the error names it and the fix`, () => {
    const sb = sandbox({ missing, installers: 'fail' });
    try {
      const r = sb.run(['scripts/setup.sh', 'all']);
      assert.notEqual(r.status, 0);
      assert.deepEqual(r.calls, want.calls(sb), 'the install was attempted');
      for (const n of want.names) assert.ok(r.stderr.includes(n), `stderr names "${n}":\n${r.stderr}`);
      assert.match(r.stderr, /^error: /m);
    } finally { sb.cleanup(); }
  });
}

test('not root: a missing Debian package is not installed, and the error gives the commands to run', () => {
  for (const missing of ['wasm-std', 'chromium', 'firefox', 'webkit', 'r']) {
    const sb = sandbox({ missing, root: false });
    try {
      const r = sb.run(['scripts/setup.sh', 'all']);
      assert.notEqual(r.status, 0);
      assert.deepEqual(r.calls, [], 'no installer is called without root');
      assert.match(r.stderr, /apt-get install -y/);
      if (missing === 'wasm-std') assert.match(r.stderr, /rustup target add wasm32-unknown-unknown/);
    } finally { sb.cleanup(); }
  }
});

test("a user's machine (no WASM_BINDGEN_ROOT): wasm-bindgen-cli goes to ~/.cargo/bin and is found there", () => {
  // The path that used to end the script silently with status 127.
  const sb = sandbox({ missing: 'wasm-bindgen', bindgenRoot: false });
  try {
    const r = sb.run(['scripts/setup.sh', 'wasm-bindgen']);
    assert.equal(r.status, 0, r.stderr);
    assert.deepEqual(r.calls, [`cargo install wasm-bindgen-cli --version ${WANT}`]);
  } finally { sb.cleanup(); }
});

test('npm start with the wasm-bindgen-cli install failing: non-zero exit naming the tool and the command', () => {
  const sb = sandbox({ missing: 'wasm-bindgen', installers: 'fail', realNpm: true });
  try {
    const r = sb.runNpm(['start']);
    assert.notEqual(r.status, 0, r.stderr);
    assert.ok(r.stderr.includes(`cargo install wasm-bindgen-cli --version ${WANT}`), r.stderr);
    assert.match(r.stderr, /error: installing wasm-bindgen-cli/);
    assert.match(r.stderr, /== building the WebAssembly module/, 'says what it is doing');
    assert.ok(!existsSync(join(sb.repo, 'www', 'pkg')), 'no half-built package is left behind');
  } finally { sb.cleanup(); }
});

test('an unknown set-up step is an error that lists the steps', () => {
  const sb = sandbox({ missing: null });
  try {
    const r = sb.run(['scripts/setup.sh', 'chromuim']);
    assert.notEqual(r.status, 0);
    assert.match(r.stderr, /unknown set-up step 'chromuim'/);
    assert.match(r.stderr, /Steps: all lint wasm/);
  } finally { sb.cleanup(); }
});
