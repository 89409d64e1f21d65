// Running the analysis and showing its results: tables, figures, warnings, tabs.
import { $, byId, el, escapeHtml, fid } from './dom.js';
import { Cancelled, request, restartWorker } from './engine.js';
import { copyTable, download, downloadTable, exportFigure } from './export.js';
import { figureOptions, readRoles, renderRoles } from './form.js';
import { setStatus, showBusy, showError, state, TEST_DELAY_MS } from './state.js';

/** A table from the engine: {id, title, columns, rows, note}, with copy/CSV/Markdown. */
export function renderTable(t) {
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

/** Formatted HTML that Word and Google Docs keep as a table (inline styles only). */
export function tableHtml(t) {
  const cell = 'border-top:1px solid #000;border-bottom:1px solid #000;padding:2pt 6pt;text-align:left;';
  const td = 'padding:2pt 6pt;text-align:left;';
  const head = t.columns.map((c) => `<th style="${cell}">${escapeHtml(c)}</th>`).join('');
  const body = t.rows.map((r) => `<tr>${r.map((c) => `<td style="${td}">${escapeHtml(c)}</td>`).join('')}</tr>`).join('');
  const note = t.note ? `<p style="font-size:9pt">${escapeHtml(t.note)}</p>` : '';
  return `<table style="border-collapse:collapse;font-family:Arial,sans-serif;font-size:10pt">` +
    `${t.title ? `<caption style="text-align:left;font-weight:bold">${escapeHtml(t.title)}</caption>` : ''}` +
    `<thead><tr>${head}</tr></thead><tbody>${body}</tbody></table>${note}`;
}

let timer = null;

export function scheduleAnalyze(delay = 150) {
  document.body.dataset.busy = '1';
  clearTimeout(timer);
  timer = setTimeout(() => {
    timer = null;
    analyze().catch(showError);
  }, delay);
}

/** For tests and assistive tools: body[data-busy] is 1 while an analysis is due. */
export function markIdle() {
  document.body.dataset.busy = timer || state.running ? '1' : '0';
}

export async function analyze() {
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
  state.reportId = msg.reportId;
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

export function cancel() {
  if (!state.running) return;
  state.latest++;
  state.running = null;
  showBusy(false);
  restartWorker();
  markIdle();
  setStatus('Cancelled. Change an option to analyse again.');
}


export const FIGURES = {
  km: 'Kaplan–Meier curves',
  forest: 'Forest plot (multivariable Cox model)',
  cumhaz: 'Cumulative hazard (Nelson–Aalen)',
  loglog: 'log(−log S) against log time (proportional hazards check)',
  schoenfeld: 'Scaled Schoenfeld residuals (proportional hazards check)',
};

export function figureBlock(i, kind, fig) {
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
export function warningSlot(w) {
  const c = w.context || '';
  if (c.startsWith('cox')) return 'cox';
  if (c.startsWith('univariable')) return 'cox';
  if (c.startsWith('km') || c.startsWith('median') || c.startsWith('rmst')) return 'medians';
  if (c.startsWith('test') || c.startsWith('pairwise') || c.startsWith('trend') || c.startsWith('hazard')) return 'tests';
  if (c.startsWith('followup')) return 'followup';
  if (c.startsWith('data')) return 'data';
  return 'top';
}

export function warningNode(w) {
  return el('p', { class: 'warning', 'data-code': w.code, 'data-context': w.context || '' }, el('span', { 'aria-hidden': 'true', text: '⚠ ' }), el('span', { class: 'visually-hidden', text: 'Warning: ' }), w.message);
}

export function renderEndpoint(i) {
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

export function renderResults() {
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

export function selectTab(i, focus = false) {
  state.activeEndpoint = i;
  document.querySelectorAll('#ep-tabs [role="tab"]').forEach((t, k) => {
    t.setAttribute('aria-selected', String(k === i));
    t.tabIndex = k === i ? 0 : -1;
    if (k === i && focus) t.focus();
  });
  document.querySelectorAll('#ep-panels > .endpoint-results').forEach((p, k) => (p.hidden = k !== i));
}
