/*
 * The report prints its charts as images: a canvas does not always print
 * (and prints at screen size), so each drawn chart (public/js/dashboard.js,
 * loaded before this file) gets an <img> beside it that only print shows,
 * refreshed just before printing. The data tables carry the same numbers
 * without JavaScript. When done, <html data-report-ready> tells a PDF printer
 * (npm run report) that the charts are in.
 */
(function () {
  'use strict';

  function snapshot() {
    var canvases = document.querySelectorAll('.report-chart canvas[data-chart]');
    for (var i = 0; i < canvases.length; i++) {
      var canvas = canvases[i];
      if (!canvas.hasAttribute('data-drawn')) continue;
      var holder = canvas.parentNode;
      var img = holder.nextElementSibling;
      if (!img || img.tagName !== 'IMG') {
        img = document.createElement('img');
        img.className = 'report-chart__image';
        img.alt = canvas.getAttribute('aria-label') || '';
        holder.parentNode.insertBefore(img, holder.nextSibling);
      }
      img.src = canvas.toDataURL('image/png');
    }
    document.documentElement.setAttribute('data-report-ready', String(canvases.length));
  }

  window.addEventListener('beforeprint', snapshot);
  if (document.readyState === 'loading') document.addEventListener('DOMContentLoaded', snapshot);
  else snapshot();
})();
