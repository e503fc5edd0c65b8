// "Use my position" on a walk's stop form: the phone's position fills the hidden lat/lon
// fields. Without JavaScript or geolocation the button stays hidden and the walker chooses a
// place or describes it, which is just as complete.
(function () {
  "use strict";
  var button = document.getElementById("use-position");
  if (!button || !("geolocation" in navigator)) {
    return;
  }
  var status = document.getElementById("position-status");
  button.parentNode.hidden = false;
  button.addEventListener("click", function () {
    button.disabled = true;
    navigator.geolocation.getCurrentPosition(function (position) {
      document.getElementById("lat").value = position.coords.latitude.toFixed(5);
      document.getElementById("lon").value = position.coords.longitude.toFixed(5);
      status.textContent = button.dataset.found.replace(
        "{metres}", String(Math.round(position.coords.accuracy)));
      button.disabled = false;
    }, function () {
      status.textContent = button.dataset.failed;
      button.disabled = false;
    }, {enableHighAccuracy: true, timeout: 20000, maximumAge: 60000});
  });
})();
