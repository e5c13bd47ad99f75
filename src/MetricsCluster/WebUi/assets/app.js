// The shell: the tenant field, fetch with X-Scope-OrgID, and the hash router over the pages.
'use strict';
(function () {
  const MC = window.MC;
  const TENANT_KEY = 'metricscluster.tenant';

  MC.tenant = () => localStorage.getItem(TENANT_KEY) || '';

  // Every request of the UI names the tenant chosen in the page.
  MC.fetch = (path, init) => {
    const headers = Object.assign({}, init && init.headers);
    const t = MC.tenant();
    if (t) headers['X-Scope-OrgID'] = t;
    return fetch(path, Object.assign({}, init, { headers }));
  };

  // Prometheus' envelope: the data, or an Error carrying errorType and error.
  MC.json = async (path, init) => {
    const r = await MC.fetch(path, init);
    const text = await r.text();
    let j;
    try { j = JSON.parse(text); } catch (e) { throw new Error(`${r.status} ${r.statusText}: ${text.trim()}`); }
    if (j && j.status === 'error') throw new Error(`${j.errorType}: ${j.error}`);
    if (!r.ok) throw new Error(`${r.status} ${r.statusText}`);
    return j;
  };

  MC.text = async path => {
    const r = await MC.fetch(path);
    const text = await r.text();
    if (!r.ok) throw new Error(`${r.status} ${r.statusText}: ${text.trim()}`);
    return text;
  };

  // Builds an element; strings become text nodes (never HTML), so data from the server cannot inject markup.
  MC.el = (tag, attrs, ...children) => {
    const e = document.createElement(tag);
    for (const [k, v] of Object.entries(attrs || {})) {
      if (v === undefined || v === null || v === false) continue;
      if (k.startsWith('on')) e.addEventListener(k.slice(2), v);
      else if (k === 'class') e.className = v;
      else e.setAttribute(k, v === true ? '' : v);
    }
    for (const c of children.flat()) {
      if (c === undefined || c === null || c === false) continue;
      e.append(c instanceof Node ? c : String(c));
    }
    return e;
  };

  MC.table = (headers, rows) => MC.el('table', {},
    MC.el('thead', {}, MC.el('tr', {}, headers.map(h => MC.el('th', {}, h)))),
    MC.el('tbody', {}, rows.map(r => MC.el('tr', {}, r.map(c => c instanceof Node ? MC.el('td', {}, c) :
      MC.el('td', { class: typeof c === 'number' ? 'num' : undefined }, c))))));

  MC.error = (e) => MC.el('p', { class: 'error' }, String(e && e.message || e));

  MC.labelsText = (metric) => {
    const name = metric.__name__ || '';
    const pairs = Object.keys(metric).filter(k => k !== '__name__').sort().map(k => `${k}=${JSON.stringify(metric[k])}`);
    return pairs.length ? `${name}{${pairs.join(', ')}}` : (name || '{}');
  };

  function route() {
    const name = (location.hash.replace(/^#\/?/, '').split('?')[0]) || 'query';
    const render = MC.pages[name] || MC.pages.query;
    for (const a of document.querySelectorAll('#nav a')) a.classList.toggle('active', a.getAttribute('href') === '#/' + name);
    const main = document.getElementById('page');
    main.replaceChildren();
    main.dataset.page = name;
    render(main);
  }

  MC.route = route;

  function initTenant() {
    const input = document.getElementById('tenant');
    input.value = MC.tenant();
    document.getElementById('tenant-form').addEventListener('submit', ev => {
      ev.preventDefault();
      const t = input.value.trim();
      if (t) localStorage.setItem(TENANT_KEY, t); else localStorage.removeItem(TENANT_KEY);
      MC.tenantChanged();
      route();
    });
  }

  window.addEventListener('hashchange', route);
  initTenant();
  route();
})();
