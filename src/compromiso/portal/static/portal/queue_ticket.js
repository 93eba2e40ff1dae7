// A ticket's page brings its figures up to date every few seconds from a small JSON endpoint
// (no page reload); once the visit is over, the page is loaded again to show what follows.
(function () {
  "use strict";
  var root = document.querySelector("[data-queue-ticket-status]");
  if (!root || root.getAttribute("data-queue-ticket-open") !== "1" || !window.fetch) {
    return;
  }
  var url = root.getAttribute("data-queue-ticket-status");
  var seconds = parseInt(root.getAttribute("data-queue-ticket-seconds"), 10) || 15;
  function field(name) {
    return root.querySelector('[data-field="' + name + '"]');
  }
  function template(id) {
    var node = document.getElementById(id);
    return node && node.content ? node.content.textContent.trim() : "";
  }
  function show(data) {
    if (!data.is_open) {
      window.location.reload();
      return;
    }
    field("state_label").textContent = data.state_label;
    field("desk").textContent = data.desk || "";
    field("desk-line").hidden = !data.desk;
    var waiting = data.ahead !== null && data.ahead !== undefined;
    field("waiting").hidden = !waiting;
    if (waiting) {
      field("ahead").textContent = String(data.ahead);
      field("minutes").textContent =
        data.minutes === null
          ? template("queue-unknown-template")
          : template("queue-minutes-template").replace("MINUTES", String(data.minutes));
    }
  }
  function poll() {
    fetch(url, { headers: { Accept: "application/json" }, cache: "no-store" })
      .then(function (response) {
        return response.ok ? response.json() : null;
      })
      .then(function (data) {
        if (data) {
          show(data);
        }
      })
      .catch(function () {})
      .then(function () {
        window.setTimeout(poll, seconds * 1000);
      });
  }
  window.setTimeout(poll, seconds * 1000);
})();
