/*
 * Progressive enhancement: a <button data-copy="<element id>" hidden> copies that element's text
 * to the clipboard. The button stays hidden without JavaScript or without the Clipboard API (plain
 * HTTP on another host than localhost); the text itself can always be selected by hand.
 */
(function () {
  'use strict';
  if (!navigator.clipboard || !window.isSecureContext) return;
  Array.prototype.forEach.call(document.querySelectorAll('button[data-copy]'), function (button) {
    var target = document.getElementById(button.getAttribute('data-copy'));
    if (!target) return;
    var label = button.textContent;
    button.hidden = false;
    button.addEventListener('click', function () {
      navigator.clipboard.writeText(target.textContent.trim()).then(
        function () { button.textContent = 'Copied'; },
        function () { button.textContent = 'Copy failed: select the text instead'; }
      );
      setTimeout(function () { button.textContent = label; }, 2000);
    });
  });
})();
