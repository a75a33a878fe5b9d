/*
 * A search box above each stretch list of the program builder (select[data-stretch-search]):
 * typing a name or a body region ("calf", "low back") leaves only the matching stretches
 * in the list. Without JavaScript the list is whole, grouped by exercise.
 */
(function () {
  "use strict";

  function words(text) {
    return text.toLowerCase().split(/\s+/).filter(Boolean);
  }

  function setUp(select, index) {
    var box = document.createElement("input");
    box.type = "search";
    box.className = "form-control mb-2";
    box.id = "stretch-search-" + index;
    box.setAttribute("aria-controls", select.id);
    var label = document.createElement("label");
    label.className = "form-label visually-hidden";
    label.htmlFor = box.id;
    label.textContent = "Search the stretches by name or body region";
    box.placeholder = "Search by name or body region";
    select.parentNode.insertBefore(label, select);
    select.parentNode.insertBefore(box, select);

    box.addEventListener("input", function () {
      var wanted = words(box.value);
      Array.prototype.forEach.call(select.querySelectorAll("optgroup"), function (group) {
        var groupText = group.label.toLowerCase();
        var shown = 0;
        Array.prototype.forEach.call(group.querySelectorAll("option"), function (option) {
          var text = groupText + " " + option.textContent.toLowerCase();
          var match = wanted.every(function (word) {
            return text.indexOf(word) !== -1;
          });
          option.hidden = !match && !option.selected;
          if (!option.hidden) {
            shown += 1;
          }
        });
        group.hidden = shown === 0;
      });
    });
  }

  document.querySelectorAll("select[data-stretch-search]").forEach(setUp);
})();
