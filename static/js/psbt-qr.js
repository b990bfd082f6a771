/*
 * Animated QR codes (BC-UR crypto-psbt): an element [data-ur-frames] holds the frames, as <img> or
 * <svg> children or as elements marked [data-ur-frame]. This shows one frame at a time and moves
 * to the next every 300 ms (data-interval="ms" overrides), pausing while the pointer is over the
 * element or it has the focus, and writes "Frame i of n" into its [data-ur-counter]. The frame on
 * screen is in the element's data-ur-index (0-based), for tests that read the frames back.
 * Without JavaScript every frame stays visible, one after the other, each still scannable.
 */
(function () {
  'use strict';

  function framesOf(container) {
    return Array.prototype.filter.call(container.children, function (el) {
      var tag = String(el.tagName).toLowerCase();
      return el.hasAttribute('data-ur-frame') || tag === 'img' || tag === 'svg';
    });
  }

  /** Starts the animation of one container; `timers` is `window` (or a test's fake clock). */
  function animate(container, timers) {
    var frames = framesOf(container);
    if (frames.length < 2 || container.getAttribute('data-ur-index') !== null) return null;
    var counter = container.querySelector('[data-ur-counter]');
    var interval = Number(container.getAttribute('data-interval')) || 300;
    var index = 0;
    var hovered = false;
    var focused = false;

    function paused() {
      return hovered || focused;
    }
    function show(i) {
      index = i;
      for (var k = 0; k < frames.length; k++) frames[k].style.display = k === i ? '' : 'none';
      container.setAttribute('data-ur-index', String(i));
      if (counter) counter.textContent = 'Frame ' + (i + 1) + ' of ' + frames.length + (paused() ? ' (paused)' : '');
    }
    function hold(which, value) {
      return function () {
        if (which === 'hover') hovered = value;
        else focused = value;
        show(index);
      };
    }

    container.addEventListener('mouseenter', hold('hover', true));
    container.addEventListener('mouseleave', hold('hover', false));
    container.addEventListener('focusin', hold('focus', true));
    container.addEventListener('focusout', hold('focus', false));
    show(0);
    var timer = timers.setInterval(function () {
      if (!paused()) show((index + 1) % frames.length);
    }, interval);
    return {
      stop: function () {
        timers.clearInterval(timer);
      },
    };
  }

  window.specterUrFrames = { animate: animate };
  Array.prototype.forEach.call(document.querySelectorAll('[data-ur-frames]'), function (container) {
    animate(container, window);
  });
})();
