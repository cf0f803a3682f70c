// Keyboard shortcuts for the item view: two digits toggle a risk (1 then 6 = A.1.6), c = clean,
// n = note, s = skip, r = reveal personal data, Enter = submit. Nothing here talks to the network.
(function () {
  "use strict";
  var form = document.getElementById("label-form");
  if (!form) { return; }
  var pending = "";
  var clean = document.getElementById("clean");
  function risks() { return form.querySelectorAll("input[name=risk]"); }
  function toggleRisk(chord) {
    var box = form.querySelector("input[data-chord='" + chord + "']");
    if (box) { box.checked = !box.checked; if (box.checked && clean) { clean.checked = false; } }
  }
  document.addEventListener("keydown", function (ev) {
    var tag = (ev.target && ev.target.tagName) || "";
    if (tag === "TEXTAREA" || (tag === "INPUT" && ev.target.type !== "checkbox")) {
      if (ev.key === "Escape") { ev.target.blur(); }
      return;
    }
    if (ev.ctrlKey || ev.metaKey || ev.altKey) { return; }
    var k = ev.key;
    if (k >= "1" && k <= "9") {
      pending += k;
      if (pending.length === 2) { toggleRisk(pending); pending = ""; }
      ev.preventDefault();
      return;
    }
    pending = "";
    if (k === "c") {
      clean.checked = !clean.checked;
      if (clean.checked) { risks().forEach(function (b) { b.checked = false; }); }
    } else if (k === "n") { document.getElementById("note").focus(); }
    else if (k === "s") { document.getElementById("skip-form").submit(); }
    else if (k === "r") { var r = document.getElementById("reveal-form"); if (r) { r.submit(); } }
    else if (k === "Enter") { form.submit(); }
    else { return; }
    ev.preventDefault();
  });
})();
