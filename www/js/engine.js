// The bridge to the Web Worker that owns the wasm engine: requests, restarts, cancel.
import { $ } from './dom.js';
import { state } from './state.js';

let worker = null;

let nextId = 1;

export const pending = new Map();

export class Cancelled extends Error {}

export function startWorker() {
  worker = new Worker(new URL('../worker.js', import.meta.url), { type: 'module' });
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
        const err = new Error(msg.message);
        if (msg.staleReport) err.staleReport = true;
        if (msg.kind) err.kind = msg.kind; // {kind: 'unmapped-event-values', endpoint, column, values, ...}
        job.reject(err);
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

export function failAll(err) {
  for (const job of pending.values()) job.reject(err);
  pending.clear();
}

/** Stops whatever the worker is doing (terminate) and starts a fresh one with the file. */
export function restartWorker() {
  if (worker) worker.terminate();
  failAll(new Cancelled('cancelled'));
  startWorker();
  if (state.bytes) {
    // The new worker has no file: load it again (a copy, the original stays with us).
    request({ type: 'load', bytes: state.bytes.slice(0), name: state.name, importOptions: state.importOptions }).catch(() => {});
  }
}

export function request(msg, transfer) {
  const id = nextId++;
  const promise = new Promise((resolve, reject) => {
    pending.set(id, { resolve, reject });
    worker.postMessage({ ...msg, id }, transfer || []);
  });
  promise.requestId = id;
  return promise;
}

/** A request about the Report on screen (a figure, a table's text, the R script): the
 *  worker renders it from the Report it holds; only when it no longer holds that one
 *  (restarted, or a newer analysis failed) is the Report's Spec sent, to run again. */
export async function reportRequest(msg) {
  try {
    return await request({ ...msg, reportId: state.reportId });
  } catch (err) {
    if (!err.staleReport) throw err;
    return request({ ...msg, reportId: state.reportId, spec: state.report && state.report.spec });
  }
}
