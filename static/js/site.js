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
