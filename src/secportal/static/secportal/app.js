// Behaviour that would otherwise be inline (the Content-Security-Policy allows no inline script).
document.addEventListener("change", function (event) {
  var target = event.target;
  if (target instanceof HTMLSelectElement && target.hasAttribute("data-autosubmit") && target.form) {
    target.form.submit();
  }
});
document.addEventListener("submit", function (event) {
  var form = event.target;
  if (form instanceof HTMLFormElement && form.dataset.confirm && !window.confirm(form.dataset.confirm)) {
    event.preventDefault();
  }
});

// After a validation error, focus goes to the error summary (or else the first invalid field),
// so that keyboard and screen-reader users land on what to fix.
document.addEventListener("DOMContentLoaded", function () {
  var target = document.querySelector("[data-error-summary]") || document.querySelector("[aria-invalid=true]");
  if (target) {
    target.focus();
  }
});
