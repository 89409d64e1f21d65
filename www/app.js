// The page: DOM only. Every number, table cell and figure comes from the Rust engine in
// the Web Worker (worker.js); this module reads the user's choices into a Spec, sends
// it, and shows the Report it gets back. No statistics and no option logic here.
const $ = (sel) => document.querySelector(sel);
// Tests only: ?test-delay-ms=N delays each analysis in the worker (to test cancelling).
const TEST_DELAY_MS = Math.min(Number(new URLSearchParams(location.search).get('test-delay-ms')) || 0, 60_000);
const byId = (id) => document.getElementById(id);

// ---------------------------------------------------------------- worker plumbing
let worker = null;
let nextId = 1;
const pending = new Map();

class Cancelled extends Error {}

function startWorker() {
  worker = new Worker(new URL('./worker.js', import.meta.url), { type: 'module' });
  worker.onmessage = (e) => {
    const msg = e.data;
    if (msg.type === 'progress') {
      if (state.running && msg.id === state.running.requestId) state.running.message = msg.message;
      return;
    }
    const job = pending.get(msg.id);
    if (!job) return;
    pending.delete(msg.id);
    if (msg.type === 'error') {
      if (msg.fatal) {
        restartWorker();
        job.reject(new Error(`The analysis engine hit an internal error and was restarted (${msg.message}). Please report this with the file's layout (not its data); changing an option and trying again often works around it.`));
      } else {
        job.reject(new Error(msg.message));
      }
    } else {
      job.resolve(msg);
    }
  };
  worker.onerror = (e) => {
    e.preventDefault();
    const err = new Error(`The analysis engine stopped unexpectedly (${e.message || 'worker error'}). It has been restarted; please try again.`);
    failAll(err);
    restartWorker();
  };
}

function failAll(err) {
  for (const job of pending.values()) job.reject(err);
  pending.clear();
}

/** Stops whatever the worker is doing (terminate) and starts a fresh one with the file. */
function restartWorker() {
  if (worker) worker.terminate();
  failAll(new Cancelled('cancelled'));
  startWorker();
  if (state.bytes) {
    // The new worker has no file: load it again (a copy, the original stays with us).
    request({ type: 'load', bytes: state.bytes.slice(0), name: state.name, importOptions: state.importOptions }).catch(() => {});
  }
}

function request(msg, transfer) {
  const id = nextId++;
  const promise = new Promise((resolve, reject) => {
    pending.set(id, { resolve, reject });
    worker.postMessage({ ...msg, id }, transfer || []);
  });
  promise.requestId = id;
  return promise;
}

// ---------------------------------------------------------------- state
const state = {
  bytes: null, // ArrayBuffer of the current file (stays in this tab)
  name: null,
  importOptions: {},
  summary: null,
  spec: null,
  report: null,
  reportJson: null,
  tables: [],
  figures: [],
  values: new Map(), // column -> [{value, count}] from the engine
  presets: [],
  activeEndpoint: 0,
  incomplete: [], // what the user still has to say before the Spec can be run
  latest: 0, // id of the newest analysis; older results are dropped
  running: null, // {id, requestId, started, message}
};

function setStatus(text) {
  $('#status').textContent = text || '';
}

function showError(err) {
  if (err instanceof Cancelled) return;
  const box = $('#error');
  box.textContent = err ? String(err.message || err) : '';
  box.hidden = !err;
  if (err) setStatus('');
}

