/* Kiosk idle timer. After `data-idle` seconds without touch, key or scroll the screen is cleared
   for the next person; `data-warning` seconds before that, "Are you still there?" is shown.
   An external file because the Content-Security-Policy allows no inline script. Without
   JavaScript a <noscript> meta refresh does the clearing. */
(function () {
  "use strict";
  var notice = document.getElementById("idle-notice");
  if (!notice) { return; }
  var idleMs = Number(notice.getAttribute("data-idle")) * 1000;
  var warningMs = Number(notice.getAttribute("data-warning")) * 1000;
  var resetUrl = notice.getAttribute("data-reset-url");
  var countdown = notice.querySelector("[data-countdown]");
  var stay = notice.querySelector("[data-stay]");
  var warnTimer = null, resetTimer = null, tick = null, deadline = 0;

  function clearScreen() {
    // replace(): the page being left does not stay as a history entry to go Back to.
    window.location.replace(resetUrl);
  }

  function showWarning() {
    notice.hidden = false;
    tick = window.setInterval(function () {
      var left = Math.max(0, Math.ceil((deadline - Date.now()) / 1000));
      if (countdown) { countdown.textContent = String(left); }
    }, 250);
    if (stay) { stay.focus(); }
  }

  function arm() {
    window.clearTimeout(warnTimer);
    window.clearTimeout(resetTimer);
    window.clearInterval(tick);
    notice.hidden = true;
    if (countdown) { countdown.textContent = String(Math.round(warningMs / 1000)); }
    deadline = Date.now() + idleMs;
    if (warningMs > 0 && warningMs < idleMs) {
      warnTimer = window.setTimeout(showWarning, idleMs - warningMs);
    }
    resetTimer = window.setTimeout(clearScreen, idleMs);
  }

  ["pointerdown", "keydown", "input", "wheel", "touchstart", "scroll"].forEach(function (type) {
    document.addEventListener(type, arm, { capture: true, passive: true });
  });
  if (stay) { stay.addEventListener("click", arm); }
  // A page restored from the back-forward cache must ask the server again (which clears it).
  window.addEventListener("pageshow", function (event) {
    if (event.persisted) { window.location.reload(); }
  });
  arm();
}());
