/* A POST form is sent once: its buttons are disabled and say they are saving; a second tap
   sends nothing (the one-time key makes a repeat harmless too). They come back after 20 s. */
(function () {
  "use strict";
  var label = (document.currentScript && document.currentScript.dataset.saving) || "正在保存…";
  function buttons(form) {
    return form.querySelectorAll("button[type=submit],button:not([type]),input[type=submit]");
  }
  function text(b, value) {
    var input = b.tagName === "INPUT";
    if (value === undefined) { return input ? b.value : b.innerHTML; }
    if (input) { b.value = value; } else { b.innerHTML = value; }
  }
  function unlock(form) {
    delete form.dataset.saving;
    form.removeAttribute("aria-busy");
    buttons(form).forEach(function (b) {
      b.disabled = false;
      if (b.dataset.label !== undefined) { text(b, b.dataset.label); delete b.dataset.label; }
    });
  }
  function lock(form, submitter) {
    form.dataset.saving = "1";
    form.setAttribute("aria-busy", "true");
    var shown = submitter || buttons(form)[0];
    // After this event: a disabled submitter would drop its name=value from the POST.
    setTimeout(function () {
      buttons(form).forEach(function (b) { b.disabled = true; });
      if (shown) {
        shown.dataset.label = text(shown);
        if (shown.tagName === "INPUT") { shown.value = label; } else { shown.textContent = label; }
      }
    }, 0);
    setTimeout(function () { unlock(form); }, 20000);
  }
  window.addEventListener("submit", function (event) {
    var form = event.target;
    if ((form.getAttribute("method") || "").toLowerCase() !== "post") { return; }
    if (form.dataset.saving) { event.preventDefault(); return; }
    if (!event.defaultPrevented) { lock(form, event.submitter); }
  });
  window.addEventListener("pageshow", function (event) {
    if (event.persisted) { document.querySelectorAll("form[data-saving]").forEach(unlock); }
  });
})();
