// A branch's queue display: applies each state the server sends (server-sent events), or fetches
// it every few seconds where EventSource is missing. Everything is written with textContent.
(function () {
  "use strict";
  var root = document.getElementById("queue-display");
  if (!root) { return; }
  var POLL_MS = 5000;
  var current = document.getElementById("display-current");
  var callsBody = document.getElementById("display-calls");
  var queuesBody = document.getElementById("display-queues");
  var clock = document.getElementById("display-clock");
  var lastCall = null;
  var shown = current.querySelector("[data-call]");
  if (shown) { lastCall = shown.getAttribute("data-call"); }

  function cell(tag, text, className) {
    var node = document.createElement(tag);
    node.textContent = text;
    if (className) { node.className = className; }
    return node;
  }

  function tick() {
    try {
      clock.textContent = new Intl.DateTimeFormat(document.documentElement.lang || undefined, {
        hour: "2-digit", minute: "2-digit", hourCycle: "h23", timeZone: root.dataset.zone
      }).format(new Date());
    } catch (error) { /* keep the server's clock */ }
  }

  function minutes(value) {
    if (value === null || value === undefined) { return root.dataset.noEstimate; }
    return root.dataset.minutes.replace("{n}", String(value));
  }

  function apply(state) {
    var calls = state.calls || [];
    var newest = calls.length ? String(calls[0].id) : null;
    if (newest !== lastCall) {
      lastCall = newest;
      current.replaceChildren();
      if (calls.length) {
        var number = cell("span", calls[0].number, "queue-display-number");
        number.setAttribute("data-call", newest);
        current.append(number, " ", cell("span", calls[0].desk, "queue-display-desk"));
        current.classList.remove("queue-display-flash");
        void current.offsetWidth;  // restart the highlight
        current.classList.add("queue-display-flash");
      } else {
        current.append(cell("span", root.dataset.nobody, "queue-display-empty"));
      }
    }
    callsBody.replaceChildren.apply(callsBody, calls.slice(1).map(function (call) {
      var row = document.createElement("tr");
      row.append(cell("td", call.number), cell("td", call.desk), cell("td", call.clock));
      return row;
    }));
    queuesBody.replaceChildren.apply(queuesBody, (state.queues || []).map(function (queue) {
      var row = document.createElement("tr");
      var name = cell("th", queue.letter + " · " + queue.name);
      name.setAttribute("scope", "row");
      row.append(name, cell("td", String(queue.waiting), "text-end"),
        cell("td", minutes(queue.minutes), "text-end"));
      return row;
    }));
    root.setAttribute("data-version", String(state.version));
  }

  function poll() {
    fetch(root.dataset.state, { headers: { Accept: "application/json" }, cache: "no-store" })
      .then(function (answer) { return answer.ok ? answer.json() : null; })
      .then(function (state) { if (state) { apply(state); } })
      .catch(function () { /* try again on the next turn */ })
      .finally(function () { window.setTimeout(poll, POLL_MS); });
  }

  tick();
  window.setInterval(tick, 10000);
  if (window.EventSource) {
    var source = new EventSource(root.dataset.events);
    source.addEventListener("state", function (message) { apply(JSON.parse(message.data)); });
  } else {
    window.setTimeout(poll, POLL_MS);
  }
})();
