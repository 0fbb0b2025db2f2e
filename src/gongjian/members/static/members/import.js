// Progress bars take their width from data-percent (the CSP forbids inline style attributes).
(function () {
  function size(root) {
    (root.querySelectorAll ? root : document).querySelectorAll(".progress-bar[data-percent]")
      .forEach(function (bar) { bar.style.width = bar.dataset.percent + "%"; });
  }
  document.addEventListener("DOMContentLoaded", function () { size(document); });
  document.addEventListener("htmx:load", function (event) { size(event.detail.elt.parentNode || document); });
})();
