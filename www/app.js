// The page: DOM only. Every number, table cell and figure comes from the Rust engine in
// the Web Worker (worker.js); this module reads the user's choices into a Spec, sends
// it, and shows the Report it gets back.
const $ = (sel) => document.querySelector(sel);

// ---------------------------------------------------------------- worker plumbing
let worker = null;
let nextId = 1;
const pending = new Map();

function startWorker() {
  worker = new Worker(new URL('./worker.js', import.meta.url), { type: 'module' });
  worker.onmessage = (e) => {
    const msg = e.data;
    if (msg.type === 'progress') {
      setStatus(msg.message);
      return;
    }
    const job = pending.get(msg.id);
    if (!job) return;
    pending.delete(msg.id);
    if (msg.type === 'error') {
      if (msg.fatal) restartWorker();
      job.reject(new Error(msg.message));
    } else {
      job.resolve(msg);
    }
  };
  worker.onerror = (e) => {
    e.preventDefault();
    const err = new Error(`The analysis engine stopped unexpectedly (${e.message || 'worker error'}). It has been restarted; please try again.`);
    for (const job of pending.values()) job.reject(err);
    pending.clear();
    restartWorker();
  };
}

function restartWorker() {
  if (worker) worker.terminate();
  startWorker();
  if (state.bytes) {
    // The new worker has no file: load it again (a copy, the original stays with us).
    request({ type: 'load', bytes: state.bytes.slice(0), name: state.name, importOptions: state.spec?.import }).catch(() => {});
  }
}

function request(msg, transfer) {
  const id = nextId++;
  return new Promise((resolve, reject) => {
    pending.set(id, { resolve, reject });
    worker.postMessage({ ...msg, id }, transfer || []);
  });
}

// ---------------------------------------------------------------- state
const state = {
  bytes: null, // ArrayBuffer of the current file (stays in this tab)
  name: null,
  summary: null,
  spec: null,
  report: null,
  reportJson: null,
  latest: 0, // id of the newest analysis; older results are dropped
};

function setStatus(text) {
  $('#status').textContent = text || '';
}

function showError(err) {
  const box = $('#error');
  box.textContent = err ? String(err.message || err) : '';
  box.hidden = !err;
  if (err) setStatus('');
}

// ---------------------------------------------------------------- loading files
async function loadBytes(bytes, name) {
  showError(null);
  setStatus(`Reading ${name}…`);
  state.bytes = bytes;
  state.name = name;
  try {
    const msg = await request({ type: 'load', bytes: bytes.slice(0), name, importOptions: {} });
    state.summary = msg.summary;
    state.spec = msg.spec;
    renderSource();
    renderRoles();
    await analyze();
  } catch (err) {
    $('#roles').hidden = true;
    $('#results').hidden = true;
    showError(err);
  }
}

async function loadFile(file) {
  if (!file) return;
  await loadBytes(await file.arrayBuffer(), file.name);
}

async function loadExample(entry) {
  const res = await fetch(`data/${entry.file}`);
  if (!res.ok) throw new Error(`cannot read example ${entry.file}: ${res.status}`);
  await loadBytes(await res.arrayBuffer(), entry.file);
  if (entry.spec) {
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
    else node.setAttribute(k, v === true ? '' : v);
  }
  for (const c of children.flat()) node.append(c instanceof Node ? c : document.createTextNode(String(c)));
  return node;
}

/** A table from the engine: {id, title, columns, rows, note}. */
function renderTable(t) {
  const table = el('table', { class: 'data', 'data-table': t.id });
  if (t.title) table.append(el('caption', { text: t.title }));
  table.append(el('thead', {}, el('tr', {}, t.columns.map((c) => el('th', { scope: 'col', text: c })))));
  table.append(el('tbody', {}, t.rows.map((r) => el('tr', {}, r.map((c) => el('td', { text: c }))))));
  const wrap = el('div', { class: 'table-wrap' }, table);
  if (t.note) wrap.append(el('p', { class: 'note', text: t.note }));
  const copy = el('button', { type: 'button', class: 'small', 'data-copy': t.id, text: 'Copy table' });
  copy.addEventListener('click', () => copyTable(table));
  wrap.append(copy);
  return wrap;
}

async function copyTable(table) {
  const html = table.outerHTML;
  const text = [...table.rows].map((r) => [...r.cells].map((c) => c.textContent).join('\t')).join('\n');
  try {
    await navigator.clipboard.write([
      new ClipboardItem({
        'text/html': new Blob([html], { type: 'text/html' }),
        'text/plain': new Blob([text], { type: 'text/plain' }),
      }),
    ]);
    setStatus('Table copied: paste it into Word or Google Docs.');
  } catch {
    setStatus('The browser did not allow copying; select the table and copy it by hand.');
  }
}

