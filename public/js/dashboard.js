/*
 * Draws the dashboard's charts with Chart.js from the JSON each <canvas> points
 * to (data-chart). Without JavaScript the data tables beside the charts carry
 * the same numbers; nothing here is needed to read the page.
 */
(function () {
  'use strict';
  if (typeof window.Chart !== 'function') return;
  var Chart = window.Chart;
  // Colours with at least 3:1 contrast against white (WCAG 1.4.11), told apart by shade as well as hue.
  var palette = ['#0b4f8a', '#1d6b2f', '#8a5a00', '#6f3f8f', '#b3261e', '#505a5f', '#00695c'];
  var stackPalette = ['#0b4f8a', '#4a7fb0', '#8a8f93', '#c0763a', '#8f2a20', '#5b2c6f', '#2e5e3b'];

  function read(id) {
    var el = document.getElementById(id);
    return el ? JSON.parse(el.textContent || 'null') : null;
  }

  function scales(spec, horizontal) {
    var value = { min: spec.yMin, max: spec.yMax, title: { display: true, text: spec.yTitle } };
    var category = { ticks: { autoSkip: !horizontal } };
    return horizontal ? { x: value, y: category } : { x: category, y: value };
  }

  function config(spec) {
    if (spec.kind === 'trend') {
      return {
        type: 'line',
        data: {
          labels: spec.labels,
          datasets: [
            { label: '95% CI', data: spec.lower, borderColor: 'transparent', pointRadius: 0, fill: false },
            { label: '95% CI', data: spec.upper, borderColor: 'transparent', backgroundColor: 'rgba(11, 79, 138, 0.18)', pointRadius: 0, fill: '-1' },
            { label: spec.series[0].label, data: spec.series[0].values, borderColor: palette[0], backgroundColor: palette[0], spanGaps: false }
          ]
        },
        options: { scales: scales(spec, false), plugins: { legend: { labels: { filter: function (item) { return item.datasetIndex !== 0; } } } } }
      };
    }
    if (spec.kind === 'ranges') {
      var ranges = spec.labels.map(function (_, i) { return spec.lower[i] === null ? null : [spec.lower[i], spec.upper[i]]; });
      return {
        type: 'bar',
        data: {
          labels: spec.labels,
          datasets: [
            { type: 'scatter', label: spec.series[0].label, data: spec.series[0].values.map(function (v, i) { return { x: v, y: spec.labels[i] }; }), backgroundColor: palette[4], pointRadius: 5 },
            { label: '95% CI', data: ranges, backgroundColor: 'rgba(11, 79, 138, 0.35)', borderColor: palette[0], borderWidth: 1, barPercentage: 0.5 }
          ]
        },
        options: { indexAxis: 'y', scales: scales(spec, true) }
      };
    }
    var stacked = spec.kind === 'stacked';
    return {
      type: 'bar',
      data: {
        labels: spec.labels,
        datasets: spec.series.map(function (s, i) {
          var colours = stacked ? stackPalette : palette;
          return { label: s.label, data: s.values, backgroundColor: colours[i % colours.length] };
        })
      },
      options: {
        indexAxis: 'y',
        scales: stacked
          ? { x: { stacked: true, min: spec.yMin, max: spec.yMax, title: { display: true, text: spec.yTitle } }, y: { stacked: true, ticks: { autoSkip: false } } }
          : scales(spec, true)
      }
    };
  }

  function draw() {
    var canvases = document.querySelectorAll('canvas[data-chart]');
    for (var i = 0; i < canvases.length; i++) {
      var canvas = canvases[i];
      var spec = read(canvas.getAttribute('data-chart'));
      if (!spec) continue;
      var c = config(spec);
      c.options.responsive = true;
      c.options.maintainAspectRatio = false;
      c.options.animation = false;
      // The rows of horizontal charts need room to be read.
      if (c.options.indexAxis === 'y') canvas.parentNode.style.height = Math.max(220, spec.labels.length * 34 + 80) + 'px';
      var chart = new Chart(canvas, c);
      canvas.setAttribute('data-drawn', String(chart.data.datasets.length));
    }
  }

  if (document.readyState === 'loading') document.addEventListener('DOMContentLoaded', draw);
  else draw();
})();
