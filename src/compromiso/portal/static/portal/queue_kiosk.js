// A queue kiosk goes back to its start a while after the last touch, so that the next person
// never sees someone else's ticket; the ticket screen offers to print. No inline script (CSP).
(function () {
  "use strict";
  var kiosk = document.querySelector("[data-queue-kiosk-start]");
  if (!kiosk) {
    return;
  }
  var start = kiosk.getAttribute("data-queue-kiosk-start");
  var seconds = parseInt(kiosk.getAttribute("data-queue-kiosk-seconds"), 10) || 20;
  var timer = null;
  function restart() {
    window.clearTimeout(timer);
    timer = window.setTimeout(function () {
      window.location.assign(start);
    }, seconds * 1000);
  }
  ["pointerdown", "keydown", "touchstart"].forEach(function (name) {
    document.addEventListener(name, restart, { passive: true });
  });
  restart();
  var print = document.querySelector("[data-queue-print]");
  if (print) {
    print.hidden = false;
    print.addEventListener("click", function () {
      window.print();
    });
  }
})();
