// File input and preview: reading a dropped or chosen file, the examples, how it was read.
import { $, el } from './dom.js';
import { Cancelled, request } from './engine.js';
import { renderRoles } from './form.js';
import { analyze, markIdle } from './results.js';
import { setStatus, showError, state } from './state.js';

export async function loadBytes(bytes, name, { keepSpec = false } = {}) {
  document.body.dataset.busy = '1';
  showError(null);
  setStatus(`Reading ${name}…`);
  state.bytes = bytes;
  state.name = name;
  state.values.clear();
  if (!keepSpec) state.importOptions = {};
  try {
    const msg = await request({ type: 'load', bytes: bytes.slice(0), name, importOptions: state.importOptions });
    state.summary = msg.summary;
    if (!keepSpec || !state.spec) state.spec = msg.spec;
    else state.spec.import = msg.spec.import;
    state.report = null;
    renderSource();
    renderRoles();
    setStatus(`${name} read. Check the endpoint and the event coding below.`);
    await analyze();
    return true;
  } catch (err) {
    // After a change of the reading options, keep them on screen so they can be fixed.
    for (const id of ['#roles', '#results', '#source', '#preview-box', ...(keepSpec ? [] : ['#import-box'])]) $(id).hidden = true;
    if (!keepSpec) state.spec = null;
    state.report = null;
    markIdle();
    showError(err instanceof Cancelled ? err : new Error(`${name} could not be read. ${err.message || err}`));
    return false;
  }
}

// Issue 15: the largest file the page reads, the same in every engine. The file's bytes
// are copied into the engine's wasm32 memory (4 GiB at most in Chromium, Firefox and
// WebKit alike) and the table parsed from them needs about as much again. Checked before
// reading, so a too-large file is refused at once instead of freezing or crashing the tab.
const MAX_FILE_BYTES = 2 * 1024 ** 3 - 1;

export async function loadFile(file) {
  if (!file) return;
  if (file.size > MAX_FILE_BYTES) {
    const gb = (n) => (n / 1024 ** 3).toFixed(1);
    throw new Error(`${file.name} is ${gb(file.size)} GB: this page can read files up to 2 GB (the browser cannot hold more). ` +
      'Use the command-line tool, which streams files of any size: survkit analyze FILE --time COL --event COL (see the README).');
  }
  await loadBytes(await file.arrayBuffer(), file.name);
}

export async function loadExample(entry) {
  const res = await fetch(`data/${entry.file}`);
  if (!res.ok) throw new Error(`cannot read example ${entry.file}: ${res.status}`);
  const ok = await loadBytes(await res.arrayBuffer(), entry.file);
  if (ok && entry.spec) {
    applySpecPatch(entry.spec);
    renderRoles();
    await analyze();
  }
}

export function applySpecPatch(patch) {
  for (const [k, v] of Object.entries(patch)) {
    if (v && typeof v === 'object' && !Array.isArray(v) && state.spec[k] && typeof state.spec[k] === 'object') {
      state.spec[k] = { ...state.spec[k], ...v };
    } else {
      state.spec[k] = v;
    }
  }
}


export function renderSource() {
  const s = state.summary;
  const src = s.source || {};
  const bits = [`${state.name}: ${s.n_rows} rows × ${s.columns.length} columns`];
  if (src.format) bits.push(src.format);
  if (src.delimiter) bits.push(`delimiter “${src.delimiter === '\t' ? 'tab' : src.delimiter}”`);
  if (src.decimal) bits.push(`decimal mark “${src.decimal}”`);
  if (src.encoding) bits.push(src.encoding);
  if (src.sheet) bits.push(`sheet “${src.sheet}”`);
  const box = $('#source');
  box.replaceChildren(el('p', { text: bits.join(' · ') }), ...(src.notes || []).map((n) => el('p', { class: 'note', text: n })));
  box.hidden = false;

  // Reading options: show what was used; the user overrides.
  const io = state.importOptions;
  $('#imp-delimiter').value = io.delimiter ?? '';
  $('#imp-decimal').value = io.decimal ?? '';
  $('#imp-encoding').value = io.encoding ?? '';
  $('#imp-header').value = io.header === undefined ? '' : String(io.header);
  const sheets = src.sheets || [];
  $('#imp-sheet').replaceChildren(el('option', { value: '', text: 'first' }), ...sheets.map((n) => el('option', { value: n, text: n, selected: n === io.sheet })));
  $('#imp-sheet').disabled = sheets.length < 2;
  $('#import-box').hidden = false;

  const cols = s.columns;
  const head = el('tr', {}, el('th', { scope: 'col', text: 'Row' }), cols.map((c) => el('th', { scope: 'col' }, c.name, el('br'), el('small', { text: `${c.kind}${c.n_missing ? `, ${c.n_missing} missing` : ''}${c.n_invalid ? `, ${c.n_invalid} unreadable` : ''}` }))));
  const rows = (s.preview || []).map((r) => el('tr', {}, el('td', { text: r.row }), r.cells.map((v) => el('td', { text: v }))));
  $('#preview').replaceChildren(el('table', { class: 'data' }, el('thead', {}, head), el('tbody', {}, rows)));
  $('#preview-box').hidden = false;
}
