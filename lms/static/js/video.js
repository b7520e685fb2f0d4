// Video lessons. Without this file the page still works: the transcript and chapter links open the video file at
// their time, and "Mark as complete" completes the lesson.
//  - chapter and transcript links move the player to their time;
//  - the captions menu switches the caption track (the player's own menu does too);
//  - the parts actually played are reported to the server (seeking ahead adds nothing), which completes the lesson
//    once enough of the video is watched and remembers where to resume, on any device;
//  - an external video is loaded only when the learner presses its play button.
(function () {
  "use strict";

  function seekLinks(video) {
    document.querySelectorAll("[data-seek]").forEach(function (link) {
      link.addEventListener("click", function (event) {
        event.preventDefault();
        video.currentTime = parseFloat(link.getAttribute("data-seek")) || 0;
        video.scrollIntoView({ block: "nearest" });
        video.focus();
        var playing = video.play();
        if (playing && playing.catch) { playing.catch(function () {}); }  // autoplay refused: the time is set
      });
    });
  }

  function captionChoice(video) {
    var select = document.querySelector("[data-caption-select]");
    if (!select) { return; }
    select.closest("[hidden]").hidden = false;
    function show(language) {
      Array.prototype.forEach.call(video.textTracks, function (track) {
        if (track.kind === "captions") { track.mode = track.language === language ? "showing" : "disabled"; }
      });
    }
    select.addEventListener("change", function () { show(select.value); });
  }

  function csrfToken() {
    var field = document.querySelector("input[name=csrf_token]");
    return field ? field.value : "";
  }

  function reportWatching(video) {
    var url = video.getAttribute("data-watching-url");
    if (!url || !window.fetch) { return; }
    var played = [];  // closed intervals not yet reported
    var segmentStart = null;
    var lastTime = 0;
    var sending = false;
    var completed = false;

    function close() {
      if (segmentStart !== null && lastTime > segmentStart) { played.push([segmentStart, lastTime]); }
      segmentStart = null;
    }

    video.addEventListener("timeupdate", function () {
      var now = video.currentTime;
      if (video.paused || video.seeking) { return; }
      // A jump (seeking) ends the interval: only what is played continuously counts.
      if (segmentStart === null || now < lastTime || now - lastTime > 2) {
        close();
        segmentStart = now;
      }
      lastTime = now;
    });
    video.addEventListener("seeking", close);
    video.addEventListener("pause", function () { close(); send(); });
    video.addEventListener("ended", function () { lastTime = video.duration; close(); send(); });

    function send() {
      if (sending) { return; }
      if (segmentStart !== null && lastTime > segmentStart) {  // report the open interval so far, and go on from it
        played.push([segmentStart, lastTime]);
        segmentStart = lastTime;
      }
      if (!played.length) { return; }
      var intervals = played;
      played = [];
      sending = true;
      fetch(url, {
        method: "POST",
        credentials: "same-origin",
        headers: { "Content-Type": "application/json", "Accept": "application/json", "X-CSRFToken": csrfToken() },
        body: JSON.stringify({ intervals: intervals, position: video.currentTime })
      }).then(function (response) {
        sending = false;
        if (!response.ok) { return null; }
        return response.json();
      }).then(function (state) {
        if (state && state.completed && !completed) {
          completed = true;
          markCompleted(video.getAttribute("data-done-status"));
        }
      }).catch(function () { sending = false; played = intervals.concat(played); });
    }
    window.setInterval(function () { if (!video.paused) { send(); } }, 4000);

    var resumeAt = parseFloat(video.getAttribute("data-resume-at")) || 0;
    function resume() {
      if (resumeAt > 0 && resumeAt < video.duration - 1) { video.currentTime = resumeAt; }
      lastTime = video.currentTime;
    }
    if (video.readyState >= 1) { resume(); } else { video.addEventListener("loadedmetadata", resume, { once: true }); }
  }

  function markCompleted(message) {
    var status = document.getElementById("completion-status");
    if (status) { status.textContent = message; }
    var button = document.querySelector("form.complete-form button[type=submit]");
    if (button) { button.closest("form").hidden = true; }
  }

  function externalEmbeds() {
    document.querySelectorAll(".video-embed[data-embed-src]").forEach(function (box) {
      var button = box.querySelector("[data-embed-play]");
      button.hidden = false;
      button.addEventListener("click", function () {
        var frame = document.createElement("iframe");
        frame.src = box.getAttribute("data-embed-src");
        frame.title = box.getAttribute("data-embed-title");
        frame.setAttribute("allow", "fullscreen; picture-in-picture");
        frame.setAttribute("referrerpolicy", "strict-origin-when-cross-origin");
        frame.className = "video-frame";
        box.replaceChildren(frame);
      });
    });
  }

  var video = document.getElementById("lesson-video");
  if (video) {
    seekLinks(video);
    captionChoice(video);
    reportWatching(video);
  }
  externalEmbeds();
})();
