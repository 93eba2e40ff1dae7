// The kiosk's on-screen keypad for the confirmation code: each key types into the field.
(function () {
  "use strict";
  var pad = document.getElementById("keypad");
  var form = document.getElementById("checkin-form");
  if (!pad || !form) { return; }
  var field = form.querySelector("input[name=code]");
  pad.classList.remove("d-none");
  pad.addEventListener("click", function (event) {
    var key = event.target.closest("[data-key]");
    if (!key) { return; }
    var value = key.getAttribute("data-key");
    field.value = value === "back" ? field.value.slice(0, -1) : (field.value + value).slice(0, 20);
    field.focus();
  });
})();