// Progress: after a short moment, say what the engine is doing and offer Cancel.
let busyTimer = null;
function showBusy(on) {
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

// ---------------------------------------------------------------- loading files
async function loadBytes(bytes, name, { keepSpec = false } = {}) {
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

async function loadFile(file) {
  if (!file) return;
  if (file.size > MAX_FILE_BYTES) {
    const gb = (n) => (n / 1024 ** 3).toFixed(1);
    throw new Error(`${file.name} is ${gb(file.size)} GB: this page can read files up to 2 GB (the browser cannot hold more). ` +
      'Use the command-line tool, which streams files of any size: survkit analyze FILE --time COL --event COL (see the README).');
  }
  await loadBytes(await file.arrayBuffer(), file.name);
}

async function loadExample(entry) {
  const res = await fetch(`data/${entry.file}`);
  if (!res.ok) throw new Error(`cannot read example ${entry.file}: ${res.status}`);
  const ok = await loadBytes(await res.arrayBuffer(), entry.file);
  if (ok && entry.spec) {
    applySpecPatch(entry.spec);
    renderRoles();
    await analyze();
  }
}

function applySpecPatch(patch) {
  for (const [k, v] of Object.entries(patch)) {
    if (v && typeof v === 'object' && !Array.isArray(v) && state.spec[k] && typeof state.spec[k] === 'object') {
      state.spec[k] = { ...state.spec[k], ...v };
    } else {
      state.spec[k] = v;
    }
  }
}

// ---------------------------------------------------------------- rendering helpers
function el(tag, attrs = {}, ...children) {
  const node = document.createElement(tag);
  for (const [k, v] of Object.entries(attrs)) {
    if (v === undefined || v === null || v === false) continue;
    if (k === 'text') node.textContent = v;
    else if (k === 'checked' || k === 'selected') node[k] = true;
    else node.setAttribute(k, v === true ? '' : v);
  }
  for (const c of children.flat()) {
    if (c === null || c === undefined || c === false) continue;
    node.append(c instanceof Node ? c : document.createTextNode(String(c)));
  }
  return node;
}

function baseName() {
  return (state.name || 'survkit').replace(/\.[^.]+$/, '');
}

function slug(s) {
  return String(s || '').toLowerCase().replace(/[^a-z0-9]+/g, '-').replace(/^-|-$/g, '') || 'endpoint';
}

/** A table from the engine: {id, title, columns, rows, note}, with copy/CSV/Markdown. */
function renderTable(t) {
  const table = el('table', { class: 'data', 'data-table': t.id });
  if (t.title) table.append(el('caption', { text: t.title }));
  table.append(el('thead', {}, el('tr', {}, t.columns.map((c) => el('th', { scope: 'col', text: c })))));
  table.append(el('tbody', {}, t.rows.map((r) => el('tr', {}, r.map((c) => el('td', { text: c }))))));
  const wrap = el('div', { class: 'table-wrap', tabindex: '0', role: 'region', 'aria-label': t.title || t.id }, table);
  const box = el('div', { class: 'table-box', 'data-table-box': t.id }, wrap);
  if (t.note) box.append(el('p', { class: 'note', text: t.note }));
  const copy = el('button', { type: 'button', class: 'small', 'data-copy': t.id, text: 'Copy table' });
  copy.addEventListener('click', () => copyTable(t).then((ok) => {
    copy.dataset.copied = ok ? 'yes' : 'no';
    copy.textContent = ok ? 'Copied ✓' : 'Copy table';
    setTimeout(() => (copy.textContent = 'Copy table'), 2000);
  }, showError));
  const csv = el('button', { type: 'button', class: 'small', 'data-download-table': 'csv', text: 'CSV' });
  csv.addEventListener('click', () => downloadTable(t, 'csv').catch(showError));
  const md = el('button', { type: 'button', class: 'small', 'data-download-table': 'markdown', text: 'Markdown' });
  md.addEventListener('click', () => downloadTable(t, 'markdown').catch(showError));
  box.append(el('div', { class: 'table-actions', role: 'group', 'aria-label': `Export ${t.title || t.id}` }, copy, csv, md));
  return box;
}

const escapeHtml = (s) => String(s).replace(/[&<>"]/g, (c) => ({ '&': '&amp;', '<': '&lt;', '>': '&gt;', '"': '&quot;' })[c]);

/** Formatted HTML that Word and Google Docs keep as a table (inline styles only). */
function tableHtml(t) {
  const cell = 'border-top:1px solid #000;border-bottom:1px solid #000;padding:2pt 6pt;text-align:left;';
  const td = 'padding:2pt 6pt;text-align:left;';
  const head = t.columns.map((c) => `<th style="${cell}">${escapeHtml(c)}</th>`).join('');
  const body = t.rows.map((r) => `<tr>${r.map((c) => `<td style="${td}">${escapeHtml(c)}</td>`).join('')}</tr>`).join('');
  const note = t.note ? `<p style="font-size:9pt">${escapeHtml(t.note)}</p>` : '';
  return `<table style="border-collapse:collapse;font-family:Arial,sans-serif;font-size:10pt">` +
    `${t.title ? `<caption style="text-align:left;font-weight:bold">${escapeHtml(t.title)}</caption>` : ''}` +
    `<thead><tr>${head}</tr></thead><tbody>${body}</tbody></table>${note}`;
}

async function copyTable(t) {
  const html = tableHtml(t);
  const text = [t.columns, ...t.rows].map((r) => r.join('\t')).join('\n');
  try {
    await navigator.clipboard.write([
      new ClipboardItem({
        'text/html': new Blob([html], { type: 'text/html' }),
        'text/plain': new Blob([text], { type: 'text/plain' }),
      }),
    ]);
    setStatus(`Table “${t.title || t.id}” copied: paste it into Word or Google Docs.`);
    return true;
  } catch {
    setStatus('The browser did not allow copying; use the CSV download, or select the table and copy it by hand.');
    return false;
  }
}

async function downloadTable(t, format) {
  const msg = await request({ type: 'table-text', reportJson: state.reportJson, table: t.id, format });
  const ext = format === 'csv' ? 'csv' : 'md';
  const type = format === 'csv' ? 'text/csv' : 'text/markdown';
  download(new Blob([msg.text], { type: `${type};charset=utf-8` }), `${baseName()}-${slug(t.id)}.${ext}`);
}

function renderSource() {
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

function fillSelect(select, values, selected, blank) {
  const list = values.map((v) => (typeof v === 'object' ? v : { value: v, text: v }));
  // A choice (e.g. from loaded settings) that this file does not have stays, marked as such.
  if (selected && !list.some((v) => v.value === selected)) list.push({ value: selected, text: `${selected} (not in this file)` });
  select.replaceChildren(
    ...(blank ? [el('option', { value: '', text: blank })] : []),
    ...list.map((v) => el('option', { value: v.value, text: v.text, selected: v.value === selected })),
  );
  select.value = selected ?? '';
  if (select.value !== (selected ?? '') && blank) select.value = '';
}

const fid = (base, i) => (i === 0 ? base : `${base}-${i}`);
const UNITS = [
  { value: 'days', text: 'days' }, { value: 'weeks', text: 'weeks' },
  { value: 'months', text: 'months' }, { value: 'years', text: 'years' },
];

/** Values of a column from the engine (cached); re-renders the roles when they arrive. */
function columnValues(column) {
  if (!column) return null;
  if (state.values.has(column)) return state.values.get(column);
  state.values.set(column, null);
  request({ type: 'values', column }).then((m) => {
    state.values.set(column, m.values);
    renderRoles();
  }, () => state.values.delete(column));
  return null;
}

/** The meaning the engine gave each value, read from its coding sentence
 *  ("event = Dead (12 rows); censored = Alive (30 rows)"), to start the editor from. */
function codingFromSentence(sentence) {
  const out = new Map();
  if (!sentence) return out;
  for (const part of sentence.split('; ')) {
    const m = /^(event|censored) = (.*?)(?: \(\d+ rows?\))?$/.exec(part.trim());
    if (!m || m[2] === 'none') continue;
    for (const v of m[2].split(', ')) out.set(v.trim().toLowerCase(), m[1]);
  }
  return out;
}

function endpointBlock(ep, i, names, dateNames) {
  const n = state.spec.endpoints.length;
  const mode = ep.time || !ep.start_date ? 'duration' : 'dates';
  const block = el('div', { class: 'endpoint', 'data-endpoint': i });
  const title = el('div', { class: 'endpoint-head' },
    el('label', {}, 'Name ', el('input', { id: fid('ep-name', i), value: ep.name || '', placeholder: i === 0 ? 'e.g. OS' : 'e.g. PFS', size: 8 })),
    el('label', {}, 'Follow-up from ',
      el('select', { id: fid('ep-mode', i) },
        el('option', { value: 'duration', text: 'a duration column', selected: mode === 'duration' }),
        el('option', { value: 'dates', text: 'start and end dates', selected: mode === 'dates' }))),
    n > 1 ? el('button', { type: 'button', class: 'small', 'data-remove-endpoint': i, text: 'Remove this endpoint' }) : null);
  block.append(title);
  const grid = el('div', { class: 'grid' });
  if (mode === 'duration') {
    const time = el('select', { id: fid('time-col', i) });
    fillSelect(time, names, ep.time, '(choose)');
    const unit = el('select', { id: fid('time-unit', i) });
    fillSelect(unit, UNITS, ep.time_unit || 'days');
    grid.append(el('label', {}, 'Time column', time), el('label', {}, 'Time unit in file', unit));
  } else {
    const start = el('select', { id: fid('start-date', i) });
    fillSelect(start, dateNames, ep.start_date, '(choose)');
    const end = el('select', { id: fid('end-date', i) });
    fillSelect(end, dateNames, ep.end_date, '(choose)');
    const end2 = el('select', { id: fid('end-date2', i) });
    fillSelect(end2, dateNames, (ep.end_dates || [])[0], '(none)');
    grid.append(el('label', {}, 'Start date (diagnosis, randomisation)', start),
      el('label', {}, 'End date (event or last contact)', end),
      el('label', {}, 'If the end date is empty, use', end2));
  }
  const event = el('select', { id: fid('event-col', i) });
  fillSelect(event, names, ep.event, '(choose)');
  grid.append(el('label', {}, 'Event column', event));
  block.append(grid);

  // Event coding: the engine's reading in words, and an editor for when it is wrong.
  const reportEp = state.report?.endpoints?.[i];
  const sentence = reportEp && state.report.spec.endpoints[i]?.event === ep.event ? reportEp.event_coding : '';
  block.append(el('p', { class: 'coding', id: fid('event-coding', i) },
    sentence ? `Event coding: ${sentence}.` : ep.event ? 'Event coding: not read yet (see below).' : ''));
  // Caveats about reading the data (e.g. R's 1/2 coding assumed) belong beside the coding.
  if (sentence) for (const w of reportEp.warnings || []) if (w.context === 'data') block.append(warningNode(w));
  const values = columnValues(ep.event);
  if (values && values.length > 12) {
    block.append(el('p', { class: 'note', text: `“${ep.event}” has many different values (${values.length >= 50 ? '50 or more' : values.length}): is it really the column that says whether the event happened?` }));
  } else if (values && values.length) {
    const explicit = (ep.event_map && Object.keys(ep.event_map).length) || ep.event_values;
    const guess = codingFromSentence(sentence);
    const meaningOf = (v) => {
      if (explicit) {
        const key = Object.keys(ep.event_map || {}).find((k) => k.toLowerCase() === v.toLowerCase());
        if (key) return ep.event_map[key];
        if (ep.event_values) return ep.event_values.some((x) => x.toLowerCase() === v.toLowerCase()) ? 'event' : 'censored';
        return '';
      }
      return guess.get(v.toLowerCase()) || '';
    };
    const rows = values.map((v, k) => {
      const sel = el('select', { id: `coding-${i}-${k}`, 'data-value': v.value, 'aria-label': `Meaning of “${v.value}” in ${ep.event}` },
        el('option', { value: '', text: '(not understood)' }),
        el('option', { value: 'event', text: 'event' }),
        el('option', { value: 'censored', text: 'censored' }),
        el('option', { value: 'exclude', text: 'leave out' }));
      sel.value = meaningOf(v.value);
      return el('tr', {}, el('th', { scope: 'row', text: v.value }), el('td', { text: `${v.count} rows` }), el('td', {}, sel));
    });
    const details = el('details', { class: 'coding-editor', id: fid('coding-editor', i), open: !sentence || explicit ? true : null },
      el('summary', { text: explicit ? 'Event coding (set by you)' : 'Change the event coding' }),
      el('p', { class: 'note', text: 'Event: death, progression or whatever the endpoint counts. Censored: event-free at the last contact. Leave out: rows not analysed (listed under “Rows left out”).' }),
      el('table', { class: 'data' }, el('thead', {}, el('tr', {}, el('th', { scope: 'col', text: 'Value' }), el('th', { scope: 'col', text: 'Rows' }), el('th', { scope: 'col', text: 'Means' }))), el('tbody', {}, rows)),
      explicit ? el('button', { type: 'button', class: 'small', 'data-guess-coding': i, text: 'Use the automatic reading again' }) : null);
    block.append(details);
  }
  return block;
}

function isNumericKind(kind) {
  return /num|int|float/i.test(String(kind));
}

function renderRoles() {
  const active = document.activeElement;
  const focused = active?.id;
  // A text field being typed in keeps what was typed and where the caret was.
  const typing = active?.tagName === 'INPUT' && active.type !== 'checkbox' && active.type !== 'file'
    ? { value: active.value, start: active.selectionStart, end: active.selectionEnd } : null;
  const spec = state.spec;
  const cols = state.summary.columns;
  const names = cols.map((c) => c.name);
  const dateNames = cols.filter((c) => /date/i.test(String(c.kind))).map((c) => c.name);
  if (!spec.endpoints.length) spec.endpoints.push({ event: '' });
  $('#endpoints').replaceChildren(...spec.endpoints.map((ep, i) => endpointBlock(ep, i, names, dateNames.length ? dateNames : names)));

  // Groups.
  const g = spec.group?.column || '';
  fillSelect($('#group-col'), names, g, '(none: one curve)');
  $('#group-levels').value = (spec.group?.levels || []).join(', ');
  $('#group-levels').disabled = !g;
  const curveLevels = (state.report?.endpoints?.[0]?.km || []).map((c) => c.group).filter((x) => x !== null && x !== undefined);
  const gv = g ? (state.report?.spec?.group?.column === g && curveLevels.length ? curveLevels : (columnValues(g) || []).map((v) => v.value)) : [];
  fillSelect($('#group-ref'), gv, spec.survival?.reference_group || '', g ? '(first group)' : '(no groups)');
  $('#group-levels').placeholder = gv.length ? `e.g. ${gv.slice(0, 4).join(', ')}` : 'as in the file';
  $('#group-ref').disabled = !g;
  fillSelect($('#strata-col'), names, spec.strata?.column || '', '(none)');

  // Covariates: one checkbox per column, and the coding of each chosen one.
  const chosen = new Map((spec.covariates || []).map((c) => [c.column, c]));
  $('#covariates').replaceChildren(...cols.map((c, k) => el('label', { class: 'check' },
    el('input', { type: 'checkbox', id: `cov-${k}`, value: c.name, checked: chosen.has(c.name) }), ` ${c.name}`)));
  $('#covariate-options').replaceChildren(...cols.map((c, k) => {
    const v = chosen.get(c.name);
    if (!v) return null;
    const numeric = isNumericKind(c.kind) && !v.categorical && !v.cut_at_median;
    const row = el('div', { class: 'cov-row', 'data-cov': c.name }, el('strong', { text: c.name }));
    if (isNumericKind(c.kind)) {
      row.append(
        el('label', { class: 'check' }, el('input', { type: 'checkbox', id: `covcut-${k}`, checked: v.cut_at_median }), ' cut at the median'),
        el('label', { class: 'check' }, el('input', { type: 'checkbox', id: `covcat-${k}`, checked: v.categorical }), ' categories (e.g. grade 1/2/3)'));
    }
    if (!numeric && !v.cut_at_median) {
      const levels = (columnValues(c.name) || []).map((x) => x.value);
      const ref = el('select', { id: `covref-${k}` });
      fillSelect(ref, levels, v.reference || '', '(first level)');
      row.append(el('label', {}, 'reference ', ref));
    } else if (numeric) {
      row.append(el('span', { class: 'note', text: 'hazard ratio per unit' }));
    }
    return row;
  }).filter(Boolean));

  // Conventions.
  const sv = spec.survival || {};
  $('#conf-type').value = sv.conf_type || 'log';
  $('#conf-level').value = String(sv.conf_level ?? 0.95);
  $('#ties').value = spec.cox?.ties || 'efron';
  $('#zph').checked = !!spec.cox?.zph;
  $('#output-unit').value = spec.endpoints[0]?.output_unit || '';
  $('#times').value = (sv.times || []).join(', ');
  $('#rmst-tau').value = sv.rmst_tau ?? '';
  $('#roles').hidden = false;
  const again = focused && byId(focused);
  if (again && document.activeElement !== again) {
    again.focus();
    if (typing && again.tagName === 'INPUT') {
      again.value = typing.value;
      try { again.setSelectionRange(typing.start, typing.end); } catch { /* not a text field */ }
    }
  }
}

const numberList = (text) => text.split(/[;\s,]+/).filter(Boolean).map(Number).filter((x) => Number.isFinite(x));
const optNumber = (text) => (text.trim() === '' || !Number.isFinite(Number(text)) ? null : Number(text));

/** Reads the form into the Spec (the user's choices only; the engine validates). */
function readRoles() {
  const spec = state.spec;
  const incomplete = [];
  state.incomplete = incomplete;
  spec.endpoints = spec.endpoints.map((old, i) => {
    const ep = { ...old };
    ep.name = byId(fid('ep-name', i))?.value.trim() || '';
    const mode = byId(fid('ep-mode', i))?.value || 'duration';
    if (mode === 'duration') {
      ep.time = byId(fid('time-col', i))?.value || null;
      ep.time_unit = byId(fid('time-unit', i))?.value || null;
      ep.start_date = null;
      ep.end_date = null;
      ep.end_dates = [];
    } else {
      ep.time = null;
      ep.start_date = byId(fid('start-date', i))?.value || null;
      ep.end_date = byId(fid('end-date', i))?.value || null;
      const e2 = byId(fid('end-date2', i))?.value;
      ep.end_dates = e2 ? [e2] : [];
    }
    const ev = byId(fid('event-col', i))?.value || '';
    if (ev !== old.event) {
      ep.event_map = {};
      ep.event_values = null;
    } else {
      const sels = [...document.querySelectorAll(`select[id^="coding-${i}-"]`)];
      const map = {};
      for (const s of sels) if (s.value) map[s.dataset.value] = s.value;
      if (sels.some((s) => s.dataset.touched)) {
        ep.event_map = map;
        ep.event_values = null;
      }
      const open = sels.filter((s) => !s.value).map((s) => `“${s.dataset.value}”`);
      if (Object.keys(ep.event_map || {}).length && open.length) {
        incomplete.push(`Say what ${open.join(', ')} in ${ev} ${open.length > 1 ? 'mean' : 'means'} (event, censored or leave out) to see the results.`);
      }
    }
    ep.event = ev;
    ep.output_unit = $('#output-unit').value || null;
    return ep;
  });
  const g = $('#group-col').value;
  if (g) {
    const levels = $('#group-levels').value.split(',').map((s) => s.trim()).filter(Boolean);
    spec.group = { ...(spec.group?.column === g ? spec.group : {}), column: g, levels };
  } else {
    spec.group = null;
  }
  const s = $('#strata-col').value;
  spec.strata = s ? { ...(spec.strata?.column === s ? spec.strata : {}), column: s } : null;
  const conf = Number($('#conf-level').value);
  spec.survival = {
    ...spec.survival,
    conf_type: $('#conf-type').value,
    conf_level: conf,
    times: numberList($('#times').value),
    rmst_tau: optNumber($('#rmst-tau').value),
    reference_group: (g && $('#group-ref').value) || null,
  };
  const cols = state.summary.columns;
  const old = new Map((spec.covariates || []).map((c) => [c.column, c]));
  spec.covariates = cols.map((c, k) => {
    if (!byId(`cov-${k}`)?.checked) return null;
    const v = { ...(old.get(c.name) || {}), column: c.name };
    if (byId(`covcut-${k}`)) v.cut_at_median = byId(`covcut-${k}`).checked;
    if (byId(`covcat-${k}`)) v.categorical = byId(`covcat-${k}`).checked;
    const ref = byId(`covref-${k}`);
    if (ref) v.reference = ref.value || null;
    return v;
  }).filter(Boolean);
  // The engine screens every covariate and fits them together when no model is named;
  // a model named in loaded settings is kept until the choice of covariates changes.
  const names = (list) => list.map((c) => c.column).sort().join('\n');
  const same = names(spec.covariates) === names([...old.values()]);
  spec.cox = { ...(spec.cox || {}), ties: $('#ties').value, conf_level: conf, zph: $('#zph').checked };
  if (!same) {
    spec.cox.covariates = [];
    spec.cox.univariable = [];
  }
}

function figureOptions() {
  const n = (id) => optNumber(byId(id).value);
  return {
    width_cm: n('fig-width') ?? 16,
    height_cm: n('fig-height') ?? 12,
    x_max: n('fig-xmax'),
    x_tick: n('fig-xtick'),
    show_ci: byId('fig-ci').checked,
    show_censor: byId('fig-censor').checked,
    show_risk_table: byId('fig-risk').checked,
    show_median_lines: byId('fig-median').checked,
    cumulative_incidence: byId('fig-cuminc').checked,
    monochrome: byId('fig-mono').checked,
  };
}

// ---------------------------------------------------------------- analysis jobs
let timer = null;
function scheduleAnalyze(delay = 150) {
  document.body.dataset.busy = '1';
  clearTimeout(timer);
  timer = setTimeout(() => {
    timer = null;
    analyze().catch(showError);
  }, delay);
}

/** For tests and assistive tools: body[data-busy] is 1 while an analysis is due. */
function markIdle() {
  document.body.dataset.busy = timer || state.running ? '1' : '0';
}

async function analyze() {
  if (!state.spec) return;
  document.body.dataset.busy = '1';
  readRoles();
  // The user is still telling what each event value means: wait until every value has one.
  if (state.incomplete.length) {
    setStatus(state.incomplete.join(' '));
    markIdle();
    return;
  }
  // Nothing changed since the last analysis (e.g. a text field losing focus): keep it.
  const key = JSON.stringify([state.spec, figureOptions()]);
  if (key === state.lastKey && state.report && !state.running) {
    markIdle();
    return;
  }
  const id = ++state.latest;
  // A long job for older settings is still running: stop it rather than wait.
  if (state.running && performance.now() - state.running.started > 300) restartWorker();
  const job = request({ type: 'analyze', spec: state.spec, figure: figureOptions(), delayMs: TEST_DELAY_MS });
  state.running = { id, requestId: job.requestId, started: performance.now(), message: 'Analysing…' };
  showBusy(true);
  let msg;
  try {
    msg = await job;
  } catch (err) {
    if (id === state.latest) {
      state.running = null;
      showBusy(false);
      markIdle();
      if (err instanceof Cancelled) return;
      state.report = null;
      $('#results').hidden = true;
      showError(err);
      renderRoles(); // opens the event-coding editor when the coding was the problem
    }
    return;
  }
  if (id !== state.latest) return; // a newer analysis is on its way
  state.lastKey = key;
  state.running = null;
  showBusy(false);
  showError(null);
  const first = !state.report;
  state.report = msg.report;
  state.reportJson = msg.reportJson;
  state.tables = msg.tables;
  state.figures = msg.figures;
  renderResults();
  renderRoles(); // the coding sentences and group levels come from the Report
  document.body.dataset.analyses = String(Number(document.body.dataset.analyses || 0) + 1);
  markIdle();
  const ep = msg.report.endpoints;
  setStatus(`Results updated: ${ep.map((e) => `${e.name}: ${e.n} patients, ${e.events} events`).join('; ')}.`);
  if (first) document.dispatchEvent(new CustomEvent('survkit:first-result'));
}

function cancel() {
  if (!state.running) return;
  state.latest++;
  state.running = null;
  showBusy(false);
  restartWorker();
  markIdle();
  setStatus('Cancelled. Change an option to analyse again.');
}

// ---------------------------------------------------------------- results
const FIGURES = {
  km: 'Kaplan–Meier curves',
  forest: 'Forest plot (multivariable Cox model)',
  cumhaz: 'Cumulative hazard (Nelson–Aalen)',
  loglog: 'log(−log S) against log time (proportional hazards check)',
  schoenfeld: 'Scaled Schoenfeld residuals (proportional hazards check)',
};

function figureBlock(i, kind, fig) {
  const id = kind === 'km' ? fid('km-svg', i) : `${kind}-svg-${i}`;
  const box = el('figure', { class: 'fig', 'data-figure': kind });
  const holder = el('div', { id, class: 'figure', role: 'img', 'aria-label': `${FIGURES[kind]}${state.report.endpoints[i] ? `, ${state.report.endpoints[i].name}` : ''}` });
  if (fig?.svg) holder.innerHTML = fig.svg;
  else holder.append(el('p', { class: 'note', text: fig?.error || 'Not available.' }));
  box.append(holder);
  if (fig?.svg) {
    box.append(el('figcaption', {},
      el('span', { class: 'fig-title', text: FIGURES[kind] }),
      ...['svg', 'png', 'pdf'].map((format) => {
        const b = el('button', { type: 'button', class: 'small', 'data-export': format, 'data-kind': kind, 'data-endpoint': i, text: format === 'png' ? 'PNG (300 dpi)' : format.toUpperCase() });
        b.addEventListener('click', () => exportFigure(kind, i, format).catch(showError));
        return b;
      })));
  }
  return box;
}

/** Where a warning goes, from what it concerns (its `context`). */
function warningSlot(w) {
  const c = w.context || '';
  if (c.startsWith('cox')) return 'cox';
  if (c.startsWith('univariable')) return 'cox';
  if (c.startsWith('km') || c.startsWith('median') || c.startsWith('rmst')) return 'medians';
  if (c.startsWith('test') || c.startsWith('pairwise') || c.startsWith('trend') || c.startsWith('hazard')) return 'tests';
  if (c.startsWith('followup')) return 'followup';
  if (c.startsWith('data')) return 'data';
  return 'top';
}

function warningNode(w) {
  return el('p', { class: 'warning', 'data-code': w.code, 'data-context': w.context || '' }, el('span', { 'aria-hidden': 'true', text: '⚠ ' }), el('span', { class: 'visually-hidden', text: 'Warning: ' }), w.message);
}

function renderEndpoint(i) {
  const ep = state.report.endpoints[i];
  const multi = state.report.endpoints.length > 1;
  const tablesOf = (id) => state.tables.filter((t) => t.id === id || t.id === `${id}:${i}`).filter((t) => multi || t.id === id);
  const slots = { top: [], medians: [], tests: [], followup: [], cox: [], data: [] };
  for (const w of ep.warnings || []) slots[warningSlot(w)].push(warningNode(w));
  const figs = state.figures[i] || {};
  const panel = el('div', { class: 'endpoint-results', id: `ep-panel-${i}`, 'data-endpoint': i });
  if (multi) {
    panel.setAttribute('role', 'tabpanel');
    panel.setAttribute('aria-labelledby', `ep-tab-${i}`);
    panel.setAttribute('tabindex', '0');
  }
  panel.append(el('h3', { text: `${ep.name}: ${ep.n} patients, ${ep.events} events` }), ...slots.top);
  panel.append(figureBlock(i, 'km', figs.km));
  panel.append(el('h4', { text: 'Medians and survival' }), ...tablesOf('medians').map(renderTable), ...tablesOf('at_times').map(renderTable), ...slots.medians);
  const tests = tablesOf('tests');
  if (tests.length || slots.tests.length) panel.append(el('h4', { text: 'Comparison of the groups' }), ...tests.map(renderTable), ...slots.tests);
  panel.append(el('h4', { text: 'Follow-up' }), ...tablesOf('followup').map(renderTable), ...slots.followup);
  const uni = tablesOf('univariable');
  const mv = tablesOf('multivariable');
  if (uni.length || mv.length || slots.cox.length) {
    const cox = el('div', { class: 'cox' }, el('h4', { text: 'Cox proportional-hazards models' }), ...uni.map(renderTable), ...mv.map(renderTable), ...slots.cox);
    if (figs.forest) cox.append(figureBlock(i, 'forest', figs.forest));
    panel.append(cox);
    // Mark the rows a term warning concerns.
    for (const w of ep.warnings || []) {
      const m = /^cox.*\.term:(.+)$/.exec(w.context || '');
      if (!m) continue;
      for (const tr of cox.querySelectorAll('tbody tr')) {
        const first = tr.cells[0]?.textContent || '';
        if (first === m[1] || first.startsWith(`${m[1]} `) || first.startsWith(`${m[1]}:`)) {
          tr.classList.add('has-warning');
          tr.cells[0].append(el('span', { class: 'warn-mark', title: w.message, text: ' ⚠' }));
        }
      }
    }
  }
  const ph = el('details', { class: 'ph' }, el('summary', { text: 'Cumulative hazard and proportional-hazards check' }));
  ph.append(figureBlock(i, 'cumhaz', figs.cumhaz), figureBlock(i, 'loglog', figs.loglog));
  if (figs.schoenfeld) {
    ph.append(...tablesOf('zph').map(renderTable), figureBlock(i, 'schoenfeld', figs.schoenfeld));
    ph.open = true;
  }
  panel.append(ph);
  const excluded = tablesOf('excluded');
  const nEx = ep.excluded?.length || 0;
  panel.append(el('h4', { text: 'Rows left out' }));
  if (!nEx) panel.append(el('p', { text: 'None: every row was used.' }));
  else if (nEx <= 10) panel.append(...excluded.map(renderTable));
  else panel.append(el('details', { class: 'excluded' }, el('summary', { text: `${nEx} rows left out, with the reason for each` }), ...excluded.map(renderTable)));
  panel.append(...slots.data);
  panel.append(el('h4', { text: 'Methods and results text' }), el('p', { class: 'methods', text: ep.methods || '' }));
  return panel;
}

function renderResults() {
  const report = state.report;
  const eps = report.endpoints;
  if (state.activeEndpoint >= eps.length) state.activeEndpoint = 0;
  const focused = document.activeElement?.id;
  $('#conventions').textContent = report.conventions_text || '';
  $('#warnings').replaceChildren(...(report.warnings || []).map(warningNode));
  const tabs = $('#ep-tabs');
  if (eps.length > 1) {
    tabs.replaceChildren(...eps.map((ep, i) => {
      const b = el('button', { type: 'button', role: 'tab', id: `ep-tab-${i}`, 'aria-controls': `ep-panel-${i}`, 'aria-selected': String(i === state.activeEndpoint), tabindex: i === state.activeEndpoint ? '0' : '-1', text: ep.name || `Endpoint ${i + 1}` });
      b.addEventListener('click', () => selectTab(i));
      return b;
    }));
    tabs.hidden = false;
  } else {
    tabs.replaceChildren();
    tabs.hidden = true;
  }
  $('#ep-panels').replaceChildren(...eps.map((_, i) => {
    const p = renderEndpoint(i);
    p.hidden = eps.length > 1 && i !== state.activeEndpoint;
    return p;
  }));
  $('#results').hidden = false;
  if (focused && byId(focused) && document.activeElement !== byId(focused)) byId(focused).focus();
}

function selectTab(i, focus = false) {
  state.activeEndpoint = i;
  document.querySelectorAll('#ep-tabs [role="tab"]').forEach((t, k) => {
    t.setAttribute('aria-selected', String(k === i));
    t.tabIndex = k === i ? 0 : -1;
    if (k === i && focus) t.focus();
  });
  document.querySelectorAll('#ep-panels > .endpoint-results').forEach((p, k) => (p.hidden = k !== i));
}

// ---------------------------------------------------------------- exports
function download(blob, name) {
  const a = el('a', { href: URL.createObjectURL(blob), download: name });
  document.body.append(a);
  a.click();
  a.remove();
  setTimeout(() => URL.revokeObjectURL(a.href), 10_000);
}

async function exportFigure(kind, endpoint, format) {
  const ep = state.report.endpoints[endpoint];
  const name = `${baseName()}-${slug(ep?.name)}-${kind}`;
  const req = { ...figureOptions(), kind, endpoint, format };
  if (format === 'pdf') {
    const msg = await request({ type: 'figure', reportJson: state.reportJson, request: req });
    download(new Blob([msg.bytes], { type: 'application/pdf' }), `${name}.pdf`);
    return;
  }
  const msg = await request({ type: 'figure', reportJson: state.reportJson, request: { ...req, format: 'svg' } });
  if (format === 'svg') {
    download(new Blob([msg.svg], { type: 'image/svg+xml' }), `${name}.svg`);
    return;
  }
  // PNG at 300 dpi: the browser rasterises the engine's SVG at the figure's physical size.
  const dpi = 300;
  const w = Math.round((req.width_cm / 2.54) * dpi);
  const h = Math.round((req.height_cm / 2.54) * dpi);
  const img = new Image();
  const url = URL.createObjectURL(new Blob([msg.svg], { type: 'image/svg+xml' }));
  try {
    await new Promise((ok, fail) => {
      img.onload = ok;
      img.onerror = () => fail(new Error('The browser could not turn the figure into a PNG; download the SVG or PDF instead.'));
      img.src = url;
    });
    const canvas = document.createElement('canvas');
    canvas.width = w;
    canvas.height = h;
    const ctx = canvas.getContext('2d');
    ctx.fillStyle = '#fff';
    ctx.fillRect(0, 0, w, h);
    ctx.drawImage(img, 0, 0, w, h);
    const blob = await new Promise((ok) => canvas.toBlob(ok, 'image/png'));
    download(await setPngDpi(blob, dpi), `${name}.png`);
  } finally {
    URL.revokeObjectURL(url);
  }
}

/** Adds a pHYs chunk so that the PNG says 300 dpi (canvas output says nothing). */
async function setPngDpi(blob, dpi) {
  const bytes = new Uint8Array(await blob.arrayBuffer());
  const ppm = Math.round(dpi / 0.0254);
  const chunk = new Uint8Array(21);
  const dv = new DataView(chunk.buffer);
  dv.setUint32(0, 9);
  chunk.set([0x70, 0x48, 0x59, 0x73], 4); // "pHYs"
  dv.setUint32(8, ppm);
  dv.setUint32(12, ppm);
  chunk[16] = 1; // unit: metre
  dv.setUint32(17, crc32(chunk.subarray(4, 17)));
  const ihdrEnd = 8 + 25; // signature + IHDR chunk
  const out = new Uint8Array(bytes.length + chunk.length);
  out.set(bytes.subarray(0, ihdrEnd), 0);
  out.set(chunk, ihdrEnd);
  out.set(bytes.subarray(ihdrEnd), ihdrEnd + chunk.length);
  return new Blob([out], { type: 'image/png' });
}

function crc32(data) {
  let c = ~0;
  for (const b of data) {
    c ^= b;
    for (let k = 0; k < 8; k++) c = (c >>> 1) ^ (0xedb88320 & -(c & 1));
  }
  return ~c >>> 0;
}

function saveSpec() {
  if (!state.spec) return;
  readRoles();
  // The Spec holds column names and options only: never any data.
  const blob = new Blob([`${JSON.stringify(state.spec, null, 2)}\n`], { type: 'application/json' });
  download(blob, `${baseName()}-survkit-settings.json`);
  setStatus('Settings saved (column names and options only, no data).');
}

async function loadSpec(file) {
  if (!file) return;
  let spec;
  try {
    spec = JSON.parse(await file.text());
  } catch (err) {
    throw new Error(`${file.name} is not a survkit settings file (it is not valid JSON: ${err.message}).`);
  }
  if (!spec || typeof spec !== 'object' || !Array.isArray(spec.endpoints)) {
    throw new Error(`${file.name} is not a survkit settings file: it has no "endpoints" list.`);
  }
  if (!state.summary) throw new Error('Load the data file first, then the settings.');
  state.spec = spec;
  state.report = null;
  renderRoles();
  await analyze();
  setStatus(`Settings loaded from ${file.name}.`);
}

async function downloadRScript() {
  if (!state.reportJson) throw new Error('There are no results yet to reproduce: choose the endpoint first.');
  const msg = await request({ type: 'r-script', reportJson: state.reportJson, fileName: state.name || 'data.csv' });
  download(new Blob([msg.text], { type: 'text/plain;charset=utf-8' }), `${baseName()}-survkit.R`);
  setStatus('R script saved: put it next to your data file and run it in R (it needs the survival package).');
}

// ---------------------------------------------------------------- wiring
function wire() {
  const drop = $('#drop');
  drop.addEventListener('dragover', (e) => {
    e.preventDefault();
    drop.classList.add('over');
  });
  drop.addEventListener('dragleave', () => drop.classList.remove('over'));
  drop.addEventListener('drop', (e) => {
    e.preventDefault();
    drop.classList.remove('over');
    loadFile(e.dataTransfer.files[0]).catch(showError);
  });
  // Dropping anywhere on the page should not navigate away from it.
  window.addEventListener('dragover', (e) => e.preventDefault());
  window.addEventListener('drop', (e) => {
    e.preventDefault();
    if (!drop.contains(e.target) && e.dataTransfer?.files?.[0]) loadFile(e.dataTransfer.files[0]).catch(showError);
  });
  $('#file').addEventListener('change', (e) => loadFile(e.target.files[0]).catch(showError));
  $('#cancel').addEventListener('click', cancel);

  $('#import-form').addEventListener('change', () => {
    const io = {};
    const v = (id) => byId(id).value;
    if (v('imp-delimiter')) io.delimiter = v('imp-delimiter');
    if (v('imp-decimal')) io.decimal = v('imp-decimal');
    if (v('imp-encoding')) io.encoding = v('imp-encoding');
    if (v('imp-sheet')) io.sheet = v('imp-sheet');
    if (v('imp-header')) io.header = v('imp-header') === 'true';
    state.importOptions = io;
    loadBytes(state.bytes, state.name, { keepSpec: true }).catch(showError);
  });

  const form = $('#roles-form');
  form.addEventListener('change', (e) => {
    if (e.target.id?.startsWith('coding-')) e.target.dataset.touched = '1';
    if (e.target.id === 'preset') return;
    readRoles();
    // Text fields change nothing else in the form: keep the DOM (and the caret) as it is.
    if (!(e.target.tagName === 'INPUT' && e.target.type !== 'checkbox')) renderRoles();
    scheduleAnalyze();
  });
  form.addEventListener('input', (e) => {
    if (e.target.tagName === 'INPUT' && e.target.type !== 'checkbox') scheduleAnalyze(400);
  });
  form.addEventListener('submit', (e) => e.preventDefault());
  form.addEventListener('click', (e) => {
    const t = e.target.closest('button');
    if (!t) return;
    if (t.dataset.removeEndpoint !== undefined) {
      readRoles();
      state.spec.endpoints.splice(Number(t.dataset.removeEndpoint), 1);
      renderRoles();
      scheduleAnalyze();
      $('#add-endpoint').focus();
    } else if (t.dataset.guessCoding !== undefined) {
      readRoles();
      const ep = state.spec.endpoints[Number(t.dataset.guessCoding)];
      ep.event_map = {};
      ep.event_values = null;
      renderRoles();
      scheduleAnalyze();
    }
  });
  $('#add-endpoint').addEventListener('click', () => {
    readRoles();
    const first = state.spec.endpoints[0] || {};
    state.spec.endpoints.push({ name: `Endpoint ${state.spec.endpoints.length + 1}`, time: null, event: '', time_unit: first.time_unit || null });
    renderRoles();
    byId(fid('ep-name', state.spec.endpoints.length - 1))?.focus();
  });
  $('#preset').addEventListener('change', () => {
    const p = state.presets.find((x) => x.id === $('#preset').value);
    if (!p || !state.spec) return;
    readRoles();
    applySpecPatch(p.spec);
    renderRoles();
    $('#preset-note')?.remove();
    $('#preset').closest('label').after(el('p', { id: 'preset-note', class: 'note', text: p.description }));
    scheduleAnalyze();
  });
  $('#figure-options').addEventListener('change', () => scheduleAnalyze());
  $('#save-spec').addEventListener('click', saveSpec);
  $('#load-spec').addEventListener('change', (e) => {
    loadSpec(e.target.files[0]).catch(showError);
    e.target.value = '';
  });
  $('#r-script').addEventListener('click', () => downloadRScript().catch(showError));
  // Tabs: arrow keys move between endpoints.
  $('#ep-tabs').addEventListener('keydown', (e) => {
    const n = state.report?.endpoints.length || 0;
    if (!n) return;
    let i = state.activeEndpoint;
    if (e.key === 'ArrowRight') i = (i + 1) % n;
    else if (e.key === 'ArrowLeft') i = (i - 1 + n) % n;
    else if (e.key === 'Home') i = 0;
    else if (e.key === 'End') i = n - 1;
    else return;
    e.preventDefault();
    selectTab(i, true);
  });
}

async function main() {
  startWorker();
  wire();
  if ('serviceWorker' in navigator && location.protocol !== 'file:') {
    navigator.serviceWorker.register('sw.js').catch(() => {});
  }
  request({ type: 'version' }).then((m) => ($('#version').textContent = m.version), () => {});
  request({ type: 'presets' }).then((m) => {
    state.presets = m.presets;
    fillSelect($('#preset'), m.presets.map((p) => ({ value: p.id, text: p.name })), 'r');
  }, () => {});
  const examples = await (await fetch('data/examples.json')).json();
  const sel = $('#example-name');
  sel.replaceChildren(...examples.map((e, i) => el('option', { value: i, text: e.title })));
  $('#example').addEventListener('click', () => loadExample(examples[Number(sel.value)]).catch(showError));
  // Open with the first example already analysed.
  const params = new URLSearchParams(location.search);
  if (!params.has('empty')) await loadExample(examples[0]).catch(showError);
}

main().catch(showError);
