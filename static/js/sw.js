/*
 * Holdfast's service worker: the today page and the timer keep working without a
 * connection once they have been opened.
 *
 * Static files are served from the cache first. The patient's pages are fetched from the
 * network and kept for when it is missing. Those pages show patient data, so the kept
 * copies are thrown away at logout and whenever the login page is shown.
 */
"use strict";

var STATIC_CACHE = "holdfast-static-v1";
var PAGE_CACHE = "holdfast-pages-v1";
var OFFLINE_PAGES = [/^\/today\/$/, /^\/program\/\d+\/$/, /^\/history\/$/, /^\/exercises\//];

self.addEventListener("install", function () {
  self.skipWaiting();
});

self.addEventListener("activate", function (event) {
  event.waitUntil(self.clients.claim());
});

function forgetPages() {
  return caches.delete(PAGE_CACHE);
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
  if (url.pathname.indexOf("/static/") === 0) {
    event.respondWith(
      caches.open(STATIC_CACHE).then(function (cache) {
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
      })
    );
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
            var copy = response.clone();
            // Kept before the worker may stop, so that a logout cannot come in between.
            event.waitUntil(
              caches.open(PAGE_CACHE).then(function (cache) {
                return cache.put(request, copy);
              })
            );
          }
          return response;
        })
        .catch(function () {
          return caches.match(request, { cacheName: PAGE_CACHE }).then(function (hit) {
            return (
              hit ||
              new Response("You are offline and this page was not opened before.", {
                status: 503,
                headers: { "Content-Type": "text/plain; charset=utf-8" },
              })
            );
          });
        })
    );
  }
});
