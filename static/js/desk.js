/* The voting desk: refresh the number of ballots cast while the vote is open. */
(function () {
  "use strict";
  var el = document.querySelector("[data-live-count][data-url]");
  if (!el || !window.fetch) { return; }
  var url = el.getAttribute("data-url");
  function poll() {
    fetch(url, { credentials: "same-origin", cache: "no-store" })
      .then(function (r) { return r.ok ? r.json() : null; })
      .then(function (data) {
        if (!data) { return; }
        el.textContent = String(data.cast);
        if (data.state === "open") { window.setTimeout(poll, 3000); }
      })
      .catch(function () { window.setTimeout(poll, 10000); });
  }
  window.setTimeout(poll, 3000);
})();
