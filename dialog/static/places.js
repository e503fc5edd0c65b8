// The map of a place question: an extra on top of the list and text fields, which work alone.
// Leaflet is loaded only when the resident opens the map, from the app itself; tiles come
// through the app's own /map/tiles/ route. A point goes into the hidden lat/lon fields of the
// next free mark, so the form sends the same fields with or without the map. Keyboard: the
// arrow keys move the map under a fixed cross, Enter marks the place under it.
"use strict";
(() => {
  const DECIMALS = 5;

  function marksOf(box) {
    return Array.from(box.closest(".place").querySelectorAll("details.mark"));
  }

  function input(mark, key) {
    return mark.querySelector(`[name="${mark.dataset.prefix}.${key}"]`);
  }

  function isFree(mark) {
    return !input(mark, "lat").value && !input(mark, "place").value && !input(mark, "text").value;
  }

  function say(box, text) {
    box.querySelector(".map-status").textContent = text;
  }

  // The mark's line "Marked on the map" gets a remove button; with a map, also its marker.
  function showPoint(box, mark, state) {
    const line = mark.querySelector(".map-point");
    line.hidden = false;
    if (!line.querySelector("button")) {
      const remove = document.createElement("button");
      remove.type = "button";
      remove.className = "link remove-point";
      remove.textContent = box.dataset.textRemove;
      remove.setAttribute("aria-label",
        `${box.dataset.textRemove}: ${mark.querySelector("summary").textContent}`);
      remove.addEventListener("click", () => clearPoint(mark, state));
      line.append(" ", remove);
    }
  }

  function clearPoint(mark, state) {
    input(mark, "lat").value = "";
    input(mark, "lon").value = "";
    mark.querySelector(".map-point").hidden = true;
    const marker = state.markers.get(mark);
    if (marker) {
      marker.remove();
      state.markers.delete(mark);
    }
  }

  function setPoint(mark, latlng) {
    input(mark, "lat").value = latlng.lat.toFixed(DECIMALS);
    input(mark, "lon").value = latlng.lng.toFixed(DECIMALS);
  }

  function addMarker(box, mark, latlng, state) {
    const marker = window.L.marker(latlng, {
      draggable: true, keyboard: true, title: mark.querySelector("summary").textContent,
      alt: mark.querySelector("summary").textContent,
    }).addTo(state.map);
    marker.on("dragend", () => setPoint(mark, marker.getLatLng()));
    state.markers.set(mark, marker);
    showPoint(box, mark, state);
  }

  function markAt(box, latlng, state) {
    const mark = marksOf(box).find(isFree);
    if (!mark) {
      say(box, box.dataset.textFull);
      return;
    }
    setPoint(mark, latlng);
    mark.open = true;
    addMarker(box, mark, latlng, state);
    say(box, `${mark.querySelector("summary").textContent}: ${box.dataset.textMarked}`);
  }

  function chooseNamed(box, code) {
    const mark = marksOf(box).find(isFree);
    if (!mark) {
      say(box, box.dataset.textFull);
      return;
    }
    input(mark, "place").value = code;
    mark.open = true;
    say(box, `${mark.querySelector("summary").textContent}: ` +
      input(mark, "place").selectedOptions[0].textContent);
  }

  // The named places and outlines, to fit the map to them (the bounds sent along have a margin).
  function extent(places, areas) {
    const points = places.map((p) => [p.lat, p.lon]).concat(...areas.map((a) => a.outline));
    return window.L.latLngBounds(points);
  }

  function draw(box, state) {
    const L = window.L;
    const places = JSON.parse(box.dataset.places);
    const areas = JSON.parse(box.dataset.areas);
    const [south, west, north, east] = JSON.parse(box.dataset.bounds);
    const canvas = document.createElement("div");
    canvas.className = "map-canvas";
    canvas.setAttribute("aria-label", box.dataset.textLabel);
    const cross = document.createElement("div");
    cross.className = "map-cross";
    cross.setAttribute("aria-hidden", "true");
    box.querySelector(".map-status").before(canvas);
    const map = L.map(canvas, {
      maxBounds: [[south, west], [north, east]], maxZoom: Number(box.dataset.maxZoom),
      keyboard: true,
    });
    canvas.append(cross);
    canvas.setAttribute("role", "application");
    state.map = map;
    window.mapBase.addBackground(box, map, canvas);
    for (const area of areas) {
      L.polygon(area.outline, { weight: 2, fill: false, interactive: false })
        .bindTooltip(area.label, { permanent: !box.dataset.tiles }).addTo(map);
    }
    for (const place of places) {
      L.circleMarker([place.lat, place.lon], { radius: 7 })
        .bindTooltip(place.label)
        .on("click", (event) => {
          L.DomEvent.stop(event);
          chooseNamed(box, place.code);
        })
        .addTo(map);
    }
    map.fitBounds(extent(places, areas));
    map.on("click", (event) => markAt(box, event.latlng, state));
    canvas.addEventListener("keydown", (event) => {
      if (event.key === "Enter" && event.target === canvas) {
        event.preventDefault();
        markAt(box, map.getCenter(), state);
      }
    });
    for (const mark of marksOf(box)) {
      const lat = input(mark, "lat").value;
      const lon = input(mark, "lon").value;
      if (lat && lon) {
        addMarker(box, mark, L.latLng(Number(lat), Number(lon)), state);
      }
    }
    canvas.focus();
  }

  function load(box, state) {
    const unavailable = () => say(box, box.dataset.textUnavailable);
    if (!box.dataset.leaflet) {
      unavailable();
      return;
    }
    window.mapBase.loadLeaflet(box, () => draw(box, state), unavailable);
  }

  function setUp(box) {
    const status = document.createElement("p");
    status.className = "map-status";
    status.setAttribute("aria-live", "polite");
    const open = document.createElement("button");
    open.type = "button";
    open.className = "secondary";
    open.textContent = box.dataset.textOpen;
    const state = { map: null, markers: new Map() };
    open.addEventListener("click", () => {
      open.remove();
      load(box, state);
    });
    box.append(open, status);
    box.hidden = false;
    for (const mark of marksOf(box)) {
      if (input(mark, "lat").value) {
        showPoint(box, mark, state);
      }
    }
  }

  document.addEventListener("DOMContentLoaded", () => {
    document.querySelectorAll(".place-map").forEach(setUp);
  });
})();
