/* Back office: keep the sign-in desk's 实到/应到 count live. The page works without this file. */
(function () {
  "use strict";
  var POLL_MS = 4000;
  var box = document.querySelector("[data-turnout-url]");
  if (!box || !window.fetch) { return; }
  var url = box.getAttribute("data-turnout-url");

  function show(data) {
    var present = box.querySelector("[data-present]");
    var roster = box.querySelector("[data-roster]");
    var quorum = box.querySelector("[data-quorum]");
    if (present) { present.textContent = String(data.present); }
    if (roster) { roster.textContent = String(data.roster); }
    if (quorum) {
      quorum.textContent = quorum.getAttribute(data.quorum ? "data-yes" : "data-no");
      quorum.classList.toggle("tag--ok", !!data.quorum);
      quorum.classList.toggle("tag--warn", !data.quorum);
    }
  }

  function poll() {
    if (document.hidden) { return; }
    fetch(url, { credentials: "same-origin", cache: "no-store", headers: { "Accept": "application/json" } })
      .then(function (response) { return response.ok ? response.json() : null; })
      .then(function (data) { if (data) { show(data); } })
      .catch(function () { /* offline for a moment: keep the last count */ });
  }

  window.setInterval(poll, POLL_MS);
  document.addEventListener("visibilitychange", poll);
})();
