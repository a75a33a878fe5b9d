/*
 * The dose fields of a program row say what an empty field means: when a level is chosen
 * (select[data-level-defaults]), its shortest hold, get-ready and rest show as the
 * placeholders of the row's fields, and the hold field takes the level's range. Without
 * JavaScript an empty field still means the level's value; the help text says so.
 */
(function () {
  "use strict";

  var FIELDS = ["target_seconds", "get_ready_seconds", "rest_seconds"];

  function fieldOf(row, name) {
    return row.querySelector('input[name$="' + name + '"]');
  }

  function show(select) {
    var defaults = JSON.parse(select.dataset.levelDefaults)[select.value];
    var row = select.closest("fieldset") || select.form;
    FIELDS.forEach(function (name) {
      var input = fieldOf(row, name);
      if (input) {
        input.placeholder = defaults ? String(defaults[name]) : "";
      }
    });
    var hold = fieldOf(row, "target_seconds");
    if (hold && defaults) {
      hold.min = defaults.target_seconds;
      hold.max = defaults.hold_max_seconds;
    }
  }

  document.querySelectorAll("select[data-level-defaults]").forEach(function (select) {
    select.addEventListener("change", function () {
      show(select);
    });
    show(select);
  });
})();
