// Progressive enhancements of forms; every form works without them (the server checks everything again).
// - A file input with data-max-bytes refuses a file that is too large before it is sent, and says so.
// - A select with data-browser-time-zone starts on the browser's time zone when it offers it.
(function () {
  "use strict";

  function sizeText(bytes) {
    return bytes >= 1048576 ? (bytes / 1048576).toFixed(1).replace(/\.0$/, "") + " MB"
                            : Math.ceil(bytes / 1024) + " KB";
  }

  document.querySelectorAll("input[type=file][data-max-bytes]").forEach(function (input) {
    var limit = Number(input.dataset.maxBytes);
    var message = document.createElement("p");
    message.className = "field-error";
    message.id = input.id + "-size";
    message.setAttribute("aria-live", "polite");
    input.insertAdjacentElement("afterend", message);
    input.addEventListener("change", function () {
      var file = input.files && input.files[0];
      var text = "";
      if (file && file.size > limit) {
        text = file.name + " is " + sizeText(file.size) + ": letters may be at most " + sizeText(limit) +
               ". Choose a smaller file (a scan at 150 dpi is usually enough).";
      }
      input.setCustomValidity(text);
      message.textContent = text;
      if (text) { input.setAttribute("aria-describedby", message.id); }
    });
    if (input.form) {
      input.form.addEventListener("submit", function (event) {
        if (!input.checkValidity()) { event.preventDefault(); input.focus(); }
      });
    }
  });

  document.querySelectorAll("select[data-browser-time-zone]").forEach(function (select) {
    var zone;
    try { zone = Intl.DateTimeFormat().resolvedOptions().timeZone; } catch (error) { return; }
    if (zone && select.querySelector("option[value='" + zone.replace(/'/g, "") + "']")) {
      select.value = zone;
    }
  });
}());
