// The page's state (the Spec, the last Report, the file) and the status line.
import { $ } from './dom.js';
import { Cancelled } from './engine.js';
import { cancel } from './results.js';

// Tests only: ?test-delay-ms=N delays each analysis in the worker (to test cancelling).
export const TEST_DELAY_MS = Math.min(Number(new URLSearchParams(location.search).get('test-delay-ms')) || 0, 60_000);

export const state = {
  bytes: null, // ArrayBuffer of the current file (stays in this tab)
  name: null,
  importOptions: {},
  summary: null,
  spec: null,
  report: null,
  reportJson: null,
  reportId: null, // which analysis the worker's Report is
  tables: [],
  figures: [],
  values: new Map(), // column -> [{value, count}] from the engine
  presets: [],
  activeEndpoint: 0,
  incomplete: [], // what the user still has to say before the Spec can be run
  latest: 0, // id of the newest analysis; older results are dropped
  running: null, // {id, requestId, started, message}
};

export function setStatus(text) {
  $('#status').textContent = text || '';
}

export function showError(err) {
  if (err instanceof Cancelled) return;
  const box = $('#error');
  box.textContent = err ? String(err.message || err) : '';
  box.hidden = !err;
  if (err) setStatus('');
}

// Progress: after a short moment, say what the engine is doing and offer Cancel.
let busyTimer = null;

export function showBusy(on) {
  clearInterval(busyTimer);
  $('#cancel').hidden = true;
  if (!on) return;
  busyTimer = setInterval(() => {
    const r = state.running;
    if (!r) return;
    const s = (performance.now() - r.started) / 1000;
    if (s > 0.4) {
      $('#cancel').hidden = false;
      setStatus(`${r.message || 'Analysing…'} (${s.toFixed(1)} s)`);
    }
  }, 200);
}


export function baseName() {
  return (state.name || 'survkit').replace(/\.[^.]+$/, '');
}
