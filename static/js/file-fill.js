/*
 * Progressive enhancement for paste forms: an <input type="file" data-fill="<textarea id>"> reads
 * the chosen file into that textarea, so the form posts text as before (no upload endpoint, and
 * a refused import shows the text again). The file input's wrapper is `hidden` until this runs,
 * so without JavaScript the form offers only what works: pasting.
 */
(function () {
  'use strict';
  Array.prototype.forEach.call(document.querySelectorAll('input[type="file"][data-fill]'), function (input) {
    var target = document.getElementById(input.getAttribute('data-fill'));
    if (!target) return;
    var wrapper = input.closest('[hidden]');
    if (wrapper) wrapper.hidden = false;
    var max = Number(input.getAttribute('data-max')) || 0;
    input.addEventListener('change', function () {
      var file = input.files && input.files[0];
      if (!file) return;
      var reader = new FileReader();
      reader.onload = function () {
        target.value = String(reader.result || '');
        // The server states the limit too; say it now rather than after a round trip.
        if (max && target.value.length > max) {
          target.setCustomValidity('This file has ' + target.value.length.toLocaleString() + ' characters; the limit is ' + max.toLocaleString() + '.');
          target.reportValidity();
        } else {
          target.setCustomValidity('');
        }
      };
      reader.readAsText(file);
    });
    target.addEventListener('input', function () { target.setCustomValidity(''); });
  });
})();
