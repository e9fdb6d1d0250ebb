// Cognate hosted UI: passkeys (WebAuthn), the one script of the hosted UI.
// Served as a file so the pages' Content-Security-Policy stays strict (no
// inline script). It reads the ceremony's options from #webauthn's
// data-options, asks the browser for a credential, and posts it back in
// the page's own CSRF-protected form. Without it the page still works:
// it says passkeys need JavaScript and links to the other ways in.
"use strict";
(function () {
  var box = document.getElementById("webauthn");
  if (!box || !window.PublicKeyCredential || !navigator.credentials) {
    return;
  }
  var form = box.closest("form");
  var start = box.querySelector("[data-webauthn-start]");
  var failed = box.querySelector("[data-webauthn-failed]");
  var field = box.querySelector("input[name=credential]");
  box.querySelector("[data-webauthn-nojs]").hidden = true;
  start.hidden = false;

  function fromB64url(s) {
    var b64 = s.replace(/-/g, "+").replace(/_/g, "/");
    while (b64.length % 4) {
      b64 += "=";
    }
    var bin = atob(b64);
    var out = new Uint8Array(bin.length);
    for (var i = 0; i < bin.length; i++) {
      out[i] = bin.charCodeAt(i);
    }
    return out.buffer;
  }

  function toB64url(buf) {
    var bytes = new Uint8Array(buf);
    var bin = "";
    for (var i = 0; i < bytes.length; i++) {
      bin += String.fromCharCode(bytes[i]);
    }
    return btoa(bin).replace(/\+/g, "-").replace(/\//g, "_").replace(/=+$/, "");
  }

  function withBuffers(list) {
    return (list || []).map(function (c) {
      return Object.assign({}, c, { id: fromB64url(c.id) });
    });
  }

  // The options as the browser takes them: binary members as buffers.
  function publicKey(options, ceremony) {
    var pk = Object.assign({}, options, { challenge: fromB64url(options.challenge) });
    if (ceremony === "create") {
      pk.user = Object.assign({}, options.user, { id: fromB64url(options.user.id) });
      pk.excludeCredentials = withBuffers(options.excludeCredentials);
    } else {
      pk.allowCredentials = withBuffers(options.allowCredentials);
    }
    return pk;
  }

  // The credential as the server reads it (WebAuthn Level 3's JSON shape).
  function asJson(cred) {
    var r = cred.response;
    var response = { clientDataJSON: toB64url(r.clientDataJSON) };
    if (r.attestationObject) {
      response.attestationObject = toB64url(r.attestationObject);
      if (r.getTransports) {
        response.transports = r.getTransports();
      }
    } else {
      response.authenticatorData = toB64url(r.authenticatorData);
      response.signature = toB64url(r.signature);
      if (r.userHandle) {
        response.userHandle = toB64url(r.userHandle);
      }
    }
    return {
      id: cred.id,
      rawId: toB64url(cred.rawId),
      type: cred.type,
      response: response,
      extensions: cred.getClientExtensionResults ? cred.getClientExtensionResults() : {},
    };
  }

  start.addEventListener("click", function () {
    var ceremony = box.dataset.ceremony;
    var options = JSON.parse(box.dataset.options);
    var request = { publicKey: publicKey(options, ceremony) };
    failed.hidden = true;
    var asked =
      ceremony === "create"
        ? navigator.credentials.create(request)
        : navigator.credentials.get(request);
    asked.then(
      function (cred) {
        field.value = JSON.stringify(asJson(cred));
        form.submit();
      },
      function () {
        failed.hidden = false;
      }
    );
  });
})();
