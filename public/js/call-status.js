/*
 * Keeps the call page current: every 2 seconds it asks the server for the
 * call's state (the same sentences the page was rendered with) and writes
 * what changed into the page's live region (role="status"), which screen
 * readers announce. It stops once the call is over. Without JavaScript the
 * page says the same, and its "refresh" link reloads it.
 */
(function () {
  'use strict';
  var region = document.getElementById('call-status');
  if (!region || typeof window.fetch !== 'function') return;
  var url = region.getAttribute('data-poll');
  var FIELDS = ['status', 'outcome', 'ringTime', 'source', 'attempt', 'problem'];
  var INTERVAL_MS = 2000;
  // Ten minutes at most: a call Twilio never reports on must not keep the session alive for ever.
  var MAX_POLLS = 300;
  var polls = 0;
  var failures = 0;

  function apply(data) {
    FIELDS.forEach(function (name) {
      var el = region.querySelector('[data-field="' + name + '"]');
      if (!el || typeof data[name] !== 'string') return;
      // Only what changed is written, so that the live region announces news, not the same text every 2 s.
      if (el.textContent !== data[name]) el.textContent = data[name];
      if (name === 'problem') el.hidden = data[name] === '';
    });
    region.setAttribute('data-stage', data.stage);
    region.setAttribute('data-final', data.final ? 'true' : 'false');
    var again = document.getElementById('call-again');
    if (again) again.hidden = !(data.final && data.stage !== 'ended');
  }

  function schedule() {
    polls += 1;
    if (polls <= MAX_POLLS) window.setTimeout(poll, INTERVAL_MS);
  }

  function poll() {
    window
      .fetch(url, { headers: { Accept: 'application/json' }, credentials: 'same-origin', cache: 'no-store' })
      .then(function (res) {
        if (!res.ok) throw new Error('HTTP ' + res.status);
        return res.json();
      })
      .then(function (data) {
        failures = 0;
        apply(data);
        if (!data.final) schedule();
      })
      .catch(function () {
        // A signed-out session answers with the login page: give up after a few tries (the refresh link still works).
        failures += 1;
        if (failures < 5) schedule();
      });
  }

  if (region.getAttribute('data-final') !== 'true') schedule();
})();
