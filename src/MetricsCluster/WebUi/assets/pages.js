// The status pages: targets, rules, alerts, rings, tenant stats, config and build info.
'use strict';
window.MC = window.MC || {};
(function () {
  const MC = window.MC;
  MC.pages = MC.pages || {};
  const el = (...a) => MC.el(...a);
  const fmtLabels = o => Object.keys(o || {}).sort().map(k => `${k}="${o[k]}"`).join(', ');

  async function load(main, title, body) {
    main.append(el('h2', {}, title));
    const slot = el('div', { class: 'muted' }, 'Loading…');
    main.append(slot);
    try {
      slot.replaceWith(await body());
    } catch (e) {
      slot.replaceWith(MC.error(e));
    }
  }

  MC.pages.targets = main => load(main, 'Targets', async () => {
    const j = await MC.json('/prometheus/api/v1/targets');
    const active = j.data.activeTargets || [];
    const dropped = j.data.droppedTargets || [];
    if (active.length === 0 && dropped.length === 0) {
      return el('p', { class: 'notice', id: 'no-targets' },
        'No scrape targets: the embedded agent does not run in this process (start it with --agent.config.file).');
    }
    const rows = active.map(t => [
      t.scrapePool,
      el('a', { href: t.scrapeUrl }, t.scrapeUrl),
      el('span', { class: t.health }, t.health),
      fmtLabels(t.labels),
      t.lastScrape && !t.lastScrape.startsWith('0001') ? new Date(t.lastScrape).toLocaleTimeString() : 'never',
      `${Math.round((t.lastScrapeDuration || 0) * 1000)} ms`,
      t.lastError || '']);
    return el('div', {},
      el('p', { class: 'muted' }, `${active.length} active, ${dropped.length} dropped. The agent writes to the tenant it was started with (--agent.tenant), not to the one chosen here.`),
      MC.table(['Pool', 'Endpoint', 'State', 'Labels', 'Last scrape', 'Duration', 'Error'], rows));
  });

  function noRuler(what, items) {
    return items.length === 0
      ? el('p', { class: 'notice', id: 'no-ruler' }, `No ruler yet: this build has no ruler, so there are no ${what}. The API answers Prometheus' empty shape so Grafana's alerting views work.`)
      : el('pre', {}, JSON.stringify(items, null, 2));
  }

  MC.pages.rules = main => load(main, 'Rules', async () => noRuler('rule groups', (await MC.json('/prometheus/api/v1/rules')).data.groups));
  MC.pages.alerts = main => load(main, 'Alerts', async () => noRuler('alerts', (await MC.json('/prometheus/api/v1/alerts')).data.alerts));

  // The rings' own pages are server-rendered HTML; each one this process serves is shown in a frame.
  MC.pages.ring = main => load(main, 'Rings', async () => {
    const out = el('div', {});
    for (const path of ['/ingester/ring', '/store-gateway/ring', '/compactor/ring']) {
      const r = await fetch(path);
      out.append(el('h3', {}, el('a', { href: path }, path)));
      out.append(r.ok ? el('iframe', { class: 'ring', src: path, title: path }) : el('p', { class: 'muted' }, `Not served by this process (${r.status}).`));
    }
    return out;
  });

  const LIMIT_FLAGS = ['distributor.ingestion-rate-limit', 'distributor.ingestion-burst-size', 'ingester.max-global-series-per-user',
    'validation.past-grace-period', 'validation.create-grace-period', 'validation.max-label-names-per-series',
    'validation.max-length-label-name', 'validation.max-length-label-value', 'compactor.blocks-retention-period'];

  MC.pages.tenants = main => load(main, 'Tenant stats', async () => {
    const out = el('div', {});
    const r = await MC.fetch('/distributor/all_user_stats');
    if (r.ok) {
      const stats = await r.json();
      out.append(MC.table(['Tenant', 'Series (head)', 'Ingestion rate (samples/s)', 'Samples ingested'],
        stats.map(s => [s.userID, s.numSeries, Number(s.ingestionRate.toFixed(2)), s.samplesIngested])));
    } else {
      out.append(el('p', { class: 'muted' }, `No distributor in this process (/distributor/all_user_stats: ${r.status}).`));
    }
    const flags = (await MC.json('/prometheus/api/v1/status/flags')).data;
    out.append(el('h3', {}, 'Limits'), el('p', { class: 'muted' }, 'Every tenant gets these defaults (no per-tenant overrides are configured).'));
    out.append(MC.table(['Flag', 'Value'], LIMIT_FLAGS.filter(f => f in flags).map(f => ['--' + f, flags[f]])));
    const t = MC.tenant() || '(none)';
    out.append(el('h3', {}, `Cardinality of tenant ${t}`));
    try {
      const tsdb = (await MC.json('/prometheus/api/v1/status/tsdb')).data;
      const h = tsdb.headStats;
      out.append(MC.table(['Series', 'Label pairs', 'Chunks', 'Min time', 'Max time'],
        [[h.numSeries, h.numLabelPairs, h.chunkCount, h.numSeries ? new Date(h.minTime).toISOString() : '-', h.numSeries ? new Date(h.maxTime).toISOString() : '-']]));
      out.append(MC.table(['Top metric names', 'Series'], tsdb.seriesCountByMetricName.map(x => [x.name, x.value])));
      out.append(MC.table(['Top label names', 'Values'], tsdb.labelValueCountByLabelName.map(x => [x.name, x.value])));
    } catch (e) {
      out.append(MC.error(e));
    }
    return out;
  });

  MC.pages.config = main => load(main, 'Configuration', async () => el('pre', { id: 'config-yaml' }, await MC.text('/config')));

  MC.pages.build = main => load(main, 'Build and runtime information', async () => {
    const b = (await MC.json('/prometheus/api/v1/status/buildinfo')).data;
    const rt = (await MC.json('/prometheus/api/v1/status/runtimeinfo')).data;
    const kv = o => Object.keys(o).map(k => [k, typeof o[k] === 'object' ? JSON.stringify(o[k]) : String(o[k])]);
    return el('div', {}, MC.table(['Build', 'Value'], kv(b)), MC.table(['Runtime', 'Value'], kv(rt)));
  });
})();
