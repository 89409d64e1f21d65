// The Web Worker that owns the WebAssembly module. The page never blocks on it: every
// computation happens here, and the page only sends Specs and receives Reports (JSON).
// No statistics here either: this file only routes messages to the Rust engine.
import init, * as wasm from './pkg/survkit_wasm.js';

const ready = init().catch((err) => {
  throw new Error(`The analysis engine could not start in this browser (${err && err.message ? err.message : err}). Reload the page; if this persists, use a current Chrome, Edge, Firefox or Safari, which all run WebAssembly.`);
});
let session = null;
// Id of the analysis whose Report the session holds (tables, figures and the R script
// are rendered from that Report in Rust memory, never from its JSON again).
let reportId = null;

function reply(id, type, payload, transfer) {
  self.postMessage({ id, type, ...payload }, transfer || []);
}

/** A figure request for one figure: the forest plot's height follows its rows. */
function figureRequest(figure, kind, endpoint) {
  const req = { ...(figure || {}), kind, endpoint };
  if (kind === 'forest') delete req.height_cm;
  return req;
}

/** Every figure the page shows for each endpoint; a figure that cannot be drawn
 *  (e.g. a forest plot without a Cox model) comes back as its error message. */
function figures(parsed, figure) {
  return parsed.endpoints.map((ep, i) => {
    const out = {};
    const kinds = ['km', 'cumhaz', 'loglog'];
    if (ep.cox) kinds.push('forest');
    if (ep.cox && ep.cox.zph) kinds.push('schoenfeld');
    for (const kind of kinds) {
      try {
        out[kind] = { svg: session.figure_svg(JSON.stringify(figureRequest(figure, kind, i))) };
      } catch (err) {
        out[kind] = { error: err && err.message ? err.message : String(err) };
      }
    }
    return out;
  });
}

/** Makes sure the session holds the Report the page shows (`msg.reportId`). After a
 *  restart, or when a newer analysis failed, the page sends that Report's Spec once
 *  (`msg.spec`) and it is run again, which gives the same Report. */
function holdReport(msg) {
  if (!session) throw new Error('No file is loaded yet.');
  if (msg.reportId != null && msg.reportId === reportId) return;
  if (!msg.spec) {
    const err = new Error('The engine no longer holds these results.');
    err.staleReport = true;
    throw err;
  }
  session.analyze(JSON.stringify(msg.spec));
  reportId = msg.reportId;
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
        reportId = null;
        reply(id, 'progress', { message: `Reading ${msg.name} (${(msg.bytes.byteLength / 1e6).toFixed(1)} MB)…` });
        session = new wasm.Session(new Uint8Array(msg.bytes), msg.name, JSON.stringify(msg.importOptions || {}));
        reply(id, 'loaded', {
          summary: JSON.parse(session.summary(10)),
          spec: JSON.parse(session.default_spec()),
        });
        break;
      }
      case 'values': {
        if (!session) throw new Error('No file is loaded yet.');
        reply(id, 'values', { values: JSON.parse(session.values(msg.column, 50)) });
        break;
      }
      case 'analyze': {
        if (!session) throw new Error('No file is loaded yet.');
        reply(id, 'progress', { message: 'Computing the estimates…' });
        // Tests only (page URL ?test-delay-ms=N): make the job long enough to cancel,
        // however fast the engine is on the test machine.
        if (msg.delayMs) await new Promise((ok) => setTimeout(ok, msg.delayMs));
        reportId = null;
        const report = session.analyze(JSON.stringify(msg.spec));
        reportId = id;
        const parsed = JSON.parse(report);
        reply(id, 'progress', { message: 'Drawing the figures…' });
        reply(id, 'report', {
          report: parsed,
          reportJson: report,
          reportId: id,
          tables: JSON.parse(session.tables()),
          figures: figures(parsed, msg.figure),
        });
        break;
      }
      case 'figure': {
        holdReport(msg);
        const request = JSON.stringify(figureRequest(msg.request, msg.request.kind, msg.request.endpoint));
        if (msg.request.format === 'pdf') {
          const bytes = session.figure_pdf(request);
          reply(id, 'figure', { bytes }, [bytes.buffer]);
        } else {
          reply(id, 'figure', { svg: session.figure_svg(request) });
        }
        break;
      }
      case 'table-text':
        holdReport(msg);
        reply(id, 'table-text', { text: session.table_text(msg.table, msg.format) });
        break;
      case 'r-script':
        holdReport(msg);
        reply(id, 'r-script', { text: session.r_script(msg.fileName) });
        break;
      case 'presets':
        reply(id, 'presets', { presets: JSON.parse(wasm.presets()) });
        break;
      default:
        throw new Error(`unknown request ${type}`);
    }
  } catch (err) {
    // A trap (Rust panic) leaves the module unusable: tell the page to start a new worker.
    const fatal = err instanceof WebAssembly.RuntimeError;
    // The engine's errors carry their kind (e.g. unmapped-event-values with the values
    // and the endpoint) beside the message, so the page can act on it.
    let kind = null;
    try { kind = err && err.survkit ? JSON.parse(err.survkit) : null; } catch { kind = null; }
    reply(id, 'error', { message: err && err.message ? err.message : String(err), fatal, staleReport: !!(err && err.staleReport), kind });
  }
};
