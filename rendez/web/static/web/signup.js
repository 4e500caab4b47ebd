/* The sign-up form: the time zone starts as the browser's (when the list has it), and the booking page address
   follows the business name until the person types one of their own. Without script the server suggests the
   address from the name and the person picks the zone. No dependencies. */
(function () {
  "use strict";
  var form = document.querySelector("form[data-signup]");
  if (!form) return;
  var zone = form.querySelector("select[name=timezone]");
  var name = form.querySelector("input[name=name]");
  var slug = form.querySelector("input[name=slug]");

  try {
    var browserZone = Intl.DateTimeFormat().resolvedOptions().timeZone;
    // Only on a fresh form: a form sent back with errors keeps what the person chose.
    if (zone && browserZone && !form.querySelector(".errorlist") && zone.value === "UTC") {
      for (var i = 0; i < zone.options.length; i++) {
        if (zone.options[i].value === browserZone) { zone.value = browserZone; break; }
      }
    }
  } catch (e) { /* no Intl: the list stays as the server sent it */ }

  function suggested(text) {
    return text.normalize("NFKD").replace(/[\u0300-\u036f]/g, "").toLowerCase()
      .replace(/[^a-z0-9\s-]/g, "").trim().replace(/[\s-]+/g, "-").slice(0, 50).replace(/^-+|-+$/g, "");
  }
  if (!name || !slug) return;
  var following = slug.value === "" || slug.value === suggested(name.value);
  name.addEventListener("input", function () { if (following) slug.value = suggested(name.value); });
  slug.addEventListener("input", function () { following = slug.value === ""; });
})();
