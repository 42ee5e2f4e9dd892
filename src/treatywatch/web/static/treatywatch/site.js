// Wide tables scroll sideways inside their wrapper on small screens. A wrapper that scrolls but holds
// nothing focusable gets tabindex so keyboard users can scroll it too (WCAG 2.1.1).
(function () {
  function reachable() {
    document.querySelectorAll(".table-wrap").forEach(function (wrap) {
      var scrolls = wrap.scrollWidth > wrap.clientWidth;
      if (scrolls && !wrap.hasAttribute("tabindex") && !wrap.querySelector("a, button, input, select, textarea, [tabindex]")) {
        wrap.setAttribute("tabindex", "0");
        if (!wrap.hasAttribute("role")) {
          wrap.setAttribute("role", "region");
          var caption = wrap.querySelector("caption");
          wrap.setAttribute("aria-label", caption ? caption.textContent.trim() : document.title);
        }
      }
    });
  }
  document.addEventListener("DOMContentLoaded", reachable);
  document.addEventListener("htmx:afterSettle", reachable);
})();
