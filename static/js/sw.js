/*
 * Holdfast's service worker: the today page and the timer keep working without a
 * connection once they have been opened.
 *
 * Static files and the library's pictures are served from the cache first; the Today page
 * hands over the pictures of the patient's own levels to keep before they are needed.
 * The patient's pages are fetched from the
 * network and kept for when it is missing. Those pages show patient data, so the kept
 * copies are thrown away at logout and whenever the login page is shown, and they are
 * readable offline only while the session they came from would still be alive: each page
 * says the session's idle limit and its end (X-Holdfast-Idle-Seconds and
 * X-Holdfast-Session-Ends), and once more than the idle limit has passed since the portal
 * last answered, or the end has come, the kept pages are forgotten instead of shown.
 */
"use strict";

var STATIC_CACHE = "holdfast-static-v1";
var PAGE_CACHE = "holdfast-pages-v2";
// The library's uploaded pictures (content, not patient data; their names never change).
var PICTURE_CACHE = "holdfast-pictures-v1";
var CACHES = [STATIC_CACHE, PAGE_CACHE, PICTURE_CACHE];
// When the portal last answered a page, kept beside the pages (a worker's variables do
// not outlive it).
var LAST_ANSWER = "/sw/last-answer";
var OFFLINE_PAGES = [/^\/today\/$/, /^\/program\/\d+\/$/, /^\/history\/$/, /^\/exercises\//];

self.addEventListener("install", function () {
  self.skipWaiting();
});

self.addEventListener("activate", function (event) {
  // Caches of earlier versions of this worker may hold pages kept without their session's
  // limits: they go.
  event.waitUntil(
    caches
      .keys()
      .then(function (names) {
        return Promise.all(
          names
            .filter(function (name) {
              return CACHES.indexOf(name) === -1;
            })
            .map(function (name) {
              return caches.delete(name);
            })
        );
      })
      .then(function () {
        return self.clients.claim();
      })
  );
});

// Where a file of this address is kept: a static file, or an uploaded picture.
function cacheFor(pathname) {
  if (pathname.indexOf("/static/") === 0) {
    return STATIC_CACHE;
  }
  // Pictures only: a video comes in ranges (206), which a cache cannot keep whole.
  if (pathname.indexOf("/media/pictures/") === 0) {
    return PICTURE_CACHE;
  }
  return null;
}

function cacheFirst(name, request) {
  return caches.open(name).then(function (cache) {
    return cache.match(request).then(function (hit) {
      return (
        hit ||
        fetch(request).then(function (response) {
          if (response.ok) {
            cache.put(request, response.clone());
          }
          return response;
        })
      );
    });
  });
}

self.addEventListener("message", function (event) {
  var urls = (event.data && event.data.keepPictures) || [];
  event.waitUntil(
    Promise.all(
      urls.map(function (address) {
        var url = new URL(address, self.location.origin);
        var name = url.origin === self.location.origin && cacheFor(url.pathname);
        if (!name) {
          return null;
        }
        return caches.open(name).then(function (cache) {
          return cache.match(url.href).then(function (hit) {
            // A picture that cannot be fetched now is simply not kept.
            return hit || cache.add(url.href).catch(function () {});
          });
        });
      })
    )
  );
});

function forgetPages() {
  return caches.delete(PAGE_CACHE);
}

function keepPage(request, response) {
  return caches.open(PAGE_CACHE).then(function (cache) {
    var answered = new Response(String(Date.now()));
    return Promise.all([cache.put(request, response), cache.put(LAST_ANSWER, answered)]);
  });
}

// Whether a kept page may still be shown: its session would not have ended yet.
function stillSignedIn(cache, page) {
  var idleSeconds = Number(page.headers.get("X-Holdfast-Idle-Seconds"));
  var sessionEnds = Number(page.headers.get("X-Holdfast-Session-Ends"));
  if (!idleSeconds || (sessionEnds && Date.now() > sessionEnds)) {
    return Promise.resolve(false);
  }
  return cache.match(LAST_ANSWER).then(function (answered) {
    if (!answered) {
      return false;
    }
    return answered.text().then(function (moment) {
      return Date.now() - Number(moment) <= idleSeconds * 1000;
    });
  });
}

function offlineAnswer(text) {
  return new Response(text, {
    status: 503,
    headers: { "Content-Type": "text/plain; charset=utf-8" },
  });
}

function keptPage(request) {
  return caches.open(PAGE_CACHE).then(function (cache) {
    return cache.match(request).then(function (page) {
      if (!page) {
        return offlineAnswer("You are offline and this page was not opened before.");
      }
      return stillSignedIn(cache, page).then(function (alive) {
        if (alive) {
          return page;
        }
        return forgetPages().then(function () {
          return offlineAnswer(
            "You are offline, and you were signed out after a while without activity, " +
              "so the pages kept on this device were removed. Connect and log in again."
          );
        });
      });
    });
  });
}

self.addEventListener("fetch", function (event) {
  var request = event.request;
  var url = new URL(request.url);
  if (url.origin !== self.location.origin) {
    return;
  }
  if (request.method === "POST" && url.pathname === "/accounts/logout/") {
    event.waitUntil(forgetPages());
    return;
  }
  if (request.method !== "GET") {
    return;
  }
  // Any page of the accounts area (login, the invitation link, password reset) may mean
  // another person: forget the pages kept for the last one.
  if (url.pathname.indexOf("/accounts/") === 0) {
    event.waitUntil(forgetPages());
    return;
  }
  var fileCache = cacheFor(url.pathname);
  if (fileCache) {
    event.respondWith(cacheFirst(fileCache, request));
    return;
  }
  var offlineUsable = OFFLINE_PAGES.some(function (pattern) {
    return pattern.test(url.pathname);
  });
  if (request.mode === "navigate" && offlineUsable) {
    event.respondWith(
      fetch(request)
        .then(function (response) {
          // A redirect to the login page is not kept (it is not ok), and the login page
          // itself forgets every page (above).
          if (response.ok) {
            // Kept before the worker may stop, so that a logout cannot come in between.
            event.waitUntil(keepPage(request, response.clone()));
          }
          return response;
        })
        .catch(function () {
          return keptPage(request);
        })
    );
  }
});
