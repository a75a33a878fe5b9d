/*
 * Passkeys: the browser's half of adding one and of signing in with one
 * (portal/passkeys.py has the server's half).
 *
 * The server sends options as JSON, with binary values in base64url; the browser's
 * WebAuthn API wants them as bytes, and answers in bytes that go back as base64url.
 * A form marked data-passkey-add makes a passkey; a block marked data-passkey-sign-in
 * signs in with one. Both stay hidden where the browser has no passkeys, and say what
 * happened in their data-passkey-status element.
 */
(function () {
  "use strict";

  if (!window.PublicKeyCredential || !navigator.credentials) {
    document.querySelectorAll("[data-passkey-unsupported]").forEach(function (note) {
      note.hidden = false;
    });
    return;
  }

  function bytes(base64url) {
    var base64 = base64url.replace(/-/g, "+").replace(/_/g, "/");
    var binary = window.atob(base64 + "===".slice((base64.length + 3) % 4));
    var out = new Uint8Array(binary.length);
    for (var i = 0; i < binary.length; i += 1) {
      out[i] = binary.charCodeAt(i);
    }
    return out.buffer;
  }

  function base64url(buffer) {
    var view = new Uint8Array(buffer);
    var binary = "";
    for (var i = 0; i < view.length; i += 1) {
      binary += String.fromCharCode(view[i]);
    }
    return window.btoa(binary).replace(/\+/g, "-").replace(/\//g, "_").replace(/=+$/, "");
  }

  function descriptors(list) {
    return (list || []).map(function (descriptor) {
      return Object.assign({}, descriptor, { id: bytes(descriptor.id) });
    });
  }

  function creationOptions(json) {
    return Object.assign({}, json, {
      challenge: bytes(json.challenge),
      user: Object.assign({}, json.user, { id: bytes(json.user.id) }),
      excludeCredentials: descriptors(json.excludeCredentials),
    });
  }

  function requestOptions(json) {
    return Object.assign({}, json, {
      challenge: bytes(json.challenge),
      allowCredentials: descriptors(json.allowCredentials),
    });
  }

  function answer(credential) {
    var response = credential.response;
    var encoded = { clientDataJSON: base64url(response.clientDataJSON) };
    if (response.attestationObject) {
      encoded.attestationObject = base64url(response.attestationObject);
      encoded.transports = response.getTransports ? response.getTransports() : [];
    } else {
      encoded.authenticatorData = base64url(response.authenticatorData);
      encoded.signature = base64url(response.signature);
      if (response.userHandle) {
        encoded.userHandle = base64url(response.userHandle);
      }
    }
    return {
      id: credential.id,
      rawId: base64url(credential.rawId),
      type: credential.type,
      response: encoded,
      authenticatorAttachment: credential.authenticatorAttachment || undefined,
      clientExtensionResults: credential.getClientExtensionResults(),
    };
  }

  function Refusal(message, details) {
    this.message = message;
    this.details = details || {};
  }

  function post(url, csrfToken, body) {
    return window
      .fetch(url, {
        method: "POST",
        credentials: "same-origin",
        headers: {
          Accept: "application/json",
          "Content-Type": "application/json",
          "X-CSRFToken": csrfToken,
        },
        body: JSON.stringify(body || {}),
      })
      .catch(function () {
        throw new Refusal("The portal could not be reached. Check your connection and try again.");
      })
      .then(function (response) {
        return response.json().then(
          function (data) {
            if (!response.ok) {
              throw new Refusal(data.message || "That did not work. Try again.", data);
            }
            return data;
          },
          function () {
            throw new Refusal("The portal did not answer as expected. Reload the page and try again.");
          }
        );
      });
  }

  // What the browser's own refusals mean to the person holding the phone.
  function explain(error) {
    if (error instanceof Refusal) {
      return error.message;
    }
    if (error && error.name === "NotAllowedError") {
      return "The passkey request was cancelled or timed out. Try again when you are ready.";
    }
    if (error && error.name === "InvalidStateError") {
      return "This device already has a passkey for your account.";
    }
    if (error && error.name === "SecurityError") {
      return "Passkeys do not work at this address. Open the portal at its usual address.";
    }
    return "That did not work. Try again, or use your password.";
  }

  // Progress is announced politely; a failure at once.
  function say(element, text, isError) {
    element.setAttribute("role", isError ? "alert" : "status");
    element.textContent = text;
    element.classList.toggle("text-danger", Boolean(isError));
  }

  // The site no longer knows this passkey: let the device forget it too, where it can.
  function forget(details) {
    if (details.unknown && PublicKeyCredential.signalUnknownCredential) {
      PublicKeyCredential.signalUnknownCredential({
        rpId: window.location.hostname,
        credentialId: details.unknown,
      }).catch(function () {});
    }
  }

  function setUpAdding(form) {
    var status = form.querySelector("[data-passkey-status]");
    var button = form.querySelector("button[type=submit]");
    var csrfToken = form.querySelector("input[name=csrfmiddlewaretoken]").value;
    form.hidden = false;
    form.addEventListener("submit", function (event) {
      event.preventDefault();
      button.disabled = true;
      say(status, "Follow your device's prompt to make the passkey.");
      post(form.dataset.optionsUrl, csrfToken)
        .then(function (options) {
          return navigator.credentials.create({ publicKey: creationOptions(options) });
        })
        .then(function (credential) {
          say(status, "Saving your passkey.");
          return post(form.dataset.addUrl, csrfToken, {
            name: form.elements.name.value,
            credential: answer(credential),
          });
        })
        .then(function (result) {
          window.location.assign(result.redirect);
        })
        .catch(function (error) {
          button.disabled = false;
          if (error instanceof Refusal && error.details.confirm) {
            window.location.assign(error.details.confirm);
            return;
          }
          say(status, explain(error), true);
        });
    });
  }

  function setUpSigningIn(block) {
    var status = block.querySelector("[data-passkey-status]");
    var button = block.querySelector("button");
    var csrfToken = block.querySelector("input[name=csrfmiddlewaretoken]").value;
    var keep = block.dataset.keepField ? document.querySelector(block.dataset.keepField) : null;
    block.hidden = false;
    button.addEventListener("click", function () {
      button.disabled = true;
      say(status, "Follow your device's prompt to use your passkey.");
      post(block.dataset.optionsUrl, csrfToken)
        .then(function (options) {
          return navigator.credentials.get({ publicKey: requestOptions(options) });
        })
        .then(function (credential) {
          say(status, "Signing you in.");
          return post(block.dataset.signInUrl, csrfToken, {
            credential: answer(credential),
            keep_signed_in: Boolean(keep && keep.checked),
          });
        })
        .then(function (result) {
          window.location.assign(result.redirect);
        })
        .catch(function (error) {
          button.disabled = false;
          if (error instanceof Refusal) {
            forget(error.details);
          }
          say(status, explain(error), true);
        });
    });
  }

  document.querySelectorAll("[data-passkey-add]").forEach(setUpAdding);
  document.querySelectorAll("[data-passkey-sign-in]").forEach(setUpSigningIn);
})();
