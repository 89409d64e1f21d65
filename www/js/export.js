// Export: copying tables, downloading tables, figures (SVG/PDF/PNG), the Spec and the R script.
import { $, el, slug } from './dom.js';
import { reportRequest, request } from './engine.js';
import { figureOptions, readRoles, renderRoles } from './form.js';
import { analyze, tableHtml } from './results.js';
import { baseName, setStatus, state } from './state.js';

export async function copyTable(t) {
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

export async function downloadTable(t, format) {
  const msg = await reportRequest({ type: 'table-text', table: t.id, format });
  const ext = format === 'csv' ? 'csv' : 'md';
  const type = format === 'csv' ? 'text/csv' : 'text/markdown';
  download(new Blob([msg.text], { type: `${type};charset=utf-8` }), `${baseName()}-${slug(t.id)}.${ext}`);
}

export function download(blob, name) {
  const a = el('a', { href: URL.createObjectURL(blob), download: name });
  document.body.append(a);
  a.click();
  a.remove();
  setTimeout(() => URL.revokeObjectURL(a.href), 10_000);
}

export async function exportFigure(kind, endpoint, format) {
  const ep = state.report.endpoints[endpoint];
  const name = `${baseName()}-${slug(ep?.name)}-${kind}`;
  const req = { ...figureOptions(), kind, endpoint, format };
  if (format === 'pdf') {
    const msg = await reportRequest({ type: 'figure', request: req });
    download(new Blob([msg.bytes], { type: 'application/pdf' }), `${name}.pdf`);
    return;
  }
  const msg = await reportRequest({ type: 'figure', request: { ...req, format: 'svg' } });
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
export async function setPngDpi(blob, dpi) {
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

export function crc32(data) {
  let c = ~0;
  for (const b of data) {
    c ^= b;
    for (let k = 0; k < 8; k++) c = (c >>> 1) ^ (0xedb88320 & -(c & 1));
  }
  return ~c >>> 0;
}

export function saveSpec() {
  if (!state.spec) return;
  readRoles();
  // The Spec holds column names and options only: never any data.
  const blob = new Blob([`${JSON.stringify(state.spec, null, 2)}\n`], { type: 'application/json' });
  download(blob, `${baseName()}-survkit-settings.json`);
  setStatus('Settings saved (column names and options only, no data).');
}

export async function loadSpec(file) {
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

export async function downloadRScript() {
  if (!state.reportJson) throw new Error('There are no results yet to reproduce: choose the endpoint first.');
  const msg = await reportRequest({ type: 'r-script', fileName: state.name || 'data.csv' });
  download(new Blob([msg.text], { type: 'text/plain;charset=utf-8' }), `${baseName()}-survkit.R`);
  setStatus('R script saved: put it next to your data file and run it in R (it needs the survival package).');
}
