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
  var remember = function (box) {
    try {
      if (box.checked) store.setItem(prefix + box.id, "1");
      else store.removeItem(prefix + box.id);
    } catch (error) { /* storage full or refused: the tick still shows */ }
  };
  document.querySelectorAll(".checklist__box").forEach(function (box) {
    box.checked = store.getItem(prefix + box.id) === "1";
    box.addEventListener("change", function () { remember(box); });
  });
  // On a shared phone or computer, ticks should not outlive the visit: one button per list
  // clears them, and says where they are kept.
  document.querySelectorAll("ul.checklist").forEach(function (list) {
    var note = document.createElement("p");
    note.className = "checklist-clear";
    note.textContent = "Your ticks are kept only on this device. ";
    var button = document.createElement("button");
    button.type = "button";
    button.className = "btn btn-link p-0 align-baseline";
    button.textContent = "Clear the ticks in this list";
    button.addEventListener("click", function () {
      list.querySelectorAll(".checklist__box").forEach(function (box) {
        box.checked = false;
        remember(box);
      });
    });
    note.appendChild(button);
    list.insertAdjacentElement("afterend", note);
  });
})();
