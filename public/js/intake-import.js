// Import pages: while a large file uploads or commits, say so and prevent a second click.
(function () {
  'use strict';
  var forms = document.querySelectorAll('form[data-busy]');
  Array.prototype.forEach.call(forms, function (form) {
    form.addEventListener('submit', function () {
      var busy = form.querySelector('.busy');
      if (busy) {
        busy.hidden = false;
        var text = busy.querySelector('span');
        if (text) text.textContent = form.getAttribute('data-busy');
      }
      setTimeout(function () {
        Array.prototype.forEach.call(form.querySelectorAll('button[type=submit]'), function (b) { b.disabled = true; });
      }, 0);
    });
  });
})();