function renderSource() {
  const s = state.summary;
  const src = s.source || {};
  const bits = [`${state.name}: ${s.n_rows} rows × ${s.columns.length} columns`];
  if (src.format) bits.push(src.format);
  if (src.delimiter) bits.push(`delimiter “${src.delimiter === '\t' ? 'tab' : src.delimiter}”`);
  if (src.encoding) bits.push(src.encoding);
  if (src.sheet) bits.push(`sheet “${src.sheet}”`);
  const box = $('#source');
  box.replaceChildren(el('p', { text: bits.join(' · ') }), ...(src.notes || []).map((n) => el('p', { class: 'note', text: n })));
  box.hidden = false;

  const cols = s.columns;
  const head = el('tr', {}, el('th', { scope: 'col', text: 'Row' }), cols.map((c) => el('th', { scope: 'col' }, c.name, el('br'), el('small', { text: `${c.kind}${c.n_missing ? `, ${c.n_missing} missing` : ''}${c.n_invalid ? `, ${c.n_invalid} unreadable` : ''}` }))));
  const rows = (s.preview || []).map((r) => el('tr', {}, el('td', { text: r.row }), r.cells.map((v) => el('td', { text: v }))));
  $('#preview').replaceChildren(el('table', { class: 'data' }, el('thead', {}, head), el('tbody', {}, rows)));
  $('#preview-box').hidden = false;
}

function options(select, values, selected, blank) {
  select.replaceChildren(
    ...(blank ? [el('option', { value: '', text: blank })] : []),
    ...values.map((v) => el('option', { value: v, text: v, selected: v === selected })),
  );
  if (!selected && blank) select.value = '';
}

function renderRoles() {
  const names = state.summary.columns.map((c) => c.name);
  const ep = state.spec.endpoints[0] || {};
  options($('#time-col'), names, ep.time);
  options($('#event-col'), names, ep.event);
  options($('#group-col'), names, state.spec.group?.column, '(none: one curve)');
  $('#time-unit').value = ep.time_unit || 'days';
  $('#output-unit').value = ep.output_unit || '';
  $('#conf-type').value = state.spec.survival?.conf_type || 'log';
  $('#times').value = (state.spec.survival?.times || []).join(', ');
  const chosen = new Set((state.spec.covariates || []).map((c) => c.column));
  $('#covariates').replaceChildren(
    ...names.map((n) => el('label', { class: 'check' }, el('input', { type: 'checkbox', value: n, checked: chosen.has(n) }), ` ${n}`)),
  );
  $('#roles').hidden = false;
}

/** Reads the form into the Spec (the user's choices only; the engine validates). */
function readRoles() {
  const spec = state.spec;
  const ep = spec.endpoints[0] || (spec.endpoints[0] = {});
  ep.time = $('#time-col').value;
  ep.event = $('#event-col').value;
  ep.time_unit = $('#time-unit').value;
  ep.output_unit = $('#output-unit').value || null;
  const g = $('#group-col').value;
  spec.group = g ? { ...(spec.group?.column === g ? spec.group : {}), column: g } : null;
  spec.survival = { ...spec.survival, conf_type: $('#conf-type').value };
  const times = $('#times').value.split(/[,;\s]+/).filter(Boolean).map(Number).filter((x) => Number.isFinite(x));
  spec.survival.times = times;
  const covs = [...$('#covariates').querySelectorAll('input:checked')].map((i) => i.value);
  const old = new Map((spec.covariates || []).map((c) => [c.column, c]));
  spec.covariates = covs.map((c) => old.get(c) || { column: c });
  spec.cox = { ...(spec.cox || {}), covariates: covs, univariable: covs };
}

let timer = null;
function scheduleAnalyze() {
  clearTimeout(timer);
  timer = setTimeout(() => analyze().catch(showError), 120);
}

async function analyze() {
  readRoles();
  const id = ++state.latest;
  setStatus('Analysing…');
  let msg;
  try {
    msg = await request({ type: 'analyze', spec: state.spec, figure: figureOptions() });
  } catch (err) {
    if (id === state.latest) {
      $('#results').hidden = true;
      showError(err);
    }
    return;
  }
  if (id !== state.latest) return; // a newer analysis is on its way
  showError(null);
  state.report = msg.report;
  state.reportJson = msg.reportJson;
  renderResults(msg);
  setStatus('');
}

function figureOptions() {
  return { width_cm: 16, height_cm: 12 };
}

