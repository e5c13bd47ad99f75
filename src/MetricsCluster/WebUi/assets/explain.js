// The explain view: the query as the parser reads it, each selector with the time range it fetched, the series
// and samples it loaded, and the time per stage, from the query API's stats=explain.
'use strict';
window.MC = window.MC || {};
(function () {
  const MC = window.MC;
  const el = (...a) => MC.el(...a);
  const ms = s => `${(s * 1000).toFixed(2)} ms`;
  const iso = t => new Date(t).toISOString().replace('.000Z', 'Z');

  function duration(msSpan) {
    const s = Math.round(msSpan / 1000);
    if (s % 3600 === 0 && s >= 3600) return `${s / 3600}h`;
    if (s % 60 === 0 && s >= 60) return `${s / 60}m`;
    return `${s}s`;
  }

  MC.runExplain = async (out, info, state) => {
    const span = /^(\d+)([smhdw])$/.exec(state.range);
    const unit = { s: 1, m: 60, h: 3600, d: 86400, w: 604800 };
    const end = state.end !== null ? state.end : Date.now() / 1000;
    const rangeSec = span ? parseInt(span[1], 10) * unit[span[2]] : 3600;
    const step = Math.max(1, Math.ceil(rangeSec / 250));
    const params = new URLSearchParams({ query: state.expr, start: String(end - rangeSec), end: String(end), step: String(step), stats: 'explain' });
    const [formatted, j] = await Promise.all([
      MC.json('/prometheus/api/v1/format_query?' + new URLSearchParams({ query: state.expr })).then(f => f.data),
      MC.json('/prometheus/api/v1/query_range?' + params),
    ]);
    const stats = j.data.stats;
    if (!stats) {
      info.textContent = '';
      out.append(el('p', { class: 'notice' }, 'This querier reports no stats for the query.'));
      return;
    }
    const t = stats.timings;
    const ex = stats.explain || { selectors: [], parseTime: 0, storageTime: 0 };
    info.textContent = `range query over ${duration(rangeSec * 1000)}, step ${step}s, ${j.data.result.length} series in the result`;
    out.append(
      el('h3', {}, 'Query'), el('pre', { id: 'explain-query' }, formatted),
      el('h3', {}, 'Time per stage'),
      MC.table(['Stage', 'Time'], [
        ['Parse (timed separately)', ms(ex.parseTime)],
        ['Storage: select, stream and decode (queryPreparationTime)', ms(t.queryPreparationTime)],
        ['Evaluation without storage (innerEvalTime)', ms(t.innerEvalTime)],
        ['Total (execTotalTime)', ms(t.execTotalTime)],
      ]),
      el('h3', {}, 'Selectors'),
      el('p', { class: 'muted' }, `${stats.samples.totalQueryableSamples} samples loaded in all. Each selector fetches the evaluation range widened by the lookback delta, its range and offset.`),
      MC.table(['Matchers', 'Fetched from', 'to', 'Span', 'Hint', 'Series', 'Samples', 'Storage time'],
        ex.selectors.map(s => [s.matchers, iso(s.minTime), iso(s.maxTime), duration(s.maxTime - s.minTime + 1), s.func || '', s.series, s.samples, ms(s.storageTime)])),
      el('h3', {}, 'Ingesters and store-gateways asked'),
      (ex.asked || []).length === 0
        ? el('p', { class: 'muted' }, 'None: every selector was answered without reading storage.')
        : MC.table(['Component', 'Instance', 'Calls'], ex.asked.map(a => [a.component, a.instance, a.calls])),
      el('p', { class: 'muted' }, 'A call is one read of one instance (a replica, or a retry of a block on another store-gateway); "this process" is the in-process component of a single-process deployment.'));
  };
})();
