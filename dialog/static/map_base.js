// What the two maps share – places.js (the place question) and place_results.js (the heat map
// of the aggregates): Leaflet loaded from the app itself only when a map is drawn, and the
// background – tiles through the app's /map/tiles/ route, or a plain one with a note saying
// so when no tile source is set.
"use strict";
window.mapBase = {
  loadLeaflet(box, ready, failed) {
    if (window.L) {
      ready();
      return;
    }
    const style = document.createElement("link");
    style.rel = "stylesheet";
    style.href = box.dataset.leafletCss;
    document.head.append(style);
    const script = document.createElement("script");
    script.src = box.dataset.leaflet;
    script.addEventListener("load", ready);
    script.addEventListener("error", failed);
    document.head.append(script);
  },

  addBackground(box, map, canvas) {
    if (box.dataset.tiles) {
      L.tileLayer(box.dataset.tiles, {
        maxZoom: Number(box.dataset.maxZoom), attribution: box.dataset.attribution,
      }).addTo(map);
      return;
    }
    canvas.classList.add("no-tiles");
    const note = document.createElement("p");
    note.className = "hint";
    note.textContent = box.dataset.textNoTiles;
    canvas.before(note);
  },
};
