// After a refused save, bring the first field with a reason into view on a phone (the reasons
// of a long form are otherwise far below the summary at the top) and put the cursor in it.
// Used by the home-visit form; a file, since the Content-Security-Policy allows no inline script.
document.addEventListener("DOMContentLoaded", () => {
  const error =
    document.querySelector("form .is-invalid, form .invalid-feedback") ||
    document.querySelector("form .alert-danger");
  if (!error) return;
  const box = error.closest(".mb-3") || error;
  box.scrollIntoView({ block: "center" });
  const field = box.querySelector("input:not([type=hidden]), textarea, select");
  if (field) field.focus({ preventScroll: true });
});
