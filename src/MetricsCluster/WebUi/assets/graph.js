// A line graph in SVG for range-query results: axes, stacked or not, a legend that hides series on click,
// and zoom by dragging over a time range (the caller re-queries the selected range).
'use strict';
window.MC = window.MC || {};
(function () {
  const MC = window.MC;
  const NS = 'http://www.w3.org/2000/svg';
  const W = 960, H = 340, L = 64, R = 12, T = 10, B = 26;
  const PALETTE = ['#1f77b4', '#ff7f0e', '#2ca02c', '#d62728', '#9467bd', '#8c564b', '#e377c2', '#7f7f7f', '#bcbd22', '#17becf'];

  MC.color = i => i < PALETTE.length ? PALETTE[i] : `hsl(${(i * 137.5) % 360}, 60%, 45%)`;

  const svgEl = (tag, attrs) => {
    const e = document.createElementNS(NS, tag);
    for (const [k, v] of Object.entries(attrs || {})) e.setAttribute(k, v);
    return e;
  };

  // Round tick steps (1, 2, 5 x 10^n) so about `count` ticks span [lo, hi].
  function ticks(lo, hi, count) {
    const raw = (hi - lo) / count;
    const mag = Math.pow(10, Math.floor(Math.log10(raw)));
    const step = [1, 2, 5, 10].map(m => m * mag).find(s => s >= raw) || raw;
    const out = [];
    for (let v = Math.ceil(lo / step) * step; v <= hi + step * 1e-9; v += step) out.push(Number(v.toPrecision(12)));
    return out;
  }

  function formatValue(v) {
    const a = Math.abs(v);
    if (a >= 1e9) return (v / 1e9).toPrecision(3) + 'G';
    if (a >= 1e6) return (v / 1e6).toPrecision(3) + 'M';
    if (a >= 1e4) return (v / 1e3).toPrecision(3) + 'k';
    if (a !== 0 && a < 1e-3) return v.toExponential(1);
    return String(Number(v.toPrecision(4)));
  }

  function formatTime(sec, span) {
    const d = new Date(sec * 1000);
    const hms = d.toTimeString().slice(0, 8);
    return span > 86400 ? `${d.getMonth() + 1}-${d.getDate()} ${hms.slice(0, 5)}` : hms;
  }

  // Points of each visible series as [t, y]; stacked adds the visible series below at the same step.
  function layout(series, hidden, stacked, start, step) {
    const sums = new Map();
    return series.map((s, i) => {
      if (hidden.has(i)) return null;
      const pts = [];
      for (const [t, v] of s.values || []) {
        let y = parseFloat(v);
        if (!isFinite(y)) continue;
        if (stacked) {
          const k = Math.round((t - start) / step);
          y += sums.get(k) || 0;
          sums.set(k, y);
        }
        pts.push([t, y]);
      }
      return pts;
    });
  }

  // Draws `series` (a matrix result) over [start, end] into `container`, replacing what was there.
  MC.drawGraph = function (container, series, opts) {
    const { start, end, step, stacked, onZoom } = opts;
    const hidden = opts.hidden || new Set();
    container.replaceChildren();
    const laid = layout(series, hidden, stacked, start, step);
    let lo = Infinity, hi = -Infinity;
    for (const pts of laid) for (const p of pts || []) { lo = Math.min(lo, p[1]); hi = Math.max(hi, p[1]); }
    if (!isFinite(lo)) { lo = 0; hi = 1; }
    if (stacked) lo = Math.min(0, lo);
    if (lo === hi) { lo -= 1; hi += 1; }
    const x = t => L + (t - start) / (end - start || 1) * (W - L - R);
    const y = v => T + (hi - v) / (hi - lo) * (H - T - B);

    const svg = svgEl('svg', { class: 'graph', viewBox: `0 0 ${W} ${H}`, role: 'img', 'aria-label': 'range query graph' });
    const axis = svgEl('g', { class: 'axis' });
    for (const v of ticks(lo, hi, 5)) {
      axis.append(svgEl('line', { class: 'grid', x1: L, x2: W - R, y1: y(v), y2: y(v) }));
      const label = svgEl('text', { x: L - 6, y: y(v) + 4, 'text-anchor': 'end' });
      label.textContent = formatValue(v);
      axis.append(label);
    }
    for (let i = 0; i <= 6; i++) {
      const t = start + (end - start) * i / 6;
      axis.append(svgEl('line', { class: 'grid', x1: x(t), x2: x(t), y1: T, y2: H - B }));
      const label = svgEl('text', { x: x(t), y: H - 8, 'text-anchor': i === 0 ? 'start' : i === 6 ? 'end' : 'middle' });
      label.textContent = formatTime(t, end - start);
      axis.append(label);
    }
    svg.append(axis);

    laid.forEach((pts, i) => {
      if (!pts || pts.length === 0) return;
      let d = '';
      let prev = null;
      for (const [t, v] of pts) {
        // A gap of more than one and a half steps is missing data: the line breaks there.
        d += (prev === null || t - prev > step * 1.5 ? 'M' : 'L') + x(t).toFixed(1) + ' ' + y(v).toFixed(1) + ' ';
        prev = t;
      }
      const path = svgEl('path', { class: 'series', d: d.trim(), stroke: MC.color(i), 'data-series': i });
      const title = svgEl('title');
      title.textContent = MC.labelsText(series[i].metric);
      path.append(title);
      svg.append(path);
    });

    // Zoom: drag across the plot to select a time range.
    const sel = svgEl('rect', { class: 'zoom', x: 0, y: T, width: 0, height: H - T - B, visibility: 'hidden' });
    svg.append(sel);
    let from = null;
    const toSvgX = ev => {
      const box = svg.getBoundingClientRect();
      return Math.min(W - R, Math.max(L, (ev.clientX - box.left) / box.width * W));
    };
    svg.addEventListener('mousedown', ev => { from = toSvgX(ev); sel.setAttribute('visibility', 'visible'); sel.setAttribute('x', from); sel.setAttribute('width', 0); ev.preventDefault(); });
    svg.addEventListener('mousemove', ev => {
      if (from === null) { hover(toSvgX(ev)); return; }
      const to = toSvgX(ev);
      sel.setAttribute('x', Math.min(from, to));
      sel.setAttribute('width', Math.abs(to - from));
    });

    // Hover: a cursor line and the values of the visible series at the nearest step (at most 10, largest first).
    const cursor = svgEl('line', { class: 'grid', y1: T, y2: H - B, stroke: '#98a2b3', visibility: 'hidden' });
    svg.append(cursor);
    const tip = MC.el('div', { class: 'graph-tip', hidden: true });
    function hover(px) {
      const t = start + Math.round(((px - L) / (W - L - R) * (end - start)) / step) * step;
      const rows = [];
      series.forEach((s, i) => {
        if (hidden.has(i)) return;
        const p = (s.values || []).find(v => Math.abs(v[0] - t) < step / 2);
        if (p) rows.push([i, parseFloat(p[1])]);
      });
      if (rows.length === 0) { tip.hidden = true; cursor.setAttribute('visibility', 'hidden'); return; }
      rows.sort((a, b) => b[1] - a[1]);
      cursor.setAttribute('x1', x(t));
      cursor.setAttribute('x2', x(t));
      cursor.setAttribute('visibility', 'visible');
      tip.replaceChildren(MC.el('div', { class: 'muted' }, new Date(t * 1000).toLocaleString()),
        ...rows.slice(0, 10).map(([i, v]) => MC.el('div', {}, MC.el('span', { class: 'swatch', style: `background:${MC.color(i)}` }),
          `${formatValue(v)}  ${MC.labelsText(series[i].metric)}`)),
        ...(rows.length > 10 ? [MC.el('div', { class: 'muted' }, `${rows.length - 10} more`)] : []));
      tip.hidden = false;
    }
    svg.addEventListener('mouseleave', () => { tip.hidden = true; cursor.setAttribute('visibility', 'hidden'); });
    const finish = ev => {
      if (from === null) return;
      const to = toSvgX(ev);
      sel.setAttribute('visibility', 'hidden');
      const a = Math.min(from, to), b = Math.max(from, to);
      from = null;
      if (b - a < 4 || !onZoom) return;
      const t = px => start + (px - L) / (W - L - R) * (end - start);
      onZoom(t(a), t(b));
    };
    svg.addEventListener('mouseup', finish);
    svg.addEventListener('mouseleave', finish);

    const legend = MC.el('ul', { class: 'legend' }, series.map((s, i) => MC.el('li', {
      class: hidden.has(i) ? 'off' : undefined,
      title: 'Click to hide or show',
      onclick: () => {
        if (hidden.has(i)) hidden.delete(i); else hidden.add(i);
        MC.drawGraph(container, series, Object.assign({}, opts, { hidden }));
      },
    }, MC.el('span', { class: 'swatch', style: `background:${MC.color(i)}` }), MC.labelsText(s.metric))));
    container.append(svg, tip, legend);
  };
})();
