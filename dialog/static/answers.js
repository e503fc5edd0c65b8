// The survey page: move focus to the error summary when the page comes back with errors, so
// keyboard and screen-reader users start where the problems are listed. The summary carries
// autofocus too; this covers browsers that honour autofocus only on form controls.
"use strict";
document.addEventListener("DOMContentLoaded", () => {
  const summary = document.getElementById("error-summary");
  if (summary && document.activeElement !== summary) {
    summary.focus();
  }
});
