// The page: DOM only. Every number, table cell and figure comes from the Rust engine in
// the Web Worker (worker.js); this module reads the user's choices into a Spec, sends
// it, and shows the Report it gets back. No statistics and no option logic here.
import { $, byId, el, fid, fillSelect } from './js/dom.js';
import { request, startWorker } from './js/engine.js';
import { downloadRScript, loadSpec, saveSpec } from './js/export.js';
import { readRoles, renderRoles } from './js/form.js';
import { applySpecPatch, loadBytes, loadExample, loadFile } from './js/input.js';
import { cancel, scheduleAnalyze, selectTab } from './js/results.js';
import { showError, state } from './js/state.js';

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
  // The drop zone and controls now listen: tests (and anything scripting the page) wait
  // for this mark, since WebKitWebDriver can hand back a page before its modules ran.
  document.documentElement.dataset.wired = 'true';
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
