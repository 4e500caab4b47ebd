/* Copy buttons: <button data-copy="ID"> copies the value of the field with that id and says so in the element
   marked data-copied-for="ID". Where the clipboard is refused, the text is selected for the person to copy. */
(function () {
  "use strict";
  document.addEventListener("click", function (event) {
    var button = event.target.closest ? event.target.closest("button[data-copy]") : null;
    if (!button) return;
    var id = button.getAttribute("data-copy");
    var field = document.getElementById(id);
    var said = document.querySelector('[data-copied-for="' + id + '"]');
    if (!field) return;
    function tell(text) { if (said) said.textContent = text; }
    function select() { field.focus(); field.select(); tell("Selected: press Ctrl+C (⌘C) to copy."); }
    if (!navigator.clipboard) { select(); return; }
    navigator.clipboard.writeText(field.value).then(function () { tell("Copied."); }, select);
  });
})();
