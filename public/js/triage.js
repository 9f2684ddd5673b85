// The triage queue from the keyboard: j / k move between groups, x ticks the group, Enter in a group's title or
// issue field runs that group's own action (without this script Enter only reloads the page).
(function () {
  'use strict';
  var form = document.getElementById('triage');
  if (!form) return;
  var groups = Array.prototype.slice.call(form.querySelectorAll('.tgroup'));
  var current = -1;
  function focusGroup(i) {
    if (!groups.length) return;
    current = Math.max(0, Math.min(groups.length - 1, i));
    groups.forEach(function (g, n) { g.classList.toggle('current', n === current); });
    groups[current].setAttribute('tabindex', '-1');
    groups[current].focus();
    groups[current].scrollIntoView({ block: 'nearest' });
  }
  function press(value) {
    var button = form.querySelector('button[name="do"][value="' + value + '"]');
    if (button) button.click();
  }
  form.addEventListener('keydown', function (e) {
    var t = e.target;
    if (e.key === 'Enter' && t.dataset && t.dataset.enter) { e.preventDefault(); press(t.dataset.enter); }
  });
  document.addEventListener('keydown', function (e) {
    var t = e.target;
    if (e.ctrlKey || e.metaKey || e.altKey || /^(INPUT|SELECT|TEXTAREA)$/.test(t.tagName)) return;
    if (e.key === 'j') { e.preventDefault(); focusGroup(current + 1); }
    else if (e.key === 'k') { e.preventDefault(); focusGroup(current - 1); }
    else if (e.key === 'x' && current >= 0) {
      var box = groups[current].querySelector('input[name="pick"]');
      if (box) box.checked = !box.checked;
    }
  });
  form.addEventListener('focusin', function (e) {
    var g = e.target.closest && e.target.closest('.tgroup');
    if (g) current = groups.indexOf(g);
  });
})();
