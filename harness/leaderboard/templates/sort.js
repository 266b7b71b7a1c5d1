// Sort a table by a column when its header button is clicked: numbers by their data-sort
// value (empty last), text otherwise; a second click reverses the order.
document.querySelectorAll("table.board").forEach(function (table) {
  table.querySelectorAll("thead th button").forEach(function (button, column) {
    button.addEventListener("click", function () {
      var th = button.parentElement;
      var ascending = th.getAttribute("aria-sort") !== "ascending";
      table.querySelectorAll("thead th").forEach(function (other) {
        other.removeAttribute("aria-sort");
      });
      th.setAttribute("aria-sort", ascending ? "ascending" : "descending");
      var body = table.tBodies[0];
      var rows = Array.prototype.slice.call(body.rows);
      var key = function (row) {
        var cell = row.cells[column];
        var raw = cell.getAttribute("data-sort");
        if (raw === null) { return { text: cell.textContent.trim() }; }
        var number = parseFloat(raw);
        return { number: isNaN(number) ? null : number };
      };
      rows.sort(function (a, b) {
        var x = key(a), y = key(b), order;
        if ("text" in x) {
          order = x.text.localeCompare(y.text);
        } else if (x.number === null || y.number === null) {
          return (x.number === null) - (y.number === null);  // empty cells stay last
        } else {
          order = x.number - y.number;
        }
        return ascending ? order : -order;
      });
      rows.forEach(function (row) { body.appendChild(row); });
    });
  });
});
