/* The booking page's zone. The server renders every step's times in the zone the page names (the address's
   `tz`, else the `rendez_tz` cookie, else the business's), so this script only has to tell it the visitor's:
   it stores the browser's zone in the cookie on the first page, reloads a time step that was rendered before
   the zone was known, and keeps the choice made in the zone box for every later step. It depends on nothing
   else on the page (htmx included), so the order in which scripts load cannot leave times in another zone
   than the one shown. */
(function () {
  "use strict";
  var COOKIE = "rendez_tz";

  function browserZone() {
    try {
      return Intl.DateTimeFormat().resolvedOptions().timeZone || "";
    } catch (error) {
      return "";
    }
  }

  function storedZone() {
    var match = document.cookie.match(/(?:^|;\s*)rendez_tz=([^;]*)/);
    return match ? match[1] : "";
  }

  function remember(zone) {
    // Zone names are cookie-safe as they are; encoding them would hide them from the server.
    if (!/^[A-Za-z0-9_+\-\/]+$/.test(zone)) return;
    document.cookie = COOKIE + "=" + zone + "; path=/; max-age=31536000; SameSite=Lax";
  }

  function offers(select, zone) {
    for (var i = 0; i < select.options.length; i++) {
      if (select.options[i].value === zone) return true;
    }
    return false;
  }

  if (!storedZone() && browserZone()) remember(browserZone());

  var select = document.getElementById("tz");
  if (!select || !select.form) return;
  var form = select.form;

  // Rendered before the server knew the zone (a link straight to this step): ask for it in the right one.
  var zone = browserZone();
  if (select.getAttribute("data-detect") === "1" && zone && zone !== select.value && offers(select, zone)) {
    var url = new URL(window.location.href);
    url.searchParams.set("tz", zone);
    window.location.replace(url.toString());
    return;
  }

  form.addEventListener("change", function (event) {
    if (event.target === select) remember(select.value);
    // The address follows the choice, so going back or reloading shows the same day in the same zone.
    var query = new URLSearchParams(new FormData(form)).toString();
    window.history.replaceState(null, "", form.getAttribute("action") + "?" + query);
    // Without htmx (not loaded, or blocked) the form itself asks for the page again.
    if (!window.htmx) form.submit();
  });
})();
