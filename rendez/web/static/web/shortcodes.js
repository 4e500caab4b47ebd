/* The shortcode picker: a button with data-shortcode="name" inserts {name} at the cursor of the template
   field last focused (the one named by the picker's data-default-target before any), then tells the field it
   changed so the live preview follows. No dependencies. */
(function () {
  "use strict";
  var last = null;
  document.addEventListener("focusin", function (event) {
    if (event.target.hasAttribute && event.target.hasAttribute("data-shortcode-target")) last = event.target;
  });
  document.addEventListener("click", function (event) {
    var button = event.target.closest ? event.target.closest("button[data-shortcode]") : null;
    if (!button) return;
    event.preventDefault();
    var picker = button.closest("[data-default-target]");
    var field = last || (picker && document.getElementById(picker.getAttribute("data-default-target")));
    if (!field) return;
    var text = "{" + button.getAttribute("data-shortcode") + "}";
    var start = field.selectionStart == null ? field.value.length : field.selectionStart;
    var end = field.selectionEnd == null ? start : field.selectionEnd;
    field.value = field.value.slice(0, start) + text + field.value.slice(end);
    field.focus();
    field.setSelectionRange(start + text.length, start + text.length);
    field.dispatchEvent(new Event("input", { bubbles: true }));
  });
})();
