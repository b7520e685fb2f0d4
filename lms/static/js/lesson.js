// Automatic completion: when the end of a lesson has been on screen, mark the lesson complete, as the
// "Mark as complete" button would. Without JavaScript the button does the same job. Once it is recorded, the button
// gives way to a plain link forward (or, at the end of the course, to the page that says what is still missing), so
// the learner never sees a "Mark as complete" button for a lesson that is already complete.
(function () {
  "use strict";
  var form = document.querySelector("form.complete-form[data-auto-complete]");
  var end = document.getElementById("lesson-end");
  if (!form || !end || !("IntersectionObserver" in window) || !window.fetch) { return; }
  var status = document.getElementById("completion-status");
  var done = false;

  function showCompleted() {
    var forward = form.getAttribute("data-forward-url");
    var replacement = document.createElement("p");
    var link = document.createElement("a");
    link.className = "button";
    if (forward) {
      link.href = forward;
      link.textContent = form.getAttribute("data-forward-label");
    } else {
      link.href = window.location.pathname + "#lesson-end";
      link.textContent = form.getAttribute("data-next-label");  // worded by the page, in its language
      link.addEventListener("click", function () { window.location.reload(); });
    }
    replacement.appendChild(link);
    form.replaceWith(replacement);
  }

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
      if (!response.ok) { done = false; return; }
      if (status) {
        status.classList.remove("muted");
        status.textContent = form.getAttribute("data-done-status");
      }
      showCompleted();
    }).catch(function () { done = false; });
  }, { threshold: 1.0 });
  observer.observe(end);
}());
