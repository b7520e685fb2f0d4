// Automatic completion: when the end of a lesson has been on screen, mark the lesson complete, as the
// "Mark as complete" button would. Without JavaScript the button does the same job.
(function () {
  "use strict";
  var form = document.querySelector("form.complete-form[data-auto-complete]");
  var end = document.getElementById("lesson-end");
  if (!form || !end || !("IntersectionObserver" in window) || !window.fetch) { return; }
  var status = document.getElementById("completion-status");
  var done = false;
  var observer = new IntersectionObserver(function (entries) {
    if (done || !entries.some(function (e) { return e.isIntersecting; })) { return; }
    done = true;
    observer.disconnect();
    fetch(form.action, {
      method: "POST",
      body: new FormData(form),
      headers: { "Accept": "application/json" },
      credentials: "same-origin"
    }).then(function (response) {
      if (response.ok && status) {
        status.textContent = "You reached the end of this lesson: it is marked as complete.";
      }
    }).catch(function () { done = false; });
  }, { threshold: 1.0 });
  observer.observe(end);
}());
