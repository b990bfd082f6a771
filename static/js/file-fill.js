/*
 * Progressive enhancement for paste forms: an <input type="file" data-fill="<textarea id>"> reads
 * the chosen file into that textarea, so the form posts text as before (no upload endpoint, and
 * a refused import shows the text again). The file input's wrapper is `hidden` until this runs,
 * so without JavaScript the form offers only what works: pasting.
 *
 * With `data-fill-binary` the file is read as bytes: a binary PSBT (magic "psbt" 0xff) becomes its
 * base64, other bytes that are not UTF-8 text (a raw transaction) become hex, text stays text.
 * The server recognises all three (parsePsbtInput).
 */
(function () {
  'use strict';
  var PSBT_MAGIC = [0x70, 0x73, 0x62, 0x74, 0xff];

  function bytesAsText(bytes) {
    var isPsbt = PSBT_MAGIC.every(function (b, i) { return bytes[i] === b; });
    if (!isPsbt) {
      try {
        var text = new TextDecoder('utf-8', { fatal: true }).decode(bytes);
        if (text.indexOf('\u0000') < 0) return text;
      } catch (e) {
        // not text: hex below
      }
      return Array.prototype.map.call(bytes, function (b) { return (b < 16 ? '0' : '') + b.toString(16); }).join('');
    }
    var chunks = [];
    for (var i = 0; i < bytes.length; i += 0x8000) chunks.push(String.fromCharCode.apply(null, bytes.subarray(i, i + 0x8000)));
    return btoa(chunks.join(''));
  }
  Array.prototype.forEach.call(document.querySelectorAll('input[type="file"][data-fill]'), function (input) {
    var target = document.getElementById(input.getAttribute('data-fill'));
    if (!target) return;
    var wrapper = input.closest('[hidden]');
    if (wrapper) wrapper.hidden = false;
    var max = Number(input.getAttribute('data-max')) || 0;
    var binary = input.hasAttribute('data-fill-binary');
    input.addEventListener('change', function () {
      var file = input.files && input.files[0];
      if (!file) return;
      var reader = new FileReader();
      reader.onload = function () {
        target.value = binary ? bytesAsText(new Uint8Array(reader.result)) : String(reader.result || '');
        // The server states the limit too; say it now rather than after a round trip.
        if (max && target.value.length > max) {
          target.setCustomValidity('This file has ' + target.value.length.toLocaleString() + ' characters; the limit is ' + max.toLocaleString() + '.');
          target.reportValidity();
        } else {
          target.setCustomValidity('');
        }
      };
      if (binary) reader.readAsArrayBuffer(file);
      else reader.readAsText(file);
    });
    target.addEventListener('input', function () { target.setCustomValidity(''); });
  });
})();
