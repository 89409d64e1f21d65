// The Web Worker that owns the WebAssembly module. The page never blocks on it: every
// computation happens here, and the page only sends Specs and receives Reports (JSON).
// No statistics here either: this file only routes messages to the Rust engine.
import init, * as wasm from './pkg/survkit_wasm.js';

const ready = init();
let session = null;

function reply(id, type, payload, transfer) {
  self.postMessage({ id, type, ...payload }, transfer || []);
}

self.onmessage = async (event) => {
  const msg = event.data;
  const { id, type } = msg;
  try {
    await ready;
    switch (type) {
      case 'version':
        reply(id, 'version', { version: wasm.version() });
        break;
      case 'load': {
        if (session) session.free();
        session = null;
        reply(id, 'progress', { message: `Reading ${msg.name} (${(msg.bytes.byteLength / 1e6).toFixed(1)} MB)…` });
        session = new wasm.Session(new Uint8Array(msg.bytes), msg.name, JSON.stringify(msg.importOptions || {}));
        reply(id, 'loaded', {
          summary: JSON.parse(session.summary(10)),
          spec: JSON.parse(session.default_spec()),
        });
        break;
      }
      case 'analyze': {
        if (!session) throw new Error('No file is loaded yet.');
        const report = session.analyze(JSON.stringify(msg.spec));
        const figures = {};
        const parsed = JSON.parse(report);
        figures.km = parsed.endpoints.map((_, i) =>
          wasm.figure_svg(report, JSON.stringify({ kind: 'km', endpoint: i, ...(msg.figure || {}) })));
        reply(id, 'report', { report: parsed, reportJson: report, tables: JSON.parse(wasm.tables(report)), figures });
        break;
      }
      case 'figure': {
        const request = JSON.stringify(msg.request);
        if (msg.request.format === 'pdf') {
          const bytes = wasm.figure_pdf(msg.reportJson, request);
          reply(id, 'figure', { bytes }, [bytes.buffer]);
        } else {
          reply(id, 'figure', { svg: wasm.figure_svg(msg.reportJson, request) });
        }
        break;
      }
      case 'presets':
        reply(id, 'presets', { presets: JSON.parse(wasm.presets()) });
        break;
      default:
        throw new Error(`unknown request ${type}`);
    }
  } catch (err) {
    // A trap (Rust panic) leaves the module unusable: tell the page to start a new worker.
    const fatal = err instanceof WebAssembly.RuntimeError;
    reply(id, 'error', { message: err && err.message ? err.message : String(err), fatal });
  }
};
