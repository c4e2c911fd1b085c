// Passkeys (WebAuthn) for Comptoir's identity pages. Progressive enhancement: the pages work
// without this script (a code by SMS remains); it only drives navigator.credentials.
(function () {
  "use strict";

  function fromB64url(text) {
    var base64 = text.replace(/-/g, "+").replace(/_/g, "/");
    while (base64.length % 4) { base64 += "="; }
    var binary = atob(base64);
    var bytes = new Uint8Array(binary.length);
    for (var i = 0; i < binary.length; i++) { bytes[i] = binary.charCodeAt(i); }
    return bytes.buffer;
  }

  function toB64url(buffer) {
    var bytes = new Uint8Array(buffer);
    var binary = "";
    for (var i = 0; i < bytes.length; i++) { binary += String.fromCharCode(bytes[i]); }
    return btoa(binary).replace(/\+/g, "-").replace(/\//g, "_").replace(/=+$/, "");
  }

  function post(url, body) {
    return fetch(url, {
      method: "POST",
      credentials: "same-origin",
      headers: { "Content-Type": "application/json", "Accept": "application/json" },
      body: body === undefined ? "{}" : JSON.stringify(body)
    }).then(function (answer) {
      return answer.json().then(function (json) {
        if (!answer.ok) { throw new Error(json.detail || json.title || answer.statusText); }
        return json;
      });
    });
  }

  function say(form, message) {
    var box = document.getElementById(form.getAttribute("data-status"));
    if (box) { box.textContent = message; }
  }

  function register(form) {
    return post("/identity/me/passkeys/options").then(function (options) {
      options.challenge = fromB64url(options.challenge);
      options.user.id = fromB64url(options.user.id);
      (options.excludeCredentials || []).forEach(function (c) { c.id = fromB64url(c.id); });
      return navigator.credentials.create({ publicKey: options });
    }).then(function (credential) {
      var label = form.querySelector("[name=label]");
      return post("/identity/me/passkeys", {
        label: label ? label.value : "",
        credential: {
          id: credential.id,
          rawId: toB64url(credential.rawId),
          type: credential.type,
          response: {
            clientDataJSON: toB64url(credential.response.clientDataJSON),
            attestationObject: toB64url(credential.response.attestationObject)
          }
        }
      });
    });
  }

  function login(form) {
    var next = form.querySelector("[name=next]");
    return post("/identity/login/passkey/options").then(function (options) {
      options.challenge = fromB64url(options.challenge);
      (options.allowCredentials || []).forEach(function (c) { c.id = fromB64url(c.id); });
      return navigator.credentials.get({ publicKey: options });
    }).then(function (credential) {
      var response = credential.response;
      return post("/identity/login/passkey", {
        next: next ? next.value : "",
        credential: {
          id: credential.id,
          rawId: toB64url(credential.rawId),
          type: credential.type,
          response: {
            clientDataJSON: toB64url(response.clientDataJSON),
            authenticatorData: toB64url(response.authenticatorData),
            signature: toB64url(response.signature),
            userHandle: response.userHandle ? toB64url(response.userHandle) : null
          }
        }
      });
    });
  }

  if (!window.PublicKeyCredential || !window.fetch) { return; }
  var forms = document.querySelectorAll("form[data-passkey]");
  Array.prototype.forEach.call(forms, function (form) {
    form.hidden = false;
    form.addEventListener("submit", function (event) {
      event.preventDefault();
      var action = form.getAttribute("data-passkey") === "register" ? register : login;
      say(form, form.getAttribute("data-working"));
      action(form).then(function (done) {
        window.location.assign(done.redirect);
      }).catch(function (error) {
        say(form, form.getAttribute("data-failed") + " " + (error && error.message ? error.message : ""));
      });
    });
  });
})();
