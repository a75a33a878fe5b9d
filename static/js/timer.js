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
    // Each side in the level's own words ("Left leg long and relaxed, ..."), in order.
    sideWords: (root.dataset.sideWords || "").split("|"),
    getReady: parseInt(root.dataset.getReady, 10),
    switchSides: parseInt(root.dataset.switch, 10),
    rest: parseInt(root.dataset.rest, 10),
    logUrl: root.dataset.logUrl,
    // What comes after this set today, if anything (the page's Today order).
    nextUrl: root.dataset.nextUrl || "",
    nextName: root.dataset.nextName || "",
    // In today's session, where its summary is once nothing is left.
    summaryUrl: root.dataset.summaryUrl || "",
  };
  var SIDE_NAMES = { left: "Left side", right: "Right side", none: "Hold" };
  // Each phase's word and icon; its colour is the stylesheet's (.timer[data-phase=...]).
  var PHASES = {
    ready: { word: "Get ready", icon: "◔" },
    hold: { word: "Hold", icon: "■" },
    switch: { word: "Switch", icon: "⇄" },
    rest: { word: "Rest", icon: "☾" },
    done: { word: "Done", icon: "✓" },
  };
  var RING_LENGTH = 2 * Math.PI * 54;
  var cues = window.HoldfastCues;

  var el = {
    phase: document.getElementById("timer-phase"),
    icon: document.getElementById("timer-icon"),
    side: document.getElementById("timer-side"),
    // The level's step that is held, if its content says which one it is.
    holdStep: document.getElementById("timer-step"),
    dial: document.getElementById("timer-dial"),
    ring: document.getElementById("timer-ring"),
    voice: document.getElementById("timer-voice"),
    question: document.getElementById("timer-question"),
    yes: document.getElementById("timer-yes"),
    no: document.getElementById("timer-no"),
    after: document.getElementById("timer-after"),
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
    lastCount: null,
    // When the page was hidden (screen locked, another app): [from, to] in Date.now() ms,
    // to null while it still is.
    hidden: [],
    // The hold waiting for the patient's answer to "Did you finish this hold?".
    asking: null,
    ticker: null,
    wakeLock: null,
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
          words: (side !== "none" && config.sideWords[sideIndex]) || SIDE_NAMES[side] || "Hold",
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

  function showPhase(kind) {
    root.dataset.phase = kind;
    el.phase.textContent = PHASES[kind].word;
    el.icon.textContent = PHASES[kind].icon;
    if (el.holdStep) {
      el.holdStep.hidden = kind !== "hold";
    }
  }

  function nextHold(index) {
    for (var later = index + 1; later < plan.length; later++) {
      if (plan[later].kind === "hold") {
        return plan[later];
      }
    }
    return null;
  }

  function enterPhase(index, startedAt) {
    state.index = index;
    state.pausedElapsed = 0;
    state.phaseStartedAt = startedAt || Date.now();
    state.lastAnnounced = null;
    state.lastCount = null;
    root.classList.remove("timer-counting");
    var step = plan[index];
    var coming = nextHold(index);
    showPhase(step.kind);
    if (step.kind === "hold") {
      el.side.textContent = step.words;
      el.count.textContent = "Hold " + step.number + " of " + step.total;
      say(step.words + ": hold for " + step.seconds + " seconds. Hold " + step.number + " of " + step.total + ".");
      cues.boundary("hold");
      cues.speak(step.words + ": hold for " + step.seconds + " seconds");
    } else {
      el.side.textContent = coming
        ? "Next: " + (coming.words === coming.label ? coming.label.toLowerCase() : coming.words)
        : "";
      el.count.textContent = "";
      if (step.kind === "switch") {
        say("Switch sides.");
        cues.boundary("switch");
        cues.speak("Switch sides");
      } else if (step.kind === "rest") {
        say("Rest for " + step.seconds + " seconds.");
        cues.boundary("rest");
        cues.speak("Rest");
      } else {
        say("Get ready. Starting in " + step.seconds + " seconds.");
        cues.speak("Get ready");
      }
    }
    render();
  }

  function render() {
    var step = plan[state.index];
    if (!step || state.asking) {
      return;
    }
    var remaining = Math.max(0, step.seconds - elapsed());
    el.clock.textContent = formatClock(remaining);
    el.ring.setAttribute("stroke-dashoffset", String(RING_LENGTH * (1 - remaining / step.seconds)));
    var left = Math.ceil(remaining);
    if (step.kind === "hold") {
      if (left > 0 && left < step.seconds && left % 10 === 0 && state.lastAnnounced !== left) {
        state.lastAnnounced = left;
        say(left + " seconds left.");
      }
    } else if (left >= 1 && left <= 3 && state.lastCount !== left && state.running) {
      // 3-2-1 before the next hold: large on screen, a short beep for each.
      state.lastCount = left;
      root.classList.add("timer-counting");
      cues.countdown();
    }
  }

  // Ticks come every 200 ms while the page runs; a longer silence means the page was
  // frozen (a sleeping phone that said nothing), and that time went unseen as well.
  var FROZEN_MS = 2000;

  function tick() {
    var now = Date.now();
    if (state.lastTick && now - state.lastTick > FROZEN_MS) {
      state.hidden.push([state.lastTick, now]);
    }
    state.lastTick = now;
    // A throttled background tab may tick seldom: end every phase that is due, each at
    // the moment it was due, so the set keeps to the clock.
    while (state.running && plan[state.index] && elapsed() >= plan[state.index].seconds) {
      var step = plan[state.index];
      var endedAt = state.phaseStartedAt + (step.seconds - state.pausedElapsed) * 1000;
      if (step.kind === "hold" && unseen(endedAt - step.seconds * 1000, endedAt)) {
        // Time the patient did not see is not credited silently: they say.
        ask(step, endedAt);
        return;
      }
      if (step.kind === "hold") {
        saveHold(step.side, step.seconds, endedAt);
      }
      moveOn(endedAt);
    }
    if (state.index >= 0) {
      render();
    }
  }

  // Whether the page was hidden for any of [from, to]: a hold it could not see through,
  // however the time caught up afterwards (a frozen page wakes past the hold's end).
  function unseen(from, to) {
    return state.hidden.some(function (span) {
      return span[0] < to && (span[1] === null || span[1] > from);
    });
  }

  function moveOn(endedAt) {
    if (state.index + 1 < plan.length) {
      enterPhase(state.index + 1, endedAt);
    } else {
      finish("All holds done.", true);
    }
  }

  function ask(step, endedAt) {
    state.running = false;
    state.asking = { step: step, endedAt: endedAt };
    el.clock.textContent = "?";
    el.pause.hidden = true;
    el.question.hidden = false;
    say("Did you finish this hold? " + step.label + ", " + step.seconds + " seconds.");
    cues.speak("Did you finish this hold?");
    el.yes.focus({ preventScroll: true });
  }

  function answer(finished) {
    var asked = state.asking;
    if (!asked) {
      return;
    }
    state.asking = null;
    el.question.hidden = true;
    el.pause.hidden = false;
    if (finished) {
      saveHold(asked.step.side, asked.step.seconds, asked.endedAt);
    } else {
      addLogLine(asked.step.label + ", " + asked.step.seconds + " s: left out, as you said");
    }
    state.running = true;
    // The rest of the set runs from now: the answer may have come long after.
    moveOn(Date.now());
    el.pause.focus({ preventScroll: true });
  }

  function start() {
    // Browsers only allow sound that a tap started.
    cues.unlock();
    state.running = true;
    el.after.hidden = true;
    el.dial.hidden = false;
    el.start.hidden = true;
    el.pause.hidden = false;
    el.stop.hidden = false;
    el.pause.textContent = "Pause";
    keepAwake();
    enterPhase(0);
    state.lastTick = Date.now();
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
      state.lastTick = Date.now();
      state.running = true;
      el.pause.textContent = "Pause";
      say("Resumed.");
      keepAwake();
    }
  }

  function stop() {
    var step = plan[state.index];
    var startedAt = state.phaseStartedAt - state.pausedElapsed * 1000;
    if (state.asking) {
      state.asking = null;
      el.question.hidden = true;
    } else if (step && step.kind === "hold" && unseen(startedAt, Date.now())) {
      // Part of it went unseen: nothing is credited that the patient did not confirm.
      addLogLine(step.label + ": not saved, as the screen was off for part of it");
    } else if (step && step.kind === "hold") {
      var held = Math.floor(elapsed());
      if (held >= 1) {
        saveHold(step.side, Math.min(held, step.seconds));
      }
    }
    finish("Every hold you finished is saved.", false);
  }

  function finish(message, complete) {
    window.clearInterval(state.ticker);
    state.running = false;
    state.index = -1;
    letSleep();
    showPhase("done");
    if (!complete) {
      el.phase.textContent = "Stopped";
    }
    el.side.textContent = message;
    el.count.textContent = "";
    // No clock after the set: what comes next instead.
    el.dial.hidden = true;
    el.pause.hidden = true;
    el.stop.hidden = true;
    el.start.hidden = false;
    el.start.textContent = "Start again";
    showWhatIsNext(complete);
    if (complete) {
      cues.boundary("done");
      cues.speak(config.nextUrl ? "All done. Next: " + config.nextName : "All done for today");
    }
    say(message + " Now rate your pain from 0 to 10.");
    if (el.painSection) {
      el.painSection.scrollIntoView({ behavior: "smooth", block: "start" });
      var firstChoice = el.painSection.querySelector("input[type=radio]");
      if (firstChoice) {
        firstChoice.focus({ preventScroll: true });
      }
    }
  }

  function showWhatIsNext(complete) {
    el.after.textContent = "";
    if (!complete) {
      el.after.hidden = true;
      return;
    }
    var line = document.createElement("p");
    line.className = "fs-4 fw-semibold mb-2";
    if (config.nextUrl) {
      line.textContent = "Next: " + config.nextName;
      var go = document.createElement("a");
      go.className = "btn btn-success btn-lg timer-button";
      go.href = config.nextUrl;
      go.textContent = "Go on to " + config.nextName;
      el.after.appendChild(line);
      el.after.appendChild(go);
    } else {
      line.textContent = "Done for today. Well done!";
      el.after.appendChild(line);
      if (config.summaryUrl) {
        var summary = document.createElement("a");
        summary.className = "btn btn-success btn-lg timer-button";
        summary.href = config.summaryUrl;
        summary.textContent = "See today's summary";
        el.after.appendChild(summary);
      }
    }
    el.after.hidden = false;
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
    var last = state.hidden[state.hidden.length - 1];
    if (document.visibilityState === "hidden" && state.running && !(last && last[1] === null)) {
      state.hidden.push([Date.now(), null]);
    }
    if (document.visibilityState === "visible" && last && last[1] === null) {
      last[1] = Date.now();
    }
    if (document.visibilityState === "visible" && state.running) {
      keepAwake();
      tick();
    }
  });
  el.yes.addEventListener("click", function () {
    answer(true);
  });
  el.no.addEventListener("click", function () {
    answer(false);
  });
  if (cues.hasVoice) {
    var showVoice = function () {
      el.voice.textContent = cues.voiceOn() ? "Mute the voice" : "Turn the voice on";
    };
    el.voice.addEventListener("click", function () {
      cues.setVoice(!cues.voiceOn());
      showVoice();
    });
    showVoice();
    el.voice.hidden = false;
  }
  root.hidden = false;
})();
