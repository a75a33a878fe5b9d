/*
 * The guided hold timer.
 *
 * The page works without this script (the forms below the timer post normally); with it,
 * the patient is walked through a get-ready countdown, each hold on each side, the switch
 * between sides and the rests between holds. Every hold is saved the moment it ends, with
 * a token made here so that a retry after a lost response is stored only once.
 *
 * Time is read from Date.now() on every tick rather than counted in ticks, so a throttled
 * background tab still ends each hold at the right moment.
 */
(function () {
  "use strict";

  var root = document.getElementById("timer");
  if (!root) {
    return;
  }

  var config = {
    target: parseInt(root.dataset.target, 10),
    holdsPerSide: parseInt(root.dataset.holdsPerSide, 10),
    sides: root.dataset.sides.split(","),
    getReady: parseInt(root.dataset.getReady, 10),
    switchSides: parseInt(root.dataset.switch, 10),
    rest: parseInt(root.dataset.rest, 10),
    logUrl: root.dataset.logUrl,
  };
  var SIDE_NAMES = { left: "Left side", right: "Right side", none: "Hold" };

  var el = {
    phase: document.getElementById("timer-phase"),
    clock: document.getElementById("timer-clock"),
    count: document.getElementById("timer-count"),
    announce: document.getElementById("timer-announce"),
    start: document.getElementById("timer-start"),
    pause: document.getElementById("timer-pause"),
    stop: document.getElementById("timer-stop"),
    log: document.getElementById("timer-log"),
    progress: document.getElementById("today-progress"),
    painSection: document.getElementById("pain-section"),
  };

  var plan = buildPlan();
  var state = {
    index: -1,
    running: false,
    phaseStartedAt: 0,
    pausedElapsed: 0,
    lastAnnounced: null,
    ticker: null,
    wakeLock: null,
    audio: null,
  };

  function buildPlan() {
    var steps = [{ kind: "ready", seconds: config.getReady, label: "Get ready" }];
    var total = config.holdsPerSide * config.sides.length;
    var number = 0;
    for (var round = 1; round <= config.holdsPerSide; round++) {
      config.sides.forEach(function (side, sideIndex) {
        number += 1;
        steps.push({
          kind: "hold",
          side: side,
          seconds: config.target,
          label: SIDE_NAMES[side] || "Hold",
          number: number,
          total: total,
        });
        var last = number === total;
        if (last) {
          return;
        }
        if (sideIndex < config.sides.length - 1) {
          steps.push({ kind: "switch", seconds: config.switchSides, label: "Switch sides" });
        } else if (config.rest > 0) {
          steps.push({ kind: "rest", seconds: config.rest, label: "Rest" });
        }
      });
    }
    return steps;
  }

  function say(text) {
    // Clearing first makes screen readers repeat a message identical to the last one.
    el.announce.textContent = "";
    window.setTimeout(function () {
      el.announce.textContent = text;
    }, 50);
  }

  function formatClock(seconds) {
    var whole = Math.max(0, Math.ceil(seconds));
    var minutes = Math.floor(whole / 60);
    var rest = whole % 60;
    return minutes ? minutes + ":" + (rest < 10 ? "0" : "") + rest : String(rest);
  }

  function chime() {
    if (navigator.vibrate) {
      navigator.vibrate([200, 100, 200]);
    }
    if (!state.audio) {
      return;
    }
    var oscillator = state.audio.createOscillator();
    var gain = state.audio.createGain();
    oscillator.frequency.value = 880;
    gain.gain.setValueAtTime(0.25, state.audio.currentTime);
    gain.gain.exponentialRampToValueAtTime(0.001, state.audio.currentTime + 0.6);
    oscillator.connect(gain).connect(state.audio.destination);
    oscillator.start();
    oscillator.stop(state.audio.currentTime + 0.6);
  }

  function keepAwake() {
    if (!("wakeLock" in navigator) || state.wakeLock) {
      return;
    }
    navigator.wakeLock.request("screen").then(
      function (lock) {
        state.wakeLock = lock;
        lock.addEventListener("release", function () {
          state.wakeLock = null;
        });
      },
      function () {
        // Refused (battery saver, hidden tab): the timer still works, the screen may dim.
      }
    );
  }

  function letSleep() {
    if (state.wakeLock) {
      state.wakeLock.release();
      state.wakeLock = null;
    }
  }

  function elapsed() {
    if (!state.running) {
      return state.pausedElapsed;
    }
    return state.pausedElapsed + (Date.now() - state.phaseStartedAt) / 1000;
  }

  function enterPhase(index, startedAt) {
    state.index = index;
    state.pausedElapsed = 0;
    state.phaseStartedAt = startedAt || Date.now();
    state.lastAnnounced = null;
    var step = plan[index];
    el.phase.textContent = step.label;
    if (step.kind === "hold") {
      el.count.textContent = "Hold " + step.number + " of " + step.total;
      say(step.label + ": hold for " + step.seconds + " seconds. Hold " + step.number + " of " + step.total + ".");
    } else if (step.kind === "switch") {
      el.count.textContent = "";
      say("Switch sides.");
    } else if (step.kind === "rest") {
      el.count.textContent = "";
      say("Rest for " + step.seconds + " seconds.");
    } else {
      el.count.textContent = "";
      say("Get ready. Starting in " + step.seconds + " seconds.");
    }
    render();
  }

  function render() {
    var step = plan[state.index];
    if (!step) {
      return;
    }
    var remaining = step.seconds - elapsed();
    el.clock.textContent = formatClock(remaining);
    if (step.kind === "hold") {
      var left = Math.ceil(remaining);
      if (left > 0 && left < step.seconds && left % 10 === 0 && state.lastAnnounced !== left) {
        state.lastAnnounced = left;
        say(left + " seconds left.");
      }
    }
  }

  function tick() {
    // A throttled background tab may tick seldom: end every phase that is due, each at
    // the moment it was due, so the set keeps to the clock.
    while (state.running && plan[state.index] && elapsed() >= plan[state.index].seconds) {
      var step = plan[state.index];
      var endedAt = state.phaseStartedAt + (step.seconds - state.pausedElapsed) * 1000;
      if (step.kind === "hold") {
        chime();
        saveHold(step.side, step.seconds, endedAt);
      }
      if (state.index + 1 < plan.length) {
        enterPhase(state.index + 1, endedAt);
      } else {
        finish("All holds done. Well done!");
      }
    }
    render();
  }

  function start() {
    if (!state.audio && (window.AudioContext || window.webkitAudioContext)) {
      // Browsers only allow sound that a tap started.
      state.audio = new (window.AudioContext || window.webkitAudioContext)();
    }
    state.running = true;
    el.start.hidden = true;
    el.pause.hidden = false;
    el.stop.hidden = false;
    el.pause.textContent = "Pause";
    keepAwake();
    enterPhase(0);
    state.ticker = window.setInterval(tick, 200);
    // The picture, the clock and the buttons on one screen, whatever was read above.
    root.scrollIntoView({ block: "start" });
    el.pause.focus({ preventScroll: true });
  }

  function togglePause() {
    if (state.running) {
      state.pausedElapsed = elapsed();
      state.running = false;
      el.pause.textContent = "Resume";
      say("Paused.");
      letSleep();
    } else {
      state.phaseStartedAt = Date.now();
      state.running = true;
      el.pause.textContent = "Pause";
      say("Resumed.");
      keepAwake();
    }
  }

  function stop() {
    var step = plan[state.index];
    if (step && step.kind === "hold") {
      var held = Math.floor(elapsed());
      if (held >= 1) {
        saveHold(step.side, Math.min(held, step.seconds));
      }
    }
    finish("Stopped. Every hold you finished is saved.");
  }

  function finish(message) {
    window.clearInterval(state.ticker);
    state.running = false;
    state.index = -1;
    letSleep();
    el.phase.textContent = message;
    el.clock.textContent = formatClock(config.target);
    el.count.textContent = "";
    el.pause.hidden = true;
    el.stop.hidden = true;
    el.start.hidden = false;
    el.start.textContent = "Start again";
    say(message + " Now rate your pain from 0 to 10.");
    if (el.painSection) {
      el.painSection.scrollIntoView({ behavior: "smooth", block: "start" });
      var firstChoice = el.painSection.querySelector("input[type=radio]");
      if (firstChoice) {
        firstChoice.focus({ preventScroll: true });
      }
    }
  }

  function addLogLine(text) {
    var item = document.createElement("li");
    item.textContent = text;
    el.log.appendChild(item);
    return item;
  }

  function saveHold(side, seconds, endedAt) {
    var fields = {
      side: side,
      seconds: String(seconds),
      performed_at: new Date(endedAt || Date.now()).toISOString(),
      client_token: window.HoldfastOutbox.newToken(),
      source: "timer",
    };
    var label = (SIDE_NAMES[side] || "Hold") + ", " + seconds + " s: ";
    var line = addLogLine(label + "saving…");
    window.HoldfastOutbox.send(
      config.logUrl,
      fields,
      function (ok, data) {
        line.textContent = label + (ok ? "saved" : "not saved. " + window.HoldfastOutbox.reasons(data));
        if (ok && data.progress) {
          showProgress(data.progress);
        }
      },
      function (loggedOut) {
        line.textContent =
          label + (loggedOut ? "kept on this device; log in again to send it" : "kept on this device, will send when online");
      }
    );
  }

  // Answers can arrive out of order, so a count on screen only ever goes up.
  var shownDone = {};

  function showProgress(progress) {
    var items = el.progress.querySelectorAll("li");
    progress.forEach(function (entry, index) {
      var done = Math.max(entry.done, shownDone[entry.side] || 0);
      shownDone[entry.side] = done;
      if (items[index]) {
        var name = entry.side === "none" ? "Holds" : entry.label;
        // As the page draws it (patients/_progress.html): holds beyond the day's are extra.
        var extra = Math.max(0, done - entry.of);
        items[index].textContent =
          name + " " + Math.min(done, entry.of) + " of " + entry.of +
          (extra ? ", and " + extra + " extra" : "") + (done >= entry.of ? " ✓" : "");
      }
    });
  }

  el.start.addEventListener("click", start);
  el.pause.addEventListener("click", togglePause);
  el.stop.addEventListener("click", stop);
  document.addEventListener("visibilitychange", function () {
    if (document.visibilityState === "visible" && state.running) {
      keepAwake();
      tick();
    }
  });
  root.hidden = false;
})();
