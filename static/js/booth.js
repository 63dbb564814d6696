/* The booth works without this file. It only adds a live "已选赞成 n/N" counter, disables
   further "for" marks once the seats are filled, and moves focus to a problem message. */
(function () {
  "use strict";
  var problem = document.querySelector("[data-focus]");
  if (problem) { problem.focus(); }

  var form = document.querySelector("[data-booth-form]");
  if (!form) { return; }
  var seats = parseInt(form.getAttribute("data-seats"), 10);
  if (!(seats > 0)) { return; }
  var fors = form.querySelectorAll('input[type="radio"][value="for"]');
  var counters = document.querySelectorAll("[data-for-count]");
  var hint = document.querySelector("[data-full-hint]");

  function update() {
    var marked = 0, i;
    for (i = 0; i < fors.length; i++) { if (fors[i].checked) { marked++; } }
    for (i = 0; i < counters.length; i++) {
      counters[i].textContent = String(marked);
      counters[i].parentNode.className = "booth-counter" +
        (marked > seats ? " booth-counter--over" : marked === seats ? " booth-counter--full" : "");
    }
    for (i = 0; i < fors.length; i++) {
      var off = marked >= seats && !fors[i].checked;
      fors[i].disabled = off;
      fors[i].parentNode.className = "booth-choice" + (off ? " booth-choice--off" : "");
    }
    if (hint) { hint.hidden = marked < seats; }
  }

  form.addEventListener("change", update);
  update();
})();
