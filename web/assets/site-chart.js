/* The site page's charts: reads the page's JSON (script#site-data, not executed) and draws one ECharts chart per
   parameter — hourly values, moving means, limits and plan targets as mark lines, GB 3838 class bands as mark areas. */
(function () {
  'use strict';
  var source = document.getElementById('site-data');
  if (!source || typeof echarts === 'undefined') return;
  var data = JSON.parse(source.textContent || '{}');
  var bandColours = { I: 'rgba(11,61,145,0.10)', II: 'rgba(11,61,145,0.06)', III: 'rgba(23,96,42,0.10)', IV: 'rgba(230,180,0,0.14)', V: 'rgba(255,126,0,0.14)', '劣V': 'rgba(217,45,32,0.12)' };
  var classNames = { I: 'Ⅰ', II: 'Ⅱ', III: 'Ⅲ', IV: 'Ⅳ', V: 'Ⅴ', '劣V': '劣Ⅴ' };
  var charts = [];
  (data.series || []).forEach(function (s, i) {
    var el = document.getElementById('chart-' + i);
    if (!el) return;
    var chart = echarts.init(el, null, { renderer: 'canvas' });
    charts.push(chart);
    var lines = (s.lines || []).map(function (l) {
      return [
        { coord: [l.from, l.value], name: l.label, lineStyle: { type: l.kind === 'target' ? 'dashed' : 'solid', color: l.kind === 'target' ? '#6b3fa0' : '#b42318', width: 1.5 },
          label: { formatter: l.label, position: 'insideEndTop', color: l.kind === 'target' ? '#6b3fa0' : '#b42318', fontSize: 11 } },
        { coord: [l.to, l.value] }
      ];
    });
    // The axis top is fixed here rather than left to ECharts, so that the open-ended bands (劣Ⅴ, or Ⅰ for DO) reach
    // it: an area ending at 'max' ends at the highest reading, not at the top of the chart.
    var top = axisTop(Math.max(highest(s), (s.lines || []).reduce(function (m, l) { return Math.max(m, l.value); }, 0)) * 1.1);
    var plotHeight = Math.max(1, el.clientHeight - 76);
    var areas = (s.bands || []).filter(function (b) { return b.lo < top; }).map(function (b) {
      var hi = b.hi === null || b.hi > top ? top : b.hi;
      var cls = classNames[b.cls] + (data.lang === 'en' ? '' : '类');
      // DO counts down (GB 3838 Table 1, "≥"): its 劣Ⅴ is what lies below Ⅴ's limit.
      var text = b.direction === 'range' ? b.lo + '–' + b.hi : b.direction === '>=' ? (b.cls === '劣V' ? cls + ' < ' + b.hi : cls + ' ≥ ' + b.lo) : cls;
      // A band too thin for a line of text keeps its colour and goes unlabelled, rather than piling its label on
      // its neighbours'.
      var tall = ((hi - b.lo) / top) * plotHeight >= 14;
      return [
        { yAxis: b.lo, name: text, itemStyle: { color: bandColours[b.cls] }, label: { show: tall, position: 'insideLeft', color: '#616e7c', fontSize: 11 } },
        { yAxis: hi }
      ];
    });
    var series = [{
      name: data.labels.hourly, type: 'line', showSymbol: s.hourly.length < 60, symbolSize: 4, connectNulls: false,
      lineStyle: { width: 1.2, color: '#1f5f8b' }, itemStyle: { color: '#1f5f8b' },
      data: s.hourly.map(function (p) { return [p[0], Number(p[1])]; }),
      markLine: { symbol: 'none', silent: true, data: lines },
      markArea: { silent: true, data: areas }
    }];
    (s.means || []).forEach(function (m) {
      series.push({
        name: m.window === '8h' ? data.labels.mean8 : data.labels.mean24, type: 'line', showSymbol: false, connectNulls: false,
        lineStyle: { width: 2.2, color: m.window === '8h' ? '#d9480f' : '#2b8a3e' }, itemStyle: { color: m.window === '8h' ? '#d9480f' : '#2b8a3e' },
        data: m.points.map(function (p) { return [p[0], p[1] === null ? null : Number(p[1])]; })
      });
    });
    chart.setOption({
      animation: false,
      grid: { left: 48, right: 16, top: 36, bottom: 40 },
      legend: { top: 4, textStyle: { fontSize: 12 } },
      tooltip: { trigger: 'axis' },
      xAxis: { type: 'time', min: data.from, max: data.to, axisLabel: { hideOverlap: true } },
      yAxis: { type: 'value', name: s.unit, scale: false, min: 0, max: top },
      series: series
    });
  });

  /** The highest hourly value or moving mean drawn. */
  function highest(s) {
    var values = s.hourly.map(function (p) { return Number(p[1]); });
    (s.means || []).forEach(function (m) { m.points.forEach(function (p) { if (p[1] !== null) values.push(Number(p[1])); }); });
    return values.reduce(function (m, v) { return isFinite(v) && v > m ? v : m; }, 0);
  }

  /** A round top at or above x: 1, 1.5, 2, 2.5, 3, 4, 5, 6, 8 or 10 times a power of ten (0.25 mg/L, 250 μg/m³). */
  function axisTop(x) {
    if (!(x > 0)) return 1;
    var power = Math.pow(10, Math.floor(Math.log10(x)));
    var steps = [1, 1.5, 2, 2.5, 3, 4, 5, 6, 8, 10];
    for (var i = 0; i < steps.length; i++) if (steps[i] * power >= x * (1 - 1e-9)) return Number((steps[i] * power).toPrecision(12));
    return 10 * power;
  }

  window.addEventListener('resize', function () { charts.forEach(function (c) { c.resize(); }); });
})();
