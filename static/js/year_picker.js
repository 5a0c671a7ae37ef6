/* Measures list: choosing a fiscal year in the year picker opens that year's list (the option values
 * are the list URLs). A separate file because the Content-Security-Policy allows no inline scripts. */
(function () {
  "use strict";
  document.querySelectorAll("[data-year-picker] select").forEach(function (select) {
    select.addEventListener("change", function () { window.location.href = select.value; });
  });
})();
