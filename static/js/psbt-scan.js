/*
 * Scanning a signed PSBT from a device's screen with the browser camera, where the browser has the
 * BarcodeDetector API (Chrome, Edge, Android; a secure context: HTTPS or localhost). Markup:
 *
 *   <div data-qr-scan="<id of the textarea to fill>">
 *     <button type="button" data-qr-scan-start hidden>Scan with the camera</button>
 *     <video data-qr-scan-video hidden muted playsinline></video>
 *     <p data-qr-scan-status aria-live="polite"></p>
 *   </div>
 *
 * UR parts (ur:crypto-psbt/…) are collected, one a line, into the textarea until every fragment
 * has been seen or enough fountain parts for the server to rebuild it; a plain QR (base64 or hex)
 * fills it at once. The server checks and decodes what is submitted. Elsewhere the status says
 * why scanning is not offered; pasting and uploading always work.
 */
(function () {
  'use strict';

  var UR_PART = /^ur:([a-z0-9-]+)\/(?:(\d+)-(\d+)\/)?[a-z]+$/i;
  var PSBT_TYPES = { 'crypto-psbt': true, psbt: true };

  /** Collects scanned texts; `add` answers {done, message}. Pure, for tests. */
  function Collector() {
    this.parts = [];
    this.seen = {};
    this.pure = {};
    this.count = 0;
    this.text = '';
  }
  Collector.prototype.add = function (raw) {
    var value = String(raw).trim();
    var ur = UR_PART.exec(value);
    if (!ur) {
      if (this.parts.length) return { done: false, message: 'A QR code that is not part of this animation: ignored.' };
      this.text = value;
      return { done: true, message: 'QR code read. Submit the form to add the signatures.' };
    }
    var type = ur[1].toLowerCase();
    if (!PSBT_TYPES[type]) return { done: false, message: 'This QR code is a UR of type ' + type + ', not a PSBT: show the signed PSBT.' };
    if (!ur[2]) {
      this.text = value;
      return { done: true, message: 'QR code read. Submit the form to add the signatures.' };
    }
    var seq = Number(ur[2]);
    var count = Number(ur[3]);
    if (this.count && count !== this.count) {
      return { done: false, message: 'A part of another animation (' + count + ' fragments instead of ' + this.count + '): ignored.' };
    }
    this.count = count;
    var key = value.toLowerCase();
    if (!this.seen[key]) {
      this.seen[key] = true;
      this.parts.push(value);
      if (seq <= count) this.pure[seq] = true;
    }
    this.text = this.parts.join('\n');
    var pure = Object.keys(this.pure).length;
    // Every fragment seen, or twice as many parts as fragments (the fountain parts almost surely fill the gaps).
    if (pure === count || this.parts.length >= 2 * count) {
      return { done: true, message: 'All ' + this.parts.length + ' parts read. Submit the form to add the signatures.' };
    }
    return { done: false, message: 'Reading the animation: ' + pure + ' of ' + count + ' fragments, ' + this.parts.length + ' parts so far.' };
  };

  function unsupported() {
    if (!window.isSecureContext) return 'Camera scanning needs HTTPS (or localhost). Paste the UR parts or upload the file instead.';
    if (!navigator.mediaDevices || !navigator.mediaDevices.getUserMedia) {
      return 'This browser gives no camera access to pages. Paste or upload instead.';
    }
    if (typeof window.BarcodeDetector !== 'function') {
      return 'This browser cannot read QR codes from the camera (no BarcodeDetector: try Chrome or Edge). Paste or upload instead.';
    }
    return '';
  }

  function setUp(root) {
    var target = document.getElementById(root.getAttribute('data-qr-scan'));
    var button = root.querySelector('[data-qr-scan-start]');
    var video = root.querySelector('[data-qr-scan-video]');
    var status = root.querySelector('[data-qr-scan-status]');
    if (!target || !button || !video || !status) return;
    var reason = unsupported();
    if (reason) {
      status.textContent = reason;
      return;
    }
    button.hidden = false;
    var stream = null;
    function stop(message) {
      if (stream) stream.getTracks().forEach(function (t) { t.stop(); });
      stream = null;
      video.hidden = true;
      button.disabled = false;
      if (message) status.textContent = message;
    }
    button.addEventListener('click', function () {
      var detector = new window.BarcodeDetector({ formats: ['qr_code'] });
      var collector = new Collector();
      button.disabled = true;
      navigator.mediaDevices.getUserMedia({ video: { facingMode: 'environment' } }).then(
        function (s) {
          stream = s;
          video.srcObject = s;
          video.hidden = false;
          status.textContent = 'Show the QR code to the camera.';
          return video.play().then(function scan() {
            if (!stream) return;
            detector.detect(video).then(
              function (codes) {
                for (var i = 0; i < codes.length && stream; i++) {
                  var result = collector.add(codes[i].rawValue);
                  status.textContent = result.message;
                  target.value = collector.text;
                  if (result.done) {
                    target.dispatchEvent(new Event('input', { bubbles: true }));
                    stop(result.message);
                  }
                }
                setTimeout(scan, 100);
              },
              function () {
                setTimeout(scan, 250);
              }
            );
          });
        },
        function (err) {
          stop('The camera could not be opened (' + (err && err.name ? err.name : 'refused') + '). Paste or upload instead.');
        }
      );
    });
  }

  window.specterQrScan = { Collector: Collector };
  if (typeof document !== 'undefined' && document.querySelectorAll) {
    Array.prototype.forEach.call(document.querySelectorAll('[data-qr-scan]'), setUp);
  }
})();
