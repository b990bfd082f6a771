/*
 * Progressive enhancement of the Send page's fee rate: after the page has loaded (it never waits
 * for an estimate), ask the wallet's /send/fees and offer "Fast / Medium / Slow" buttons that fill
 * the fee rate field; an empty field gets the medium rate. Without JavaScript, or when the
 * estimate does not come, the field is typed by hand as before.
 */
(function () {
  'use strict';
  var box = document.getElementById('fee-suggestions');
  var input = document.getElementById('fee-rate');
  if (!box || !input || !window.fetch) return;
  var controller = window.AbortController ? new AbortController() : null;
  var timer = controller ? setTimeout(function () { controller.abort(); }, 15000) : null;
  fetch(box.getAttribute('data-url'), { headers: { accept: 'application/json' }, credentials: 'same-origin', signal: controller ? controller.signal : undefined })
    .then(function (res) { return res.ok ? res.json() : null; })
    .then(function (fees) {
      if (timer) clearTimeout(timer);
      if (!fees || typeof fees.medium !== 'number') return;
      var list = box.querySelector('[data-rates]');
      [['Fast', fees.fast], ['Medium', fees.medium], ['Slow', fees.slow]].forEach(function (pair) {
        var button = document.createElement('button');
        button.type = 'button';
        button.className = 'btn btn-small';
        button.setAttribute('data-fee-rate', String(pair[1]));
        button.textContent = pair[0] + ' ' + pair[1] + ' sat/vB';
        button.addEventListener('click', function () { input.value = String(pair[1]); input.focus(); });
        list.appendChild(button);
      });
      if (fees.notice) box.querySelector('[data-notice]').textContent = fees.notice;
      if (!input.value) input.value = String(fees.medium);
      box.hidden = false;
    })
    .catch(function () { /* no estimate: the field stays as typed */ });
})();