function renderResults({ report, tables, figures }) {
  const ep = report.endpoints[0];
  $('#km-svg').innerHTML = figures.km[0] || '';
  const byId = (id) => tables.filter((t) => t.id === id || t.id.startsWith(`${id}:`)).map(renderTable);
  $('#medians').replaceChildren(...byId('medians'));
  $('#at-times').replaceChildren(...byId('at_times'));
  $('#tests').replaceChildren(...byId('tests'));
  $('#followup').replaceChildren(...byId('followup'));
  $('#cox').replaceChildren(...byId('univariable'), ...byId('multivariable'));
  $('#excluded').replaceChildren(...byId('excluded'));
  if (!ep.excluded || ep.excluded.length === 0) $('#excluded').replaceChildren(el('p', { text: 'None: every row was used.' }));
  const warnings = [...(report.warnings || []), ...(ep.warnings || [])];
  $('#warnings').replaceChildren(...warnings.map((w) => el('p', { class: 'warning', 'data-code': w.code, text: `⚠ ${w.message}` })));
  $('#event-coding').textContent = ep.event_coding ? `Event coding: ${ep.event_coding}.` : '';
  $('#methods').textContent = ep.methods || '';
  $('#conventions').textContent = report.conventions_text || '';
  $('#results').hidden = false;
}

// ---------------------------------------------------------------- exports
function download(blob, name) {
  const a = el('a', { href: URL.createObjectURL(blob), download: name });
  document.body.append(a);
  a.click();
  a.remove();
  setTimeout(() => URL.revokeObjectURL(a.href), 10_000);
}

async function exportFigure(format) {
  const base = (state.name || 'survkit').replace(/\.[^.]+$/, '');
  const req = { kind: 'km', endpoint: 0, ...figureOptions(), format };
  if (format === 'pdf') {
    const msg = await request({ type: 'figure', reportJson: state.reportJson, request: req });
    download(new Blob([msg.bytes], { type: 'application/pdf' }), `${base}-km.pdf`);
    return;
  }
  const msg = await request({ type: 'figure', reportJson: state.reportJson, request: { ...req, format: 'svg' } });
  if (format === 'svg') {
    download(new Blob([msg.svg], { type: 'image/svg+xml' }), `${base}-km.svg`);
    return;
  }
  // PNG at 300 dpi: the browser rasterises the engine's SVG at the figure's physical size.
  const dpi = 300;
  const w = Math.round((req.width_cm / 2.54) * dpi);
  const h = Math.round((req.height_cm / 2.54) * dpi);
  const img = new Image();
  const url = URL.createObjectURL(new Blob([msg.svg], { type: 'image/svg+xml' }));
  await new Promise((ok, fail) => {
    img.onload = ok;
    img.onerror = () => fail(new Error('could not rasterise the figure'));
    img.src = url;
  });
  const canvas = document.createElement('canvas');
  canvas.width = w;
  canvas.height = h;
  const ctx = canvas.getContext('2d');
  ctx.fillStyle = '#fff';
  ctx.fillRect(0, 0, w, h);
  ctx.drawImage(img, 0, 0, w, h);
  URL.revokeObjectURL(url);
  const blob = await new Promise((ok) => canvas.toBlob(ok, 'image/png'));
  download(await setPngDpi(blob, dpi), `${base}-km.png`);
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
  $('#file').addEventListener('change', (e) => loadFile(e.target.files[0]).catch(showError));
  $('#roles-form').addEventListener('change', scheduleAnalyze);
  $('#roles-form').addEventListener('input', (e) => {
    if (e.target.id === 'times') scheduleAnalyze();
  });
  $('#roles-form').addEventListener('submit', (e) => e.preventDefault());
  $('#preset').addEventListener('change', async () => {
    const { presets } = await request({ type: 'presets' });
    const p = presets.find((x) => x.id === $('#preset').value);
    if (!p) return;
    applySpecPatch(p.spec);
    renderRoles();
    scheduleAnalyze();
  });
  for (const b of document.querySelectorAll('[data-export]')) {
    b.addEventListener('click', () => exportFigure(b.dataset.export).catch(showError));
  }
}

async function main() {
  startWorker();
  wire();
  request({ type: 'version' }).then((m) => ($('#version').textContent = m.version), () => {});
  const examples = await (await fetch('data/examples.json')).json();
  const sel = $('#example-name');
  sel.replaceChildren(...examples.map((e, i) => el('option', { value: i, text: e.title })));
  $('#example').addEventListener('click', () => loadExample(examples[Number(sel.value)]).catch(showError));
  // Open with the first example already analysed.
  const params = new URLSearchParams(location.search);
  if (!params.has('empty')) await loadExample(examples[0]).catch(showError);
}

main().catch(showError);
