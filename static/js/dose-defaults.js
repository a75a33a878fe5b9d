/*
 * A program row shows the level chosen (select[data-level-defaults]): its picture under
 * the list, and its shortest hold, get-ready and rest as the placeholders of the row's
 * fields, whose hold field takes the level's range. Without JavaScript an empty field
 * still means the level's value; the help text says so.
 */
(function () {
  "use strict";

  var FIELDS = ["target_seconds", "get_ready_seconds", "rest_seconds"];

  function fieldOf(row, name) {
    return row.querySelector('input[name$="' + name + '"]');
  }

  function showPicture(select, picture) {
    var shown = select.parentNode.querySelector("img.level-choice-picture");
    if (!picture) {
      if (shown) {
        shown.hidden = true;
      }
      return;
    }
    if (!shown) {
      shown = document.createElement("img");
      shown.className = "level-choice-picture img-fluid rounded border mt-2";
      shown.width = 160;
      select.parentNode.insertBefore(shown, select.nextSibling);
    }
    shown.src = picture.src;
    shown.alt = picture.alt;
    shown.hidden = false;
  }

  function show(select) {
    var defaults = JSON.parse(select.dataset.levelDefaults)[select.value];
    var row = select.closest("fieldset") || select.form;
    showPicture(select, defaults && defaults.picture);
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
