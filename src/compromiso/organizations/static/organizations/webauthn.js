// Security keys and passkeys (WebAuthn). A form marked data-webauthn="register" or
// "authenticate" names the JSON options the server made (a json_script element, data-options);
// on submit the browser asks the key (navigator.credentials.create or .get), puts the key's
// answer as JSON in the form's "credential" field and posts the form. When the key refuses, the
// person cancels or the browser cannot use keys, nothing is posted: the page stays as it was
// (what was typed is kept) and the form's alert says so, in the page's language (the messages
// come from the template's data attributes). No inline script (strict CSP).
(function () {
  "use strict";

  function toBuffer(text) {
    var base64 = text.replace(/-/g, "+").replace(/_/g, "/");
    while (base64.length % 4) {
      base64 += "=";
    }
    var binary = window.atob(base64);
    var bytes = new Uint8Array(binary.length);
    for (var i = 0; i < binary.length; i += 1) {
      bytes[i] = binary.charCodeAt(i);
    }
    return bytes.buffer;
  }

  function toText(buffer) {
    if (!buffer) {
      return null;
    }
    var bytes = new Uint8Array(buffer);
    var binary = "";
    for (var i = 0; i < bytes.length; i += 1) {
      binary += String.fromCharCode(bytes[i]);
    }
    return window.btoa(binary).replace(/\+/g, "-").replace(/\//g, "_").replace(/=+$/, "");
  }

  function withIds(list) {
    return (list || []).map(function (entry) {
      var copy = Object.assign({}, entry);
      copy.id = toBuffer(entry.id);
      return copy;
    });
  }

  function creationOptions(options) {
    var publicKey = Object.assign({}, options);
    publicKey.challenge = toBuffer(options.challenge);
    publicKey.user = Object.assign({}, options.user, { id: toBuffer(options.user.id) });
    publicKey.excludeCredentials = withIds(options.excludeCredentials);
    return publicKey;
  }

  function requestOptions(options) {
    var publicKey = Object.assign({}, options);
    publicKey.challenge = toBuffer(options.challenge);
    publicKey.allowCredentials = withIds(options.allowCredentials);
    return publicKey;
  }

  function answer(credential) {
    var response = credential.response;
    var json = {
      id: credential.id,
      rawId: toText(credential.rawId),
      type: credential.type,
      authenticatorAttachment: credential.authenticatorAttachment || null,
      clientExtensionResults: credential.getClientExtensionResults
        ? credential.getClientExtensionResults()
        : {},
      response: { clientDataJSON: toText(response.clientDataJSON) },
    };
    if (response.attestationObject) {
      json.response.attestationObject = toText(response.attestationObject);
      json.response.transports = response.getTransports ? response.getTransports() : [];
    } else {
      json.response.authenticatorData = toText(response.authenticatorData);
      json.response.signature = toText(response.signature);
      json.response.userHandle = toText(response.userHandle);
    }
    return json;
  }

  function setUp(form) {
    var kind = form.getAttribute("data-webauthn");
    var alert = form.querySelector("[data-webauthn-error]");
    var button = form.querySelector("button[type=submit]");
    var field = form.querySelector("input[name=credential]");
    var source = document.getElementById(form.getAttribute("data-options"));

    function say(message) {
      alert.textContent = message;
      alert.hidden = false;
      button.disabled = false;
      alert.setAttribute("tabindex", "-1");
      alert.focus();
    }

    form.addEventListener("submit", function (event) {
      event.preventDefault();
      if (!window.PublicKeyCredential || !navigator.credentials || !source) {
        say(form.getAttribute("data-unsupported"));
        return;
      }
      alert.hidden = true;
      button.disabled = true;
      var options = JSON.parse(source.textContent);
      var asked =
        kind === "register"
          ? navigator.credentials.create({ publicKey: creationOptions(options) })
          : navigator.credentials.get({ publicKey: requestOptions(options) });
      asked.then(
        function (credential) {
          if (!credential) {
            say(form.getAttribute("data-cancelled"));
            return;
          }
          field.value = JSON.stringify(answer(credential));
          form.submit();
        },
        function (error) {
          var duplicate = error && error.name === "InvalidStateError" && kind === "register";
          say(form.getAttribute(duplicate ? "data-duplicate" : "data-cancelled"));
        },
      );
    });
  }

  document.querySelectorAll("form[data-webauthn]").forEach(setUp);
})();
