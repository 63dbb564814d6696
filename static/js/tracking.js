/* A unit's report: refuse, before sending, photos over the size limits, so that the narrative
   already typed is not lost to a "too large" answer. The server checks the same limits; the
   page works without this file. */
(function () {
  "use strict";
  var form = document.querySelector("form[data-max-photo-bytes]");
  if (!form || !window.FileReader) { return; }
  var perPhoto = Number(form.getAttribute("data-max-photo-bytes"));
  var total = Number(form.getAttribute("data-max-total-bytes"));
  var warning = form.querySelector("[data-size-warning]");

  function tooLarge() {
    var sum = 0;
    var over = false;
    Array.prototype.forEach.call(form.querySelectorAll("input[type=file]"), function (input) {
      Array.prototype.forEach.call(input.files || [], function (file) {
        sum += file.size;
        if (perPhoto && file.size > perPhoto) { over = true; }
      });
    });
    return over || (total && sum > total);
  }

  function check(event) {
    var refused = tooLarge();
    if (warning) {
      warning.textContent = refused ? form.getAttribute("data-too-large") : "";
      warning.hidden = !refused;
    }
    if (refused && event.type === "submit") {
      event.preventDefault();
      if (warning) { warning.scrollIntoView({ block: "center" }); }
    }
  }

  form.addEventListener("change", check);
  form.addEventListener("submit", check);
}());
