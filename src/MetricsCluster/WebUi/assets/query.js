// The query page: an expression box with autocomplete of metric and label names, and table, graph and
// explain views of the result.
'use strict';
window.MC = window.MC || {};
(function () {
  const MC = window.MC;
  MC.pages = MC.pages || {};
  const el = (...a) => MC.el(...a);

  // Kept across page switches and tenant changes, so switching the tenant re-runs the same query.
  const state = MC.queryState = { expr: '', tab: 'graph', range: '1h', end: null, stacked: false, zoomStack: [] };

  const FUNCTIONS = ['abs', 'absent', 'absent_over_time', 'avg', 'avg_over_time', 'ceil', 'changes', 'clamp', 'clamp_max', 'clamp_min',
    'count', 'count_over_time', 'count_values', 'day_of_month', 'day_of_week', 'delta', 'deriv', 'exp', 'floor', 'group',
    'histogram_quantile', 'holt_winters', 'idelta', 'increase', 'irate', 'label_join', 'label_replace', 'last_over_time', 'ln',
    'log10', 'log2', 'max', 'max_over_time', 'min', 'min_over_time', 'predict_linear', 'present_over_time', 'quantile',
    'quantile_over_time', 'rate', 'resets', 'round', 'scalar', 'sort', 'sort_desc', 'sqrt', 'stddev', 'stddev_over_time',
    'stdvar', 'sum', 'sum_over_time', 'time', 'timestamp', 'topk', 'bottomk', 'vector', 'without', 'by', 'on', 'ignoring',
    'group_left', 'group_right', 'offset'];

  // Names per tenant, fetched once and dropped when the tenant changes.
  let names = null;
  MC.tenantChanged = () => { names = null; state.zoomStack = []; };
  function loadNames() {
    if (!names) {
      names = Promise.all([
        MC.json('/prometheus/api/v1/label/__name__/values').then(j => j.data).catch(() => []),
        MC.json('/prometheus/api/v1/labels').then(j => j.data).catch(() => []),
      ]).then(([metrics, labels]) => ({ metrics, labels }));
    }
    return names;
  }

  const DURATION = /^(\d+(?:\.\d+)?)(ms|s|m|h|d|w)$/;
  const UNIT = { ms: 0.001, s: 1, m: 60, h: 3600, d: 86400, w: 604800 };
  function seconds(text) {
    const m = DURATION.exec(text.trim());
    return m ? parseFloat(m[1]) * UNIT[m[2]] : null;
  }

  function setupAutocomplete(input, list, run) {
    let items = [];
    let selected = -1;
    const hide = () => { list.replaceChildren(); list.hidden = true; items = []; selected = -1; };
    const accept = i => {
      const caret = input.selectionStart;
      const before = input.value.slice(0, caret);
      const word = /[A-Za-z_:][A-Za-z0-9_:]*$/.exec(before);
      const start = word ? caret - word[0].length : caret;
      input.value = input.value.slice(0, start) + items[i].text + input.value.slice(caret);
      input.selectionStart = input.selectionEnd = start + items[i].text.length;
      hide();
      input.focus();
    };
    const paint = () => {
      list.replaceChildren(...items.map((it, i) => el('li', {
        class: i === selected ? 'sel' : undefined,
        onmousedown: ev => { ev.preventDefault(); accept(i); },
      }, it.text, el('span', { class: 'kind' }, it.kind))));
      list.hidden = items.length === 0;
    };
    input.addEventListener('input', async () => {
      const before = input.value.slice(0, input.selectionStart);
      const word = /[A-Za-z_:][A-Za-z0-9_:]*$/.exec(before);
      if (!word) { hide(); return; }
      const prefix = word[0];
      const inBraces = (before.split('{').length - 1) > (before.split('}').length - 1);
      const inBy = /\b(by|without|on|ignoring)\s*\([^)]*$/.test(before);
      const n = await loadNames();
      const pool = inBraces || inBy
        ? n.labels.map(t => ({ text: t, kind: 'label' }))
        : n.metrics.map(t => ({ text: t, kind: 'metric' })).concat(FUNCTIONS.map(t => ({ text: t, kind: 'function' })));
      const lower = prefix.toLowerCase();
      const starts = pool.filter(c => c.text.toLowerCase().startsWith(lower) && c.text !== prefix);
      const contains = pool.filter(c => !c.text.toLowerCase().startsWith(lower) && c.text.toLowerCase().includes(lower));
      items = starts.concat(contains).slice(0, 30);
      selected = items.length ? 0 : -1;
      paint();
    });
    input.addEventListener('keydown', ev => {
      if (items.length && (ev.key === 'ArrowDown' || ev.key === 'ArrowUp')) {
        selected = (selected + (ev.key === 'ArrowDown' ? 1 : items.length - 1)) % items.length;
        paint();
        ev.preventDefault();
      } else if (items.length && (ev.key === 'Tab' || ev.key === 'Enter') && selected >= 0) {
        accept(selected);
        ev.preventDefault();
      } else if (ev.key === 'Escape') {
        hide();
      } else if (ev.key === 'Enter' && !ev.shiftKey) {
        ev.preventDefault();
        run();
      }
    });
    input.addEventListener('blur', () => setTimeout(hide, 150));
    hide();
  }

  MC.pages.query = main => {
    const input = el('textarea', { id: 'expr', rows: 2, spellcheck: 'false', placeholder: 'Expression (Enter runs it, Shift+Enter adds a line)' });
    input.value = state.expr;
    const suggest = el('ul', { id: 'suggest' });
    const range = el('input', { id: 'range', size: 6, value: state.range, title: 'Graph range: 30s, 15m, 1h, 1d' });
    const end = el('input', { id: 'end', type: 'datetime-local', step: 1, title: 'End of the graph and time of the table (empty: now)' });
    if (state.end) end.value = toLocalInput(state.end);
    const stacked = el('input', { id: 'stacked', type: 'checkbox' });
    stacked.checked = state.stacked;
    const info = el('span', { id: 'result-info', class: 'muted' });
    const out = el('div', { id: 'result' });
    const tabs = el('div', { class: 'tabs' }, ['table', 'graph', 'explain'].map(t => el('button', {
      type: 'button', id: 'tab-' + t, class: state.tab === t ? 'active' : undefined,
      onclick: () => { state.tab = t; for (const b of tabs.children) b.classList.toggle('active', b.id === 'tab-' + t); run(); },
    }, t[0].toUpperCase() + t.slice(1))));
    const resetZoom = el('button', { type: 'button', id: 'reset-zoom', hidden: state.zoomStack.length === 0, onclick: () => {
      const prev = state.zoomStack.pop();
      if (prev) { state.range = prev.range; state.end = prev.end; range.value = prev.range; end.value = prev.end ? toLocalInput(prev.end) : ''; }
      resetZoom.hidden = state.zoomStack.length === 0;
      run();
    } }, 'Reset zoom');

    async function run() {
      state.expr = input.value.trim();
      state.range = range.value.trim() || '1h';
      state.end = end.value ? new Date(end.value).getTime() / 1000 : null;
      state.stacked = stacked.checked;
      if (!state.expr) { out.replaceChildren(); info.textContent = ''; return; }
      info.textContent = 'Running…';
      out.replaceChildren();
      const began = performance.now();
      try {
        if (state.tab === 'table') await runTable(out, info);
        else if (state.tab === 'graph') await runGraph(out, info, zoomTo);
        else await MC.runExplain(out, info, state);
        info.textContent += ` (${Math.round(performance.now() - began)} ms)`;
      } catch (e) {
        info.textContent = '';
        out.replaceChildren(MC.error(e));
      }
    }

    function zoomTo(t0, t1) {
      state.zoomStack.push({ range: state.range, end: state.end });
      state.end = t1;
      state.range = Math.max(1, Math.round(t1 - t0)) + 's';
      range.value = state.range;
      end.value = toLocalInput(t1);
      resetZoom.hidden = false;
      run();
    }

    setupAutocomplete(input, suggest, run);
    stacked.addEventListener('change', run);
    main.append(
      el('div', { class: 'expr-box' }, input, suggest),
      el('div', { class: 'row' },
        el('button', { type: 'button', id: 'execute', onclick: run }, 'Execute'), tabs,
        el('label', {}, 'Range ', range), el('label', {}, 'End ', end),
        el('label', {}, stacked, ' Stacked'), resetZoom, info),
      out);
    if (state.expr) run();
    else input.focus();
  };

  function toLocalInput(sec) {
    const d = new Date(sec * 1000);
    return new Date(d.getTime() - d.getTimezoneOffset() * 60000).toISOString().slice(0, 19);
  }

  const nowSec = () => state.end !== null ? state.end : Date.now() / 1000;

  async function runTable(out, info) {
    const params = new URLSearchParams({ query: state.expr, time: String(nowSec()) });
    const j = await MC.json('/prometheus/api/v1/query?' + params);
    const d = j.data;
    let rows;
    if (d.resultType === 'vector') rows = d.result.map(s => [MC.labelsText(s.metric), s.value[1]]);
    else if (d.resultType === 'matrix') rows = d.result.map(s => [MC.labelsText(s.metric), (s.values || []).map(v => `${v[1]} @${v[0]}`).join('\n')]);
    else rows = [[d.resultType, d.result[1]]];
    info.textContent = `${d.resultType}, ${rows.length} ${d.resultType === 'vector' || d.resultType === 'matrix' ? 'series' : 'value'}`;
    out.append(MC.table(['Series', 'Value'], rows));
    warnings(out, j);
  }

  async function runGraph(out, info, onZoom) {
    const span = seconds(state.range);
    if (!span) throw new Error(`bad range "${state.range}": use a number and a unit, like 30s, 15m, 1h or 2d`);
    const endT = nowSec();
    const start = endT - span;
    // About 250 points across the graph, at least one a second (the API caps a range at 11,000 points).
    const step = Math.max(1, Math.ceil(span / 250));
    const params = new URLSearchParams({ query: state.expr, start: String(start), end: String(endT), step: String(step) });
    const j = await MC.json('/prometheus/api/v1/query_range?' + params);
    const series = j.data.result;
    info.textContent = `${series.length} series, step ${step}s`;
    const wrap = el('div', { class: 'graph-wrap', id: 'graph', 'data-series-count': series.length });
    out.append(wrap);
    MC.drawGraph(wrap, series, { start, end: endT, step, stacked: state.stacked, onZoom });
    warnings(out, j);
  }

  function warnings(out, j) {
    for (const w of (j.warnings || []).concat(j.infos || [])) out.append(el('p', { class: 'muted' }, w));
  }

  // Replaced by explain.js when present.
  MC.runExplain = MC.runExplain || (async (out, info) => { info.textContent = ''; out.append(el('p', { class: 'notice' }, 'No explain view in this build.')); });
})();
