/* Inside a website's frame (the embeddable booking page, docs/embed.md): tells the page around it how tall this
   page is, when it loads and whenever that changes (htmx swapping in times or the meeting link, an error, a new
   width), so embed.js there can size the frame to fit. Only a number leaves the frame, never its address (the
   confirmation page's holds the booking's manage token), so it may go to whichever site frames it. */
(function () {
  "use strict";
  if (window.parent === window) return; // opened on its own: nothing to size

  var sent = -1;

  function height() {
    // The document's own height, not the frame's: the frame must be able to shrink as well as grow.
    return Math.ceil(document.documentElement.getBoundingClientRect().height);
  }

  function report(newPage) {
    var now = height();
    if (now === sent && !newPage) return;
    sent = now;
    window.parent.postMessage({ rendez: "embed", height: now, newPage: newPage }, "*");
  }

  report(true);
  if (window.ResizeObserver) {
    new ResizeObserver(function () { report(false); }).observe(document.body);
  } else {
    window.addEventListener("resize", function () { report(false); });
  }
  document.addEventListener("htmx:afterSettle", function () { report(false); });
  window.addEventListener("load", function () { report(false); });
})();
