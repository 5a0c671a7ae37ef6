/* Documents list, "new document" form: the round applies to progress reports only, so it is hidden
 * for the other kinds. A separate file because the Content-Security-Policy allows no inline scripts. */
(function () {
  "use strict";
  var kind = document.querySelector("[data-kind-select]");
  var round = document.querySelector("[data-round-field]");
  if (!kind || !round) return;
  function sync() { round.hidden = kind.value !== "progress"; }
  kind.addEventListener("change", sync);
  sync();
})();
