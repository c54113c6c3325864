// Small enhancements only: every page works without this file.
(function () {
  "use strict";

  // Load an embedded map only when the visitor asks, so the maps company sees nobody else.
  document.querySelectorAll(".map-loader").forEach(function (box) {
    var button = box.querySelector("[data-map-load]");
    if (!button) return;
    button.hidden = false;
    button.addEventListener("click", function () {
      var frame = document.createElement("iframe");
      frame.src = box.dataset.mapSrc;
      frame.title = box.dataset.mapTitle;
      frame.loading = "lazy";
      frame.referrerPolicy = "no-referrer";
      button.replaceWith(frame);
    });
  });
})();

(function () {
  "use strict";
  // A print button for handouts such as "After your infusion".
  document.querySelectorAll("[data-print]").forEach(function (button) {
    button.hidden = false;
    button.addEventListener("click", function () {
      window.print();
    });
  });
})();

(function () {
  "use strict";
  // After a failed submit, move focus to the error summary or the safety notice, so screen
  // reader and keyboard users hear what needs doing first.
  var summary = document.getElementById("error-summary") || document.getElementById("screening-notice");
  if (summary) summary.focus();

  // A running "characters left" count under the message box. The limit is also in the
  // field's hint, so nothing depends on this.
  document.querySelectorAll("textarea.js-character-count[maxlength]").forEach(function (box) {
    var limit = parseInt(box.getAttribute("maxlength"), 10);
    var counter = document.createElement("p");
    counter.className = "character-count";
    counter.id = box.id + "_count";
    box.insertAdjacentElement("afterend", counter);
    var update = function () {
      counter.textContent = (limit - box.value.length) + " characters left";
    };
    box.addEventListener("input", update);
    update();
  });
})();

(function () {
  "use strict";
  // Checklists keep their ticks in this browser only (localStorage), per page and per line:
  // nothing is sent to the clinic. Without storage (private mode) the boxes still tick.
  var store;
  try {
    store = window.localStorage;
    store.getItem("checklist");
  } catch (error) {
    return;
  }
  var prefix = "checklist:" + window.location.pathname + ":";
  document.querySelectorAll(".checklist__box").forEach(function (box) {
    var key = prefix + box.id;
    box.checked = store.getItem(key) === "1";
    box.addEventListener("change", function () {
      try {
        if (box.checked) store.setItem(key, "1");
        else store.removeItem(key);
      } catch (error) { /* storage full or refused: the tick still shows */ }
    });
  });
})();
