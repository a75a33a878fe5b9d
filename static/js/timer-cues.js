/*
 * The timer's cues, for a patient who cannot look at the phone: a sound and a vibration
 * of its own at each phase boundary (a hold starts, time to switch, a rest, the set is
 * done), short beeps for the 3-2-1 before a hold, and a spoken cue through the browser's
 * speech synthesis. The voice is on by default where the browser has one; the patient's
 * choice to mute it is remembered on the device.
 *
 * window.HoldfastCues: unlock() (from a tap: browsers allow sound only then),
 * boundary(kind), countdown(), speak(text), voiceOn(), setVoice(on), hasVoice.
 */
(function () {
  "use strict";

  var VOICE_KEY = "holdfast-timer-voice";
  // Each boundary's notes (Hz, seconds) and vibration (ms on, off, on...): told apart by
  // ear and by hand.
  var CUES = {
    hold: { notes: [[660, 0.15], [880, 0.3]], vibrate: [400] },
    switch: { notes: [[523, 0.12], [523, 0.12], [523, 0.12]], vibrate: [120, 80, 120, 80, 120] },
    rest: { notes: [[440, 0.5]], vibrate: [700] },
    done: { notes: [[523, 0.15], [659, 0.15], [784, 0.4]], vibrate: [200, 100, 200, 100, 500] },
  };
  var COUNTDOWN = { notes: [[1000, 0.08]], vibrate: [60] };

  var audio = null;
  var hasVoice = "speechSynthesis" in window && "SpeechSynthesisUtterance" in window;

  function storedVoice() {
    try {
      return window.localStorage.getItem(VOICE_KEY) !== "off";
    } catch (error) {
      return true; // storage refused (a private window): the default
    }
  }

  var voice = hasVoice && storedVoice();

  function unlock() {
    var Context = window.AudioContext || window.webkitAudioContext;
    if (!audio && Context) {
      audio = new Context();
    }
  }

  function play(cue) {
    if (navigator.vibrate) {
      navigator.vibrate(cue.vibrate);
    }
    if (!audio) {
      return;
    }
    var at = audio.currentTime;
    cue.notes.forEach(function (note) {
      var oscillator = audio.createOscillator();
      var gain = audio.createGain();
      oscillator.frequency.value = note[0];
      gain.gain.setValueAtTime(0.25, at);
      gain.gain.exponentialRampToValueAtTime(0.001, at + note[1]);
      oscillator.connect(gain).connect(audio.destination);
      oscillator.start(at);
      oscillator.stop(at + note[1]);
      at += note[1] + 0.05;
    });
  }

  function speak(text) {
    if (!voice) {
      return;
    }
    window.speechSynthesis.cancel();
    window.speechSynthesis.speak(new window.SpeechSynthesisUtterance(text));
  }

  function setVoice(on) {
    voice = hasVoice && on;
    try {
      window.localStorage.setItem(VOICE_KEY, on ? "on" : "off");
    } catch (error) {
      // Not remembered; it still applies to this page.
    }
    if (!voice && hasVoice) {
      window.speechSynthesis.cancel();
    }
  }

  window.HoldfastCues = {
    unlock: unlock,
    boundary: function (kind) {
      if (CUES[kind]) {
        play(CUES[kind]);
      }
    },
    countdown: function () {
      play(COUNTDOWN);
    },
    speak: speak,
    voiceOn: function () {
      return voice;
    },
    setVoice: setVoice,
    hasVoice: hasVoice,
  };
})();
