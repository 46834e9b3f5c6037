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
    var areas = (s.bands || []).map(function (b) {
      var cls = classNames[b.cls] + (data.lang === 'en' ? '' : '类');
      var text = b.direction === 'range' ? b.lo + '–' + b.hi : b.direction === '>=' ? cls + ' ≥ ' + b.lo : cls;
      return [
        { yAxis: b.lo, name: text, itemStyle: { color: bandColours[b.cls] }, label: { position: 'insideLeft', color: '#616e7c', fontSize: 11 } },
        { yAxis: b.hi === null ? 'max' : b.hi }
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
    var maxLine = (s.lines || []).reduce(function (m, l) { return Math.max(m, l.value); }, 0);
    chart.setOption({
      animation: false,
      grid: { left: 48, right: 16, top: 36, bottom: 40 },
      legend: { top: 4, textStyle: { fontSize: 12 } },
      tooltip: { trigger: 'axis' },
      xAxis: { type: 'time', min: data.from, max: data.to, axisLabel: { hideOverlap: true } },
      yAxis: { type: 'value', name: s.unit, scale: false, max: function (v) { return Math.ceil(Math.max(v.max, maxLine) * 1.1); } },
      series: series
    });
  });
  window.addEventListener('resize', function () { charts.forEach(function (c) { c.resize(); }); });
})();
