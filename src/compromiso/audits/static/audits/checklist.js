// The audit checklist on a phone at the counter. Each answer is posted in the background and
// kept on the phone (localStorage) until the server has it, so nothing typed is lost when the
// connection drops: unsent answers are sent again when the connection returns and every 30
// seconds. Each submission carries its own id (the server applies it once, however often it
// arrives) and the revision this page last saw (the server refuses it with 409 when someone
// changed the answer since; both answers are then shown and the person chooses).
// What is typed but not yet saved is kept too, as a draft. Files cannot be kept on the phone:
// they wait in this page until they are sent. No inline script (strict CSP); without this file
// every form posts as usual.
(function () {
  "use strict";
  var root = document.querySelector("[data-checklist]");
  if (!root || !window.fetch || !window.FormData || !window.JSON) {
    return;
  }
  var storage = null;
  try {
    storage = window.localStorage;
    storage.setItem("compromiso.probe", "1");
    storage.removeItem("compromiso.probe");
  } catch (error) {
    storage = null;
  }
  var audit = root.getAttribute("data-audit");
  var QUEUE = "compromiso.checklist." + audit + ".queue";
  var DRAFTS = "compromiso.checklist." + audit + ".drafts";
  var status = root.querySelector("[data-connection]");
  var files = {}; // item id → files waiting to be sent (they cannot be stored)
  var sending = {};

  function msg(name) {
    return root.getAttribute("data-msg-" + name) || "";
  }
  function read(key) {
    if (!storage) {
      return {};
    }
    try {
      return JSON.parse(storage.getItem(key) || "{}") || {};
    } catch (error) {
      return {};
    }
  }
  function write(key, value) {
    if (storage) {
      try {
        storage.setItem(key, JSON.stringify(value));
      } catch (error) {
        // Full: what is in memory is still sent while the page stays open.
      }
    }
  }
  var queue = read(QUEUE);
  var drafts = read(DRAFTS);

  function newId() {
    if (window.crypto && window.crypto.randomUUID) {
      return window.crypto.randomUUID();
    }
    var bytes = new Uint8Array(16);
    window.crypto.getRandomValues(bytes);
    bytes[6] = (bytes[6] & 0x0f) | 0x40;
    bytes[8] = (bytes[8] & 0x3f) | 0x80;
    var hex = Array.prototype.map
      .call(bytes, function (b) {
        return (b + 0x100).toString(16).slice(1);
      })
      .join("");
    return [hex.slice(0, 8), hex.slice(8, 12), hex.slice(12, 16), hex.slice(16, 20), hex.slice(20)].join("-");
  }
  function formFor(item) {
    return document.querySelector('form[data-answer][data-item="' + item + '"]');
  }
  function csrf() {
    var field = document.querySelector('input[name="csrfmiddlewaretoken"]');
    return field ? field.value : "";
  }
  function values(form) {
    var checked = form.querySelector('input[name="result"]:checked');
    return {
      result: checked ? checked.value : "",
      score: form.elements.score.value,
      notes: form.elements.notes.value,
    };
  }
  function fill(form, answer) {
    Array.prototype.forEach.call(form.querySelectorAll('input[name="result"]'), function (radio) {
      radio.checked = radio.value === answer.result;
    });
    form.elements.score.value = answer.score === null || answer.score === undefined ? "" : String(answer.score);
    form.elements.notes.value = answer.notes || "";
  }
  function resultLabel(form, value) {
    var radio = form.querySelector('input[name="result"][value="' + value + '"]');
    var label = radio ? form.querySelector('label[for="' + radio.id + '"]') : null;
    return label ? label.textContent : value;
  }
  function setState(form, text, kind) {
    var place = form.querySelector("[data-state]");
    if (!place) {
      return;
    }
    place.textContent = text;
    place.className = "small" + (kind ? " " + kind : "");
  }
  function pending() {
    return Object.keys(queue).filter(function (item) {
      return !queue[item].conflict && !queue[item].refused;
    });
  }
  function updateStatus() {
    var count = pending().length;
    if (status) {
      status.textContent = count ? count + " " + msg("pending") : "";
    }
  }
  function save() {
    write(QUEUE, queue);
    updateStatus();
  }
  function waiting(item) {
    var form = formFor(item);
    if (form) {
      setState(form, msg("waiting") + (files[item] ? " " + msg("files-waiting") : ""), "text-warning-emphasis");
    }
    updateStatus();
  }
  function showFiles(form, list) {
    var place = form.parentNode.querySelector("[data-files]");
    if (!place || !list) {
      return;
    }
    place.textContent = "";
    list.forEach(function (file) {
      var li = document.createElement("li");
      var link = document.createElement("a");
      link.href = file.url;
      link.textContent = file.name;
      li.appendChild(link);
      place.appendChild(li);
    });
  }
  function describe(form, answer, label) {
    var line = document.createElement("div");
    var parts = [resultLabel(form, answer.result)];
    if (answer.score !== null && answer.score !== undefined && answer.score !== "") {
      parts.push(answer.score + "/5");
    }
    if (answer.notes) {
      parts.push(answer.notes);
    }
    if (answer.answered_by) {
      parts.push("(" + answer.answered_by + ", " + answer.answered_at + ")");
    }
    line.textContent = label + " " + parts.join(" · ");
    return line;
  }
  function showConflict(item) {
    var form = formFor(item);
    var entry = queue[item];
    if (!form || !entry || !entry.conflict) {
      return;
    }
    var theirs = entry.conflict;
    var box = form.querySelector("[data-conflict]");
    box.textContent = "";
    var alert = document.createElement("div");
    alert.className = "alert alert-warning small mt-2";
    alert.setAttribute("role", "alert");
    var title = document.createElement("p");
    title.className = "mb-1";
    title.textContent = msg("conflict");
    alert.appendChild(title);
    alert.appendChild(describe(form, theirs, msg("theirs")));
    alert.appendChild(describe(form, entry, msg("mine")));
    var mine = document.createElement("button");
    mine.type = "button";
    mine.className = "btn btn-sm btn-primary me-2 mt-2";
    mine.textContent = msg("keep-mine");
    mine.addEventListener("click", function () {
      entry.revision = String(theirs.revision);
      entry.client_id = newId();
      delete entry.conflict;
      save();
      form.elements.revision.value = theirs.revision;
      box.textContent = "";
      send(item);
    });
    var other = document.createElement("button");
    other.type = "button";
    other.className = "btn btn-sm btn-outline-secondary mt-2";
    other.textContent = msg("keep-theirs");
    other.addEventListener("click", function () {
      delete queue[item];
      delete files[item];
      save();
      fill(form, theirs);
      form.elements.revision.value = theirs.revision;
      form.elements.attachments.value = "";
      box.textContent = "";
      showFiles(form, theirs.files);
      setState(form, msg("saved"), "text-success");
    });
    alert.appendChild(mine);
    alert.appendChild(other);
    box.appendChild(alert);
    setState(form, "", "");
  }
  function errorsText(data) {
    var lines = [];
    if (data && data.errors) {
      Object.keys(data.errors).forEach(function (field) {
        lines = lines.concat(data.errors[field]);
      });
    }
    return lines.join(" ");
  }
  function handle(item, sent, reply) {
    var form = formFor(item);
    var entry = queue[item];
    var same = entry && entry.client_id === sent;
    var data = reply.data;
    if (reply.status === 200 && data && data.ok) {
      if (same) {
        delete queue[item];
        delete files[item];
        delete drafts[item];
        write(DRAFTS, drafts);
        if (form) {
          form.elements.attachments.value = "";
        }
      }
      if (form) {
        form.elements.revision.value = data.answer.revision;
        showFiles(form, data.answer.files);
        if (same) {
          setState(form, msg("saved"), "text-success");
        }
      }
    } else if (reply.status === 409 && data && data.answer) {
      if (same) {
        entry.conflict = data.answer;
        showConflict(item);
      }
    } else if (data && data.ok === false && [400, 403, 404].indexOf(reply.status) !== -1) {
      // Refused as it is: sending it again would change nothing. It stays in the form (and on
      // the phone) until it is corrected and saved again.
      if (same) {
        entry.refused = errorsText(data);
        if (form) {
          setState(form, msg("refused") + " " + entry.refused, "text-danger");
        }
      }
    } else {
      waiting(item); // no connection, the server busy, or the session expired: try again later
    }
    save();
  }
  function send(item) {
    var entry = queue[item];
    if (!entry || sending[item] || entry.conflict || entry.refused) {
      return;
    }
    var form = formFor(item);
    var url = form ? form.action : entry.url;
    sending[item] = true;
    if (form) {
      setState(form, msg("sending"), "");
    }
    var body = new FormData();
    body.append("csrfmiddlewaretoken", csrf());
    ["result", "score", "notes", "client_id", "revision"].forEach(function (name) {
      body.append(name, entry[name] === null || entry[name] === undefined ? "" : entry[name]);
    });
    (files[item] || []).forEach(function (file) {
      body.append("attachments", file);
    });
    var sent = entry.client_id;
    window
      .fetch(url, {
        method: "POST",
        body: body,
        credentials: "same-origin",
        headers: { Accept: "application/json", "X-CSRFToken": csrf() },
      })
      .then(function (response) {
        return response.json().then(
          function (data) {
            return { status: response.status, data: data };
          },
          function () {
            return { status: response.status, data: null };
          }
        );
      })
      .then(
        function (reply) {
          sending[item] = false;
          handle(item, sent, reply);
        },
        function () {
          sending[item] = false;
          waiting(item);
        }
      );
  }
  function flush() {
    pending().forEach(send);
  }

  document.addEventListener("submit", function (event) {
    var form = event.target;
    if (!(form instanceof HTMLFormElement) || !form.hasAttribute("data-answer")) {
      return;
    }
    event.preventDefault();
    var item = form.getAttribute("data-item");
    var entry = values(form);
    entry.url = form.action;
    entry.client_id = newId();
    entry.revision = form.elements.revision.value;
    queue[item] = entry;
    var input = form.elements.attachments;
    if (input && input.files && input.files.length) {
      files[item] = Array.prototype.slice.call(input.files);
    } else {
      delete files[item];
    }
    form.querySelector("[data-conflict]").textContent = "";
    save();
    send(item);
  });
  document.addEventListener("input", function (event) {
    var form = event.target.form;
    if (!form || !form.hasAttribute("data-answer") || event.target.type === "file") {
      return;
    }
    var item = form.getAttribute("data-item");
    var draft = values(form);
    draft.revision = form.elements.revision.value;
    drafts[item] = draft;
    write(DRAFTS, drafts);
  });

  // What the phone kept from before: answers not yet sent, conflicts, drafts.
  Object.keys(queue).forEach(function (item) {
    var form = formFor(item);
    var entry = queue[item];
    if (!form) {
      return;
    }
    fill(form, entry);
    if (entry.conflict) {
      showConflict(item);
    } else if (entry.refused) {
      setState(form, msg("refused") + " " + entry.refused, "text-danger");
    } else {
      waiting(item);
    }
  });
  Object.keys(drafts).forEach(function (item) {
    var form = formFor(item);
    var draft = drafts[item];
    if (!form || queue[item]) {
      return;
    }
    if (String(draft.revision) !== String(form.elements.revision.value)) {
      delete drafts[item]; // the answer changed since: the server's one is shown
      return;
    }
    var shown = values(form);
    if (shown.result !== draft.result || shown.score !== draft.score || shown.notes !== draft.notes) {
      fill(form, draft);
      setState(form, msg("draft"), "text-warning-emphasis");
    }
  });
  write(DRAFTS, drafts);
  updateStatus();
  flush();
  window.addEventListener("online", flush);
  window.setInterval(flush, 30000);
})();
