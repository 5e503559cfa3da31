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

// Phones: every table cell carries its column's heading (data-label), so that a table shown as
// stacked cards still says what each value is; the invoice list's filters start collapsed.
function labelCells(root) {
  root.querySelectorAll(".table-wrap table").forEach(function (table) {
    var headings = Array.prototype.map.call(table.querySelectorAll("thead th"), function (th) {
      return th.textContent.trim();
    });
    table.querySelectorAll("tbody tr").forEach(function (row) {
      Array.prototype.forEach.call(row.children, function (cell, index) {
        if (!cell.hasAttribute("data-label") && headings[index]) {
          cell.setAttribute("data-label", headings[index]);
        }
      });
    });
  });
}
document.addEventListener("DOMContentLoaded", function () {
  labelCells(document);
  if (window.matchMedia("(max-width: 640px)").matches) {
    document.querySelectorAll("details.filter-box[open]").forEach(function (box) {
      box.removeAttribute("open");
    });
  }
});
document.addEventListener("htmx:afterSwap", function (event) {
  labelCells(event.target.parentNode || document);
});
