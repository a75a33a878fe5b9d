/*
 * The pain check-in (form.pain-form, on Today and on the timer) through the offline
 * outbox: a score given without a connection waits on the phone and is sent once, like a
 * hold. Without JavaScript the form posts as usual.
 *
 * Once the portal has a score, a form marked data-after-save="reload" (Today's) and any
 * form after a severe score show the page again, as the portal now draws it (the
 * clinic's number first); the saved message is carried over to it.
 */
(function () {
  "use strict";

  var CARRIED = "holdfast-pain-saved";

  function showCarried() {
    var message = window.sessionStorage.getItem(CARRIED);
    var main = document.getElementById("main");
    if (!message || !main) {
      return;
    }
    window.sessionStorage.removeItem(CARRIED);
    var note = document.createElement("div");
    note.className = "alert alert-success";
    note.setAttribute("role", "status");
    note.textContent = message;
    main.insertBefore(note, main.firstChild);
  }

  function statusOf(form) {
    var status = form.querySelector(".pain-status");
    if (!status) {
      status = document.createElement("p");
      status.className = "pain-status mt-2 mb-0";
      status.setAttribute("role", "status");
      form.appendChild(status);
    }
    return status;
  }

  function save(form, event) {
    event.preventDefault();
    var fields = {};
    new FormData(form).forEach(function (value, name) {
      if (name !== "csrfmiddlewaretoken" && name !== "next") {
        fields[name] = value;
      }
    });
    if (!fields.recorded_at) {
      fields.recorded_at = new Date().toISOString();
    }
    // Always a token made now: a page reopened from the offline cache carries the token
    // of an earlier visit, and reusing it would make the server drop this score.
    fields.client_token = window.HoldfastOutbox.newToken();
    var status = statusOf(form);
    status.textContent = "Saving…";
    var kept = false;
    window.HoldfastOutbox.send(
      form.action,
      fields,
      function (ok, data) {
        if (ok) {
          status.textContent = data.message;
          form.reset();
          if (data.severe_pain || form.dataset.afterSave === "reload") {
            window.sessionStorage.setItem(CARRIED, data.message);
            window.location.reload();
          }
        } else {
          // Refused: the form keeps what the patient chose and wrote, to put right.
          status.textContent = "Not saved. " + window.HoldfastOutbox.reasons(data);
        }
      },
      function (loggedOut) {
        status.textContent = loggedOut
          ? "Kept on this device; log in again to send it."
          : "Kept on this device; it will be sent when you are back online.";
        // Kept: the form is free for the next score. Only once, as the outbox retries.
        if (!kept) {
          kept = true;
          form.reset();
        }
      }
    );
  }

  showCarried();
  document.querySelectorAll("form.pain-form").forEach(function (form) {
    form.addEventListener("submit", function (event) {
      save(form, event);
    });
  });
})();
