// DOM helpers shared by every module: element lookup and creation, selects.
export const $ = (sel) => document.querySelector(sel);

export const byId = (id) => document.getElementById(id);


export function el(tag, attrs = {}, ...children) {
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

export function slug(s) {
  return String(s || '').toLowerCase().replace(/[^a-z0-9]+/g, '-').replace(/^-|-$/g, '') || 'endpoint';
}

export const escapeHtml = (s) => String(s).replace(/[&<>"]/g, (c) => ({ '&': '&amp;', '<': '&lt;', '>': '&gt;', '"': '&quot;' })[c]);

export function fillSelect(select, values, selected, blank) {
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

export const fid = (base, i) => (i === 0 ? base : `${base}-${i}`);
