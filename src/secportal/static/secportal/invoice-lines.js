// The invoice form's lines: "Up" and "Down" move a line (the order posted is the order saved).
// A separate file because the Content-Security-Policy allows no inline script.
document.addEventListener("click", function (event) {
  var button = event.target instanceof Element ? event.target.closest("[data-line-move]") : null;
  if (!button) {
    return;
  }
  var row = button.closest("tr");
  if (!row || !row.parentNode) {
    return;
  }
  if (button.getAttribute("data-line-move") === "up" && row.previousElementSibling) {
    row.parentNode.insertBefore(row, row.previousElementSibling);
  } else if (button.getAttribute("data-line-move") === "down" && row.nextElementSibling) {
    row.parentNode.insertBefore(row.nextElementSibling, row);
  }
  button.focus();
});
