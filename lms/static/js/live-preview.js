// The live preview (flask lms preview PATH): reload the page when a file of the working folder changes. The page
// carries the folder's fingerprint; this asks the server for it every second and reloads when it differs.
(function () {
  "use strict";
  var marker = document.querySelector("[data-preview-fingerprint]");
  if (!marker || !window.fetch) { return; }
  var shown = marker.getAttribute("data-preview-fingerprint");
  var poll = marker.getAttribute("data-preview-poll");
  var busy = false;
  window.setInterval(function () {
    if (busy) { return; }
    busy = true;
    window.fetch(poll, { cache: "no-store", credentials: "same-origin" })
      .then(function (response) { return response.ok ? response.text() : shown; })
      .then(function (current) { if (current.trim() !== shown) { window.location.reload(); } })
      .catch(function () { /* the preview server stopped or restarts: try again next time */ })
      .then(function () { busy = false; });
  }, 1000);
})();
