/* Rendez's booking widget for a business's own website (docs/embed.md). The panel gives the snippet:

     <iframe data-rendez-embed src="https://rendez.example/book/acme/embed/" title="Book with Acme"
             style="width:100%;height:720px;border:0" loading="lazy"></iframe>
     <script src="https://rendez.example/static/web/embed.js" async></script>

   or, in the iframe's place, a placeholder <div data-rendez="acme"></div> that this script fills with one.
   It sizes each frame to the page inside it from the height that page posts (embed-frame.js), and brings the
   frame's top into view when the visitor moves on to a step that begins above the window. A message counts
   only when it comes from the Rendez this script was loaded from, from one of the frames on this page, and in
   the expected shape; nothing received is run, and nothing else is loaded. */
(function () {
  "use strict";
  var script = document.currentScript;
  if (!script || !script.src || !window.URL) return;
  var origin = new URL(script.src, window.location.href).origin;

  // Pasted twice (or two widgets of one Rendez): one listener sizes every frame.
  var loaded = (window.__rendezEmbed = window.__rendezEmbed || {});
  if (loaded[origin]) return;
  loaded[origin] = true;

  var FRAME = "iframe[data-rendez-embed]";
  var DEFAULT_HEIGHT = 720; // px, until the page inside says how tall it is
  var MAX_HEIGHT = 20000; // px: a larger number is not a booking page's
  var SLUG = /^[A-Za-z0-9_-]+$/;

  function fill(placeholder) {
    var slug = placeholder.getAttribute("data-rendez");
    if (!SLUG.test(slug || "")) return;
    var frame = document.createElement("iframe");
    frame.src = origin + "/book/" + slug + "/embed/";
    frame.title = placeholder.getAttribute("data-title") || "Book an appointment";
    frame.setAttribute("data-rendez-embed", "");
    frame.setAttribute("loading", "lazy");
    frame.style.width = "100%";
    frame.style.height = DEFAULT_HEIGHT + "px";
    frame.style.border = "0";
    placeholder.setAttribute("data-rendez-filled", "");
    placeholder.appendChild(frame);
  }

  function fillPlaceholders() {
    var placeholders = document.querySelectorAll("div[data-rendez]:not([data-rendez-filled])");
    for (var i = 0; i < placeholders.length; i++) fill(placeholders[i]);
  }

  function frameOf(source) {
    var frames = document.querySelectorAll(FRAME);
    for (var i = 0; i < frames.length; i++) {
      if (frames[i].contentWindow === source) return frames[i];
    }
    return null;
  }

  function isHeightMessage(data) {
    return (
      data !== null &&
      typeof data === "object" &&
      data.rendez === "embed" &&
      typeof data.height === "number" &&
      isFinite(data.height) &&
      data.height >= 0 &&
      data.height <= MAX_HEIGHT
    );
  }

  window.addEventListener("message", function (event) {
    if (event.origin !== origin || !isHeightMessage(event.data)) return;
    var frame = frameOf(event.source);
    if (!frame) return;
    frame.style.height = Math.ceil(event.data.height) + "px";
    if (event.data.newPage !== true) return;
    // The first page is where the visitor found it; a later step starts at its top, in view.
    var pages = Number(frame.getAttribute("data-rendez-pages") || "0") + 1;
    frame.setAttribute("data-rendez-pages", String(pages));
    if (pages > 1 && frame.getBoundingClientRect().top < 0) frame.scrollIntoView({ block: "start" });
  });

  if (document.readyState === "loading") {
    document.addEventListener("DOMContentLoaded", fillPlaceholders);
  } else {
    fillPlaceholders();
  }
})();
