// Developer help console helper. Loaded (same-origin, deferred) on every page of users who
// activated "Developer help". It only reads and logs: type `specterDevhelp.help()` in the console.
(function () {
  'use strict';
  var script = document.currentScript;
  var data = (script && script.dataset) || {};
  var page = Object.freeze({
    path: location.pathname,
    method: data.method || 'GET',
    route: data.route || '(no route: error or not-found page)',
    extension: data.extension || '(core)',
    user: data.user || '(nobody)',
    version: data.version || '?',
  });

  function info() {
    console.table(page);
    return page;
  }

  function extensions() {
    return fetch(data.infoUrl, { credentials: 'same-origin', headers: { accept: 'application/json' } })
      .then(function (res) {
        if (!res.ok) throw new Error('devhelp: ' + data.infoUrl + ' answered ' + res.status);
        return res.json();
      })
      .then(function (summary) {
        console.table(summary.extensions);
        return summary;
      });
  }

  function help() {
    console.info(
      'specterDevhelp.info()        this page: route, method, serving extension, user\n' +
        'specterDevhelp.extensions()  every discovered extension with its status (fetches ' +
        data.infoUrl +
        ')',
    );
  }

  window.specterDevhelp = Object.freeze({ page: page, info: info, extensions: extensions, help: help });
  console.info(
    '%cSpecter TS devhelp%c ' + page.method + ' ' + page.route + ' — served by ' + page.extension + ' · specterDevhelp.help()',
    'background:#3b7bc8;color:#fff;padding:1px 6px;border-radius:3px',
    '',
  );
})();
