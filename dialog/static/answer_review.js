// Free-text review: text selected with the mouse (or the keyboard) in an answer fills that
// answer's "Other text to remove" field, with the selection's place in the answer, so that
// exactly the selected occurrence is removed. Without this script staff type or paste the
// words, and every occurrence of them is shown for removal.
"use strict";

// The offset of (node, offset) in the answer's own text: the screen-reader-only "(marked)"
// notes inside the quote are not part of the answer.
function answerOffset(root, node, offset) {
  const walker = document.createTreeWalker(root, NodeFilter.SHOW_TEXT);
  let total = 0;
  for (let text = walker.nextNode(); text; text = walker.nextNode()) {
    const hidden = text.parentElement.closest(".visually-hidden");
    if (text === node) {
      return hidden ? total : total + offset;
    }
    if (!hidden) {
      total += text.length;
    }
  }
  // The selection ends on an element boundary: count what comes before that child.
  const range = document.createRange();
  range.setStart(root, 0);
  range.setEnd(node, offset);
  const inside = range.cloneContents();
  inside.querySelectorAll(".visually-hidden").forEach((el) => el.remove());
  return inside.textContent.length;
}

function fillFromSelection() {
  const selection = window.getSelection();
  if (!selection || selection.isCollapsed || selection.rangeCount === 0) {
    return;
  }
  const range = selection.getRangeAt(0);
  const start = range.startContainer.nodeType === Node.ELEMENT_NODE
    ? range.startContainer : range.startContainer.parentElement;
  const quote = start.closest(".answer-text");
  if (!quote || !quote.contains(range.endContainer)) {
    return;
  }
  const form = document.getElementById(quote.dataset.form);
  const from = answerOffset(quote, range.startContainer, range.startOffset);
  const to = answerOffset(quote, range.endContainer, range.endOffset);
  if (!form || to <= from) {
    return;
  }
  form.elements.start.value = String(from);
  form.elements.end.value = String(to);
  const clone = range.cloneContents();
  clone.querySelectorAll(".visually-hidden").forEach((el) => el.remove());
  form.elements.selected.value = clone.textContent;
}

document.addEventListener("DOMContentLoaded", () => {
  document.querySelectorAll(".answer-text").forEach((quote) => {
    quote.addEventListener("mouseup", fillFromSelection);
    quote.addEventListener("keyup", fillFromSelection);
  });
  document.querySelectorAll(".span-form input[name=selected]").forEach((input) => {
    // Typed by hand: the place of an earlier selection no longer applies.
    input.addEventListener("input", () => {
      input.form.elements.start.value = "";
      input.form.elements.end.value = "";
    });
  });
});
