// Behaviour the pages need without inline scripts (the CSP forbids them).
document.addEventListener("click", function (event) {
  // An organisation picker: clicking a result fills the target input with its code; a box
  // with data-pick-code-target shows the name and puts the code in that (hidden) input.
  var pick = event.target.closest("[data-pick-code]");
  if (pick) {
    event.preventDefault();
    var box = pick.closest("[data-picker]");
    var input = document.getElementById(box.dataset.picker);
    var label = document.getElementById(box.dataset.picker + "-label");
    var codeInput = input.dataset.pickCodeTarget && document.getElementById(input.dataset.pickCodeTarget);
    if (codeInput) {
      var name = pick.dataset.pickName || (pick.dataset.pickLabel || "").replace(/^已选：/, "");
      input.value = name;
      codeInput.value = pick.dataset.pickCode;
      if (label) { label.textContent = "已选：" + name + "（" + pick.dataset.pickCode + "）"; }
    } else {
      input.value = pick.dataset.pickCode;
      if (label) { label.textContent = pick.dataset.pickLabel; }
    }
    box.innerHTML = "";
    return;
  }
  // Tree toggles: collapse children already loaded instead of loading them again.
  var toggle = event.target.closest(".tree .toggle[data-loaded]");
  if (toggle) {
    var list = toggle.parentElement.querySelector(":scope > ul");
    if (list) {
      list.hidden = !list.hidden;
      toggle.querySelector("i").className = list.hidden ? "bi bi-caret-right-fill" : "bi bi-caret-down-fill";
    }
    event.preventDefault();
    event.stopImmediatePropagation();
  }
}, true);

document.addEventListener("htmx:afterRequest", function (event) {
  var toggle = event.detail.elt;
  if (toggle && toggle.classList && toggle.classList.contains("toggle") && event.detail.successful) {
    toggle.setAttribute("data-loaded", "1");
    toggle.querySelector("i").className = "bi bi-caret-down-fill";
  }
});

// Forms with data-confirm ask once more before submitting.
document.addEventListener("submit", function (event) {
  var message = event.target.getAttribute("data-confirm");
  if (message && !window.confirm(message)) { event.preventDefault(); }
});

// Typing in a name box after a pick: the picked code no longer applies.
document.addEventListener("input", function (event) {
  var target = event.target;
  if (target.dataset && target.dataset.pickCodeTarget) {
    var codeInput = document.getElementById(target.dataset.pickCodeTarget);
    if (codeInput) { codeInput.value = ""; }
    var label = document.getElementById(target.id + "-label");
    if (label) { label.textContent = ""; }
  }
});
