// Print sheets (posters, labels): a 打印 button opens the browser's print dialog. Paper size and margins come
// from the sheet's @page rule, so staff need not change print settings. Without JavaScript, Ctrl+P does the same.
(function () {
  var buttons = document.querySelectorAll('[data-print]');
  for (var i = 0; i < buttons.length; i++) {
    buttons[i].hidden = false;
    buttons[i].addEventListener('click', function () { window.print(); });
  }
})();
