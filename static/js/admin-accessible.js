// Django's two-list selector (filter_horizontal) draws its search icon as a <span> with an
// aria-label and no role, a name ARIA does not allow there (axe: aria-prohibited-attr). The
// icon is an image with a description: say so. Django's script draws the icons on "load";
// this runs once every "load" handler has. (Selectors drawn later, in an inline row added on
// the page, would need a MutationObserver: no inline uses filter_horizontal.)
window.addEventListener("load", () => {
  setTimeout(() => {
    for (const icon of document.querySelectorAll(".help-tooltip[aria-label]:not([role])")) {
      icon.setAttribute("role", "img");
    }
  });
});
