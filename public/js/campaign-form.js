// Campaign form: "全选 / 全不选" for community and category checkboxes. The form works without it.
(function () {
  document.querySelectorAll('.select-all').forEach(function (el) { el.hidden = false; });
  document.addEventListener('click', function (e) {
    var btn = e.target.closest('[data-check],[data-uncheck]');
    if (!btn) return;
    var on = btn.hasAttribute('data-check');
    var group = document.querySelector('[data-group="' + (btn.getAttribute('data-check') || btn.getAttribute('data-uncheck')) + '"]');
    if (!group) return;
    group.querySelectorAll('input[type=checkbox]').forEach(function (box) { box.checked = on; });
  });
})();
