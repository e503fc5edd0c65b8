// The dashboard's detail sections are closed <details>: open them all for printing, so the
// paper report has every table, and close again the ones that were closed afterwards.
"use strict";
let openedForPrint = [];
window.addEventListener("beforeprint", () => {
  openedForPrint = [...document.querySelectorAll("details:not([open])")];
  openedForPrint.forEach((el) => { el.open = true; });
});
window.addEventListener("afterprint", () => {
  openedForPrint.forEach((el) => { el.open = false; });
  openedForPrint = [];
});
