// Resident form: on a slow network a second tap would restart the photo upload. The server already keeps
// one record per form; this only spares the resident's data plan. The form works without it.
(function () {
  var form = document.querySelector('form.r-form[method=post]');
  if (!form) return;
  var button = form.querySelector('button[type=submit]');
  form.addEventListener('submit', function () {
    if (!button) return;
    setTimeout(function () { button.disabled = true; button.textContent = '正在提交，请稍候…'; }, 0);
    // If the network drops, let them try again.
    setTimeout(function () { button.disabled = false; button.textContent = '提交'; }, 20000);
  });
  window.addEventListener('pageshow', function () { if (button) { button.disabled = false; button.textContent = '提交'; } });
})();
