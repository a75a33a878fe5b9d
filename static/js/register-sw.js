/*
 * Install the service worker that keeps the program usable offline (see /sw.js), and
 * hand it the pictures of the patient's own levels when a page lists them
 * (<script type="application/json" id="offline-pictures">), so that the timer and the
 * level pages show them without a connection.
 */
(function () {
  "use strict";
  if (!("serviceWorker" in navigator)) {
    return;
  }
  navigator.serviceWorker.register("/sw.js", { scope: "/" }).catch(function () {
    // Without it the portal still works, only not offline.
  });
  var listed = document.getElementById("offline-pictures");
  if (!listed) {
    return;
  }
  var urls = JSON.parse(listed.textContent);
  navigator.serviceWorker.ready.then(function (registration) {
    if (registration.active && urls.length) {
      registration.active.postMessage({ keepPictures: urls });
    }
  });
})();
