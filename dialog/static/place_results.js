// The heat map of places where residents feel unsafe (templates/places/_results.html): the
// shown squares shaded by their count and the shown named places, drawn from the aggregates in
// the page – never a resident's own mark. Leaflet is loaded only here, from this app; without
// it (or without script) the placeholder stays and the tables carry everything.
"use strict";
(() => {
  const box = document.querySelector(".heat-map");
  if (!box || !box.dataset.leaflet) {
    return;
  }
  const lang = document.documentElement.lang;
  const pick = (text) => (text && (text[lang] || Object.values(text)[0])) || "";
  const residents = (n) => box.dataset.textResidents.replace("{n}", String(n));

  function draw() {
    const squares = JSON.parse(box.dataset.squares);
    const places = JSON.parse(box.dataset.places);
    const canvas = document.createElement("div");
    canvas.className = "map-canvas";
    canvas.setAttribute("role", "region");
    canvas.setAttribute("aria-label", box.dataset.textLabel);
    box.querySelector(".map-placeholder").replaceWith(canvas);
    const map = L.map(canvas, { maxZoom: Number(box.dataset.maxZoom) });
    window.mapBase.addBackground(box, map, canvas);
    const most = Math.max(...squares.map((s) => s.count));
    const layers = [];
    for (const square of squares) {
      const ring = square.polygon.map(([lon, lat]) => [lat, lon]);
      const near = square.near ? `${pick(square.near)}: ` : "";
      layers.push(L.polygon(ring, {
        color: "#7a1212", weight: 1, fillColor: "#b3261e",
        fillOpacity: 0.15 + 0.6 * (square.count / most),
      }).bindTooltip(near + residents(square.count)).addTo(map));
    }
    for (const place of places) {
      if (place.point[0] === null) {
        continue;
      }
      layers.push(L.circleMarker(place.point, { radius: 6, color: "#1b1b1b", weight: 2 })
        .bindTooltip(`${pick(place.label)}: ${residents(place.count)}`).addTo(map));
    }
    map.fitBounds(L.featureGroup(layers).getBounds(), { padding: [12, 12] });
  }

  // Without Leaflet the placeholder stays: the tables carry everything.
  window.mapBase.loadLeaflet(box, draw, () => {});
})();
