// Notifications: opens the event stream, shows toasts, keeps the bell's unread count current.
// Loaded (same-origin, deferred) on every page of users who activated the plugin. Toasts that the
// server rendered into the page get the same behaviour (auto-hide, dismiss).
(function () {
  'use strict';
  var script = document.currentScript;
  var cfg = (script && script.dataset) || {};
  var container = document.getElementById('spcn-toasts');
  var bell = document.getElementById('spcn-bell');
  var count = document.getElementById('spcn-count');
  var HIDE_AFTER_MS = 8000;
  if (!container) return;

  function csrfToken() {
    var input = document.querySelector('input[name="csrf_token"]');
    return input ? input.value : '';
  }

  function setUnread(n) {
    if (!count || typeof n !== 'number') return;
    count.textContent = String(n);
    count.hidden = n === 0;
    if (bell) {
      var label = n ? 'Notifications: ' + n + ' unread' : 'Notifications';
      bell.setAttribute('aria-label', label);
      bell.title = label;
    }
  }

  function remove(toast) {
    if (!toast.parentNode || toast.classList.contains('spcn-leaving')) return;
    toast.classList.add('spcn-leaving');
    setTimeout(function () {
      if (toast.parentNode) toast.parentNode.removeChild(toast);
    }, 300);
  }

  // Dismissing a toast by hand marks it read; letting it fade out does not.
  function markRead(id) {
    var token = csrfToken();
    if (!id || !token || !cfg.readUrl) return;
    fetch(cfg.readUrl.replace('__ID__', encodeURIComponent(id)), {
      method: 'POST',
      credentials: 'same-origin',
      headers: { accept: 'application/json', 'x-csrf-token': token },
    })
      .then(function (res) {
        return res.ok ? res.json() : null;
      })
      .then(function (body) {
        if (body) setUnread(body.unread);
      })
      .catch(function () {
        /* the centre page still has it */
      });
  }

  function arm(toast) {
    if (toast.dataset.armed) return;
    toast.dataset.armed = '1';
    var timer = setTimeout(function () {
      remove(toast);
    }, HIDE_AFTER_MS);
    toast.addEventListener('mouseenter', function () {
      clearTimeout(timer);
    });
    var close = toast.querySelector('.spcn-close');
    if (close) {
      close.addEventListener('click', function () {
        clearTimeout(timer);
        markRead(toast.dataset.id);
        remove(toast);
      });
    }
  }

  function show(n) {
    var toast = document.createElement('div');
    toast.className = 'spcn-toast spcn-' + (n.category || 'info');
    toast.setAttribute('role', 'status');
    toast.dataset.id = n.id || '';
    var text = document.createElement('div');
    text.className = 'spcn-toast-text';
    var title = document.createElement('strong');
    title.className = 'spcn-title';
    title.textContent = n.title || '';
    text.appendChild(title);
    if (n.body) {
      var body = document.createElement('p');
      body.className = 'spcn-body';
      body.textContent = n.body;
      text.appendChild(body);
    }
    var close = document.createElement('button');
    close.type = 'button';
    close.className = 'spcn-close';
    close.setAttribute('aria-label', 'Dismiss');
    close.textContent = '\u00d7';
    toast.appendChild(text);
    toast.appendChild(close);
    container.appendChild(toast);
    arm(toast);
  }

  Array.prototype.forEach.call(container.querySelectorAll('.spcn-toast'), arm);

  if (!cfg.eventsUrl || typeof EventSource === 'undefined') return;
  var source = new EventSource(cfg.eventsUrl);
  source.addEventListener('open', function () {
    document.documentElement.dataset.spcnLive = '1';
  });
  source.addEventListener('error', function () {
    delete document.documentElement.dataset.spcnLive;
  });
  source.addEventListener('unread', function (e) {
    try {
      setUnread(JSON.parse(e.data).unread);
    } catch (err) {
      /* ignore a malformed event */
    }
  });
  source.addEventListener('notification', function (e) {
    var n;
    try {
      n = JSON.parse(e.data);
    } catch (err) {
      return;
    }
    setUnread(n.unread);
    if (n.showToast) show(n);
  });
  window.addEventListener('pagehide', function () {
    source.close();
  });
})();
