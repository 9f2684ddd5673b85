// Import pages: while a file uploads or an import commits, say so, prevent a second click, and (for the
// commit) follow the server's progress. The page stays up until the server answers, so polling works
// during the form submission itself. Forms work without this script.
(function () {
  'use strict';

  function poll(url, bar, text, onDone) {
    var timer = setInterval(function () {
      fetch(url, { credentials: 'same-origin', headers: { Accept: 'application/json' } })
        .then(function (res) { return res.ok ? res.json() : null; })
        .then(function (s) {
          if (!s) return;
          if (s.state === 'committing' && s.total > 0) {
            if (bar) { bar.max = s.total; bar.value = s.done; }
            if (text) text.textContent = '已导入 ' + s.done + ' / ' + s.total + ' 条';
          } else if (s.state === 'committed') {
            clearInterval(timer);
            if (onDone) onDone();
          }
        })
        .catch(function () { /* keep trying */ });
    }, 500);
  }

  Array.prototype.forEach.call(document.querySelectorAll('form[data-busy]'), function (form) {
    form.addEventListener('submit', function () {
      var busy = form.querySelector('.busy');
      var text = busy && busy.querySelector('[data-progress-text]');
      if (busy) busy.hidden = false;
      if (text) text.textContent = form.getAttribute('data-busy');
      setTimeout(function () {
        Array.prototype.forEach.call(form.querySelectorAll('button[type=submit]'), function (b) { b.disabled = true; });
      }, 0);
      var status = form.getAttribute('data-status');
      if (status && window.fetch) poll(status, busy && busy.querySelector('progress'), text, null);
    });
  });

  // Opened (or reloaded) while an import is running: follow it, then show the result.
  var running = document.querySelector('.import-running[data-status]');
  if (running && window.fetch) {
    poll(running.getAttribute('data-status'), running.querySelector('progress'), running.querySelector('[data-progress-text]'),
      function () { window.location.reload(); });
  }
})();
