/* Measure form: the step list (add, remove, move up/down, step <-> sub-item) and the month pickers;
 * the copy page: "select all". Vanilla JS, no dependencies.
 *
 * The step list is one flat Django formset (prefix in data-prefix). Each row has hidden inputs
 * "<prefix>-N-id" and "<prefix>-N-level" (1 step, 2 sub-item of the nearest step above). After every
 * change the rows are renumbered in DOM order, so the order posted is the order on screen, and
 * TOTAL_FORMS is updated. Rows are moved as DOM nodes: whatever was typed in them stays.
 */
(function () {
  "use strict";

  var THAI_DIGITS = "๐๑๒๓๔๕๖๗๘๙";

  function thai(n) {
    return String(n).replace(/[0-9]/g, function (d) { return THAI_DIGITS[Number(d)]; });
  }

  function initStepFormset(root) {
    var prefix = root.getAttribute("data-prefix");
    var list = root.querySelector("[data-step-list]");
    var template = root.querySelector("template[data-step-template]");
    var total = root.querySelector('input[name="' + prefix + '-TOTAL_FORMS"]');
    var indexPattern = new RegExp(prefix + "-(\\d+|__prefix__)-");

    function rows() {
      return Array.prototype.filter.call(list.children, function (el) { return el.hasAttribute("data-step-row"); });
    }
    function levelInput(row) { return row.querySelector('input[name$="-level"]'); }
    function levelOf(row) { return Number(levelInput(row).value || 1) === 2 ? 2 : 1; }
    function setLevel(row, level) {
      levelInput(row).value = String(level);
      row.setAttribute("data-level", String(level));
      row.classList.toggle("step-sub", level === 2);
      var button = row.querySelector("[data-step-indent]");
      if (button) {
        button.textContent = button.getAttribute(level === 2 ? "data-label-outdent" : "data-label-indent");
      }
    }
    /* A step and the sub-items right after it; a sub-item alone. */
    function block(row) {
      var out = [row];
      if (levelOf(row) === 2) { return out; }
      var next = row.nextElementSibling;
      while (next && next.hasAttribute("data-step-row") && levelOf(next) === 2) {
        out.push(next);
        next = next.nextElementSibling;
      }
      return out;
    }
    function previousStep(row) {
      var prev = row.previousElementSibling;
      while (prev && levelOf(prev) !== 1) { prev = prev.previousElementSibling; }
      return prev;
    }
    function nextStep(row) {
      var items = block(row);
      var next = items[items.length - 1].nextElementSibling;
      return next && next.hasAttribute("data-step-row") ? next : null;
    }

    function renumber() {
      var step = 0;
      var sub = 0;
      rows().forEach(function (row, i) {
        row.querySelectorAll("[name], [id], label[for]").forEach(function (el) {
          ["name", "id", "for"].forEach(function (attr) {
            var value = el.getAttribute(attr);
            if (value && indexPattern.test(value)) {
              el.setAttribute(attr, value.replace(indexPattern, prefix + "-" + i + "-"));
            }
          });
        });
        var level = levelOf(row);
        if (level === 2 && step === 0) { level = 1; }  // a sub-item needs a step above it
        setLevel(row, level);
        var number;
        if (level === 1) { step += 1; sub = 0; number = thai(step) + "."; } else { sub += 1; number = "(" + thai(sub) + ")"; }
        row.querySelector("[data-step-number]").textContent = number;

        var prev = row.previousElementSibling;
        var next = level === 1 ? nextStep(row) : row.nextElementSibling;
        row.querySelector("[data-step-up]").disabled = level === 1 ? !previousStep(row) : !(prev && levelOf(prev) === 2);
        row.querySelector("[data-step-down]").disabled = level === 1 ? !next : !(next && next.hasAttribute("data-step-row") && levelOf(next) === 2);
        row.querySelector("[data-step-indent]").disabled = i === 0;
      });
      total.value = String(rows().length);
    }

    function newRow(level) {
      var row = template.content.firstElementChild.cloneNode(true);
      setLevel(row, level);
      return row;
    }
    function focus(row) {
      var text = row.querySelector("textarea");
      if (text) { text.focus(); }
    }

    root.addEventListener("click", function (event) {
      var button = event.target.closest("button");
      if (!button || !root.contains(button)) { return; }
      var row = button.closest("[data-step-row]");
      var items;
      if (button.hasAttribute("data-step-add")) {
        var added = newRow(1);
        list.appendChild(added);
        renumber();
        focus(added);
      } else if (!row) {
        return;
      } else if (button.hasAttribute("data-step-add-sub")) {
        var parent = levelOf(row) === 1 ? row : previousStep(row);
        var sub = newRow(2);
        items = block(parent || row);
        items[items.length - 1].after(sub);
        renumber();
        focus(sub);
      } else if (button.hasAttribute("data-step-remove")) {
        items = block(row);
        if (items.length > 1 && !window.confirm(button.getAttribute("data-confirm"))) { return; }
        items.forEach(function (el) { el.remove(); });
        renumber();
      } else if (button.hasAttribute("data-step-up")) {
        if (levelOf(row) === 1) {
          var before = previousStep(row);
          if (before) { block(row).forEach(function (el) { list.insertBefore(el, before); }); }
        } else if (row.previousElementSibling && levelOf(row.previousElementSibling) === 2) {
          list.insertBefore(row, row.previousElementSibling);
        }
        renumber();
        button.focus();
      } else if (button.hasAttribute("data-step-down")) {
        if (levelOf(row) === 1) {
          var after = nextStep(row);
          if (after) { block(after).forEach(function (el) { list.insertBefore(el, row); }); }
        } else if (row.nextElementSibling && levelOf(row.nextElementSibling) === 2) {
          row.nextElementSibling.after(row);
        }
        renumber();
        button.focus();
      } else if (button.hasAttribute("data-step-indent")) {
        setLevel(row, levelOf(row) === 1 ? 2 : 1);
        renumber();
      }
    });

    renumber();
  }

  function initMonthPicker(wrapper) {
    var select = wrapper.querySelector("[data-month-select]");
    var other = wrapper.querySelector("[data-month-other-wrap]");
    if (!select || !other) { return; }
    function sync() {
      var show = select.value === "other";
      other.hidden = !show;
      if (!show) { other.querySelector("input").value = ""; }
    }
    if (select.value === "" && other.querySelector("input").value) { select.value = "other"; }
    select.addEventListener("change", function () {
      sync();
      if (select.value === "other") { other.querySelector("input").focus(); }
    });
    sync();
  }

  function initCheckAll(box) {
    var name = box.getAttribute("data-check-all");
    var form = box.form || document;
    box.addEventListener("change", function () {
      form.querySelectorAll('input[type="checkbox"][name="' + name + '"]').forEach(function (el) {
        el.checked = box.checked;
      });
    });
  }

  function init() {
    document.querySelectorAll("[data-step-formset]").forEach(initStepFormset);
    document.querySelectorAll("[data-fiscal-month]").forEach(initMonthPicker);
    document.querySelectorAll("[data-check-all]").forEach(initCheckAll);
  }

  if (document.readyState === "loading") {
    document.addEventListener("DOMContentLoaded", init);
  } else {
    init();
  }
})();
