/* Install the service worker that keeps the program usable offline (see /sw.js). */
(function () {
  "use strict";
  if ("serviceWorker" in navigator) {
    navigator.serviceWorker.register("/sw.js", { scope: "/" }).catch(function () {
      // Without it the portal still works, only not offline.
    });
  }
})();
