// The Spec form: endpoints and event coding, groups, covariates, options; read back into the Spec.
import { $, byId, el, fid, fillSelect } from './dom.js';
import { request } from './engine.js';
import { warningNode } from './results.js';
import { state } from './state.js';

export const UNITS = [
  { value: 'days', text: 'days' }, { value: 'weeks', text: 'weeks' },
  { value: 'months', text: 'months' }, { value: 'years', text: 'years' },
];

/** Values of a column from the engine (cached); re-renders the roles when they arrive. */
export function columnValues(column) {
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
/** The engine's event coding rows ({value, spellings, meaning, count}) as a map from
 *  each spelling (lower case) to its meaning. */
export function codingFromRows(rows) {
  const out = new Map();
  for (const r of rows || []) {
    for (const v of [r.value, ...(r.spellings || [])]) out.set(String(v).trim().toLowerCase(), r.meaning);
  }
  return out;
}

export function endpointBlock(ep, i, names, dateNames) {
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
    // "Not stated" is a choice: the times are used as given ("the file's units").
    fillSelect(unit, UNITS, ep.time_unit || '', 'not stated (the file\'s units)');
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
    const guess = codingFromRows(sentence ? reportEp.event_codes : []);
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

export function isNumericKind(kind) {
  return /num|int|float/i.test(String(kind));
}

export function renderRoles() {
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
  fillSelect($('#weights-col'), names, spec.weights || '', '(none)');
  fillSelect($('#cluster-col'), names, spec.cluster || '', '(none)');
  $('#row-filter').value = (spec.filter || []).map((f) => `${f.column} ${f.op} ${f.value}`).join('; ');

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
    // Term × stratum interaction (R: x + x:strata(g) + strata(g)), only with strata.
    if (spec.strata?.column) {
      const on = (spec.cox?.strata_interactions || []).includes(v.label || c.name);
      row.append(el('label', { class: 'check' }, el('input', { type: 'checkbox', id: `covstr-${k}`, checked: on }), ' effect differs by stratum'));
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

export const numberList = (text) => text.split(/[;\s,]+/).filter(Boolean).map(Number).filter((x) => Number.isFinite(x));

export const optNumber = (text) => (text.trim() === '' || !Number.isFinite(Number(text)) ? null : Number(text));

/** "age >= 18; arm != placebo" as the Spec's row filter (the engine checks the
 *  columns and values); a condition it cannot split is reported, not dropped. */
export function readFilter(text, incomplete) {
  const out = [];
  for (const part of text.split(';').map((x) => x.trim()).filter(Boolean)) {
    const m = /^(.+?)\s*(==|!=|<=|>=|<|>|=)\s*(.+)$/.exec(part);
    if (!m) {
      incomplete.push(`Write the row filter “${part}” as column, comparison, value (e.g. age >= 18).`);
      continue;
    }
    out.push({ column: m[1].trim(), op: m[2] === '=' ? '==' : m[2], value: m[3].trim() });
  }
  return out;
}

/** Reads the form into the Spec (the user's choices only; the engine validates). */
export function readRoles() {
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
  spec.weights = $('#weights-col').value || null;
  spec.cluster = $('#cluster-col').value || null;
  spec.filter = readFilter($('#row-filter').value, incomplete);
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
  spec.cox.strata_interactions = spec.strata
    ? cols.filter((c, k) => byId(`cov-${k}`)?.checked && byId(`covstr-${k}`)?.checked).map((c) => old.get(c.name)?.label || c.name)
    : [];
  if (!same) {
    spec.cox.covariates = [];
    spec.cox.univariable = [];
  }
}

export function figureOptions() {
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
    one_minus_survival: byId('fig-cuminc').checked,
    monochrome: byId('fig-mono').checked,
  };
}
