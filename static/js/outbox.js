/*
 * The outbox: what the patient logs is never lost to a bad connection.
 *
 * Every hold and pain score is posted at once; when the network fails, the entry (with
 * its client token) is kept in IndexedDB and sent again when the connection returns, even
 * after the page was closed and opened again. The server stores a token only once, so a
 * resend after a lost answer is harmless. Elements marked data-outbox-status say how many
 * entries are waiting; elements marked data-outbox-refused tell of an entry the server
 * refused after the page that made it had closed, which nobody else would tell.
 */
(function () {
  "use strict";

  var DB_NAME = "holdfast";
  var STORE = "outbox";
  // A patient back online is sent their entries within a second; a server that keeps
  // failing is asked less and less often.
  var RETRY_DELAYS_MS = [1000, 2000, 4000, 8000, 15000, 30000];
  var retries = 0; // since an entry last went through
  // A server that is busy or missing a part (503) or a proxy that limits the rate (429)
  // says when to come back (Retry-After, in seconds); the next try waits at least that.
  var MAX_RETRY_AFTER_MS = 300000;
  var retryAfterMs = 0;
  var listeners = {}; // entry id -> {onDone, onWaiting}, for entries made by this page
  var flushing = null;
  var flushAgain = false; // an entry arrived while a flush was under way
  var retryTimer = null;
  // Entries belong to the person who made them: on a shared phone, one patient's entries
  // must never be sent with the next patient's login.
  var currentUser = document.body.dataset.userId || "";

  function openDb() {
    return new Promise(function (resolve, reject) {
      var request = window.indexedDB.open(DB_NAME, 1);
      request.onupgradeneeded = function () {
        request.result.createObjectStore(STORE, { keyPath: "id", autoIncrement: true });
      };
      request.onsuccess = function () {
        resolve(request.result);
      };
      request.onerror = function () {
        reject(request.error);
      };
    });
  }

  function withStore(mode, work) {
    return openDb().then(function (db) {
      return new Promise(function (resolve, reject) {
        var transaction = db.transaction(STORE, mode);
        var result = work(transaction.objectStore(STORE));
        transaction.oncomplete = function () {
          resolve(result && "result" in result ? result.result : undefined);
        };
        transaction.onerror = function () {
          reject(transaction.error);
        };
      });
    });
  }

  function allEntries() {
    return withStore("readonly", function (store) {
      return store.getAll();
    }).then(function (entries) {
      return entries.filter(function (entry) {
        return entry.user === currentUser;
      });
    });
  }

  function csrfToken() {
    var input = document.querySelector("input[name=csrfmiddlewaretoken]");
    return input ? input.value : "";
  }

  function showCount() {
    return allEntries().then(function (entries) {
      var waiting = entries.length;
      document.querySelectorAll("[data-outbox-status]").forEach(function (element) {
        element.hidden = waiting === 0;
        element.textContent =
          waiting === 1
            ? "1 entry is waiting to be sent. It will go as soon as you are back online."
            : waiting + " entries are waiting to be sent. They will go as soon as you are back online.";
      });
      return waiting;
    });
  }

  // One attempt at sending. Resolves with {final, ok, data}: final means the server has
  // decided (saved, already saved, or refused with reasons) and the entry can go.
  function attempt(entry) {
    var body = new FormData();
    Object.keys(entry.fields).forEach(function (name) {
      body.append(name, entry.fields[name]);
    });
    // The server corrects the phone's clock by comparing this with its own.
    body.set("sent_at", new Date().toISOString());
    var headers = { Accept: "application/json", "X-CSRFToken": csrfToken() };
    return fetch(entry.url, { method: "POST", body: body, headers: headers, credentials: "same-origin" }).then(
      function (response) {
        if (response.status >= 500 || response.status === 429) {
          var seconds = parseInt(response.headers.get("Retry-After") || "", 10);
          if (seconds > 0) {
            retryAfterMs = Math.min(seconds * 1000, MAX_RETRY_AFTER_MS);
          }
          return { final: false };
        }
        if (response.redirected || response.status === 401 || response.status === 403) {
          // Logged out: keep the entry; it is sent after the next login.
          return { final: false, loggedOut: true };
        }
        var isJson = (response.headers.get("Content-Type") || "").indexOf("application/json") === 0;
        return (isJson ? response.json() : Promise.resolve(null)).then(function (data) {
          // Any other answer is the server's last word on this entry, even one this page
          // does not understand.
          return {
            final: true,
            ok: response.ok && data !== null,
            data: data || { message: "The server refused it (" + response.status + ")." },
          };
        });
      },
      function () {
        return { final: false };
      }
    );
  }

  // What the server said against an entry, as one line of text.
  function reasons(data) {
    if (data.message) {
      return data.message;
    }
    var found = [];
    Object.keys(data.errors || {}).forEach(function (field) {
      found = found.concat(data.errors[field]);
    });
    return found.length ? found.join(" ") : "The server refused it.";
  }

  function reportRefused(entry, data) {
    var what = "score" in entry.fields ? "A pain score" : "A hold";
    var when = new Date(entry.queuedAt).toLocaleString([], {
      weekday: "long",
      hour: "numeric",
      minute: "2-digit",
    });
    var line = document.createElement("p");
    line.className = "mb-1";
    line.textContent = what + " you logged on " + when + " was not saved: " + reasons(data);
    document.querySelectorAll("[data-outbox-refused]").forEach(function (element) {
      element.appendChild(line.cloneNode(true));
      element.hidden = false;
    });
  }

  function remove(id) {
    return withStore("readwrite", function (store) {
      store.delete(id);
    });
  }

  function scheduleRetry() {
    if (retryTimer === null) {
      var delay = Math.max(RETRY_DELAYS_MS[Math.min(retries, RETRY_DELAYS_MS.length - 1)], retryAfterMs);
      retryAfterMs = 0;
      retries += 1;
      retryTimer = window.setTimeout(function () {
        retryTimer = null;
        flush();
      }, delay);
    }
  }

  function flush() {
    if (flushing) {
      flushAgain = true;
      return flushing;
    }
    var run = function () {
      return sendAll().catch(function () {
        return { stopped: true }; // IndexedDB failed: try again on the next occasion
      });
    };
    // Two tabs of the portal must not send the same entries at once.
    var locked = navigator.locks ? navigator.locks.request("holdfast-outbox", run) : run();
    flushing = locked.then(function (outcome) {
      flushing = null;
      if (flushAgain && !outcome.stopped) {
        flushAgain = false;
        return flush();
      }
      flushAgain = false;
      return showCount().then(function (waiting) {
        if (outcome.stopped && !outcome.loggedOut && waiting && navigator.onLine) {
          scheduleRetry();
        }
      });
    });
    return flushing;
  }

  function sendAll() {
    return allEntries().then(function (entries) {
      return entries.reduce(function (chain, entry) {
        return chain.then(function (outcome) {
          if (outcome.stopped) {
            return outcome;
          }
          return attempt(entry).then(function (answer) {
            var listener = listeners[entry.id];
            if (!answer.final) {
              if (listener && listener.onWaiting) {
                listener.onWaiting(answer.loggedOut);
              }
              // Keep the order: stop at the first entry that cannot go yet.
              return { stopped: true, loggedOut: answer.loggedOut };
            }
            return remove(entry.id).then(function () {
              retries = 0;
              delete listeners[entry.id];
              if (listener) {
                listener.onDone(answer.ok, answer.data);
              } else if (!answer.ok) {
                reportRefused(entry, answer.data);
              }
              return { stopped: false };
            });
          });
        });
      }, Promise.resolve({ stopped: false }));
    });
  }

  // Queue an entry and try to send it now. onDone(ok, data) runs once the server has
  // answered for good; onWaiting(loggedOut) each time it could not be reached, with
  // loggedOut true when the reason is that the session has ended.
  function send(url, fields, onDone, onWaiting) {
    var entry = { url: url, fields: fields, user: currentUser, queuedAt: new Date().toISOString() };
    return withStore("readwrite", function (store) {
      return store.add(entry);
    }).then(
      function (id) {
        listeners[id] = { onDone: onDone, onWaiting: onWaiting };
        return flush();
      },
      function () {
        // Nowhere to keep it (no IndexedDB, as in some private windows): send it once.
        return attempt(entry).then(function (answer) {
          onDone(answer.final && answer.ok, answer.data || { message: "Could not reach the server." });
        });
      }
    );
  }

  // The token that makes an entry unique: made on the phone, once per entry.
  function newToken() {
    if (window.crypto && window.crypto.randomUUID) {
      return window.crypto.randomUUID();
    }
    var bytes = new Uint8Array(16);
    window.crypto.getRandomValues(bytes);
    bytes[6] = (bytes[6] & 0x0f) | 0x40;
    bytes[8] = (bytes[8] & 0x3f) | 0x80;
    var hex = Array.prototype.map.call(bytes, function (b) {
      return (b + 0x100).toString(16).slice(1);
    }).join("");
    return [hex.slice(0, 8), hex.slice(8, 12), hex.slice(12, 16), hex.slice(16, 20), hex.slice(20)].join("-");
  }

  window.HoldfastOutbox = { send: send, reasons: reasons, newToken: newToken };
  window.addEventListener("online", flush);
  flush();
})();
