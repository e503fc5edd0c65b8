// Quick paper entry: Enter in a code field moves to the next field, as Tab does, so a typist
// can keep one hand on the number pad; Enter in the last field sends the form to the check
// page. Without this script Enter sends the form at once, which shows the same check page.
// On a page with errors, focus starts on the error summary, whose links focus their field.
"use strict";
document.addEventListener("DOMContentLoaded", () => {
  const summary = document.getElementById("error-summary");
  if (summary) {
    if (document.activeElement !== summary) {
      summary.focus();
    }
    // A link in the summary puts the cursor in its field, not only scrolls to it.
    summary.querySelectorAll("a[href^='#']").forEach((link) => {
      link.addEventListener("click", (event) => {
        const field = document.getElementById(link.getAttribute("href").slice(1));
        if (field) {
          event.preventDefault();
          field.focus();
        }
      });
    });
  }
  const form = document.getElementById("paper-codes");
  if (!form) {
    return;
  }
  const fields = Array.from(form.querySelectorAll(".code-field input, .code-field textarea"));
  fields.forEach((field, index) => {
    if (field.tagName !== "INPUT") {
      return;  // a textarea keeps Enter for new lines
    }
    field.addEventListener("keydown", (event) => {
      if (event.key !== "Enter" || event.shiftKey || event.ctrlKey || event.altKey) {
        return;
      }
      const next = fields[index + 1];
      if (next) {
        event.preventDefault();
        next.focus();
        if (next.select) {
          next.select();
        }
      }
    });
  });
});
