// A survey kiosk goes back to its empty start after a while without a touch, so that the
// next person never sees half of someone else's answers. No inline script (strict CSP).
(function () {
  "use strict";
  var kiosk = document.querySelector("[data-kiosk-start]");
  if (!kiosk) {
    return;
  }
  var start = kiosk.getAttribute("data-kiosk-start");
  var seconds = parseInt(kiosk.getAttribute("data-kiosk-idle-seconds"), 10) || 60;
  var timer = null;
  function restart() {
    window.clearTimeout(timer);
    timer = window.setTimeout(function () {
      window.location.assign(start);
    }, seconds * 1000);
  }
  ["pointerdown", "keydown", "input", "change", "scroll", "touchstart"].forEach(function (name) {
    document.addEventListener(name, restart, { passive: true });
  });
  restart();
})();
