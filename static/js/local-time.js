/*
 * Timestamps in the reader's time zone: the server renders <time datetime="…Z" data-local> in UTC
 * (filter `datetime`); this rewrites the text to local time in one style everywhere
 * (e.g. "2 Dec 2026, 06:47"), the UTC time staying in the tooltip.
 */
(function () {
  'use strict';
  var format;
  try {
    format = new Intl.DateTimeFormat(undefined, { day: 'numeric', month: 'short', year: 'numeric', hour: '2-digit', minute: '2-digit' });
  } catch (e) {
    return;
  }
  function localise(root) {
    Array.prototype.forEach.call((root || document).querySelectorAll('time[datetime][data-local]'), function (el) {
      var d = new Date(el.getAttribute('datetime'));
      if (!isNaN(d.getTime())) el.textContent = format.format(d);
    });
  }
  localise(document);
  window.specterLocalTime = localise;
})();
