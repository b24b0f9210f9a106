/* Selection board: a status select saves itself when a choice is made, but never while the keyboard walks through
   the options.

   On a closed <select>, the arrow keys, Home/End, Page Up/Down and typed letters change the value at once and, in
   Chromium and Firefox on Windows and Linux, fire "change" on every step: saving on "change" would record each
   status passed on the way (ARIA APG and GOV.UK both warn against selects that act on change for this reason).
   So a change that follows such a key is held back here, before htmx sees it: a hint says "Enter saves, Escape
   undoes"; Enter saves the choice shown, Escape or leaving the field puts the saved status back. A choice made
   with the pointer, or picked with Enter in the opened list, saves at once. Without this script the select still
   saves on change (htmx), and without JavaScript at all the row's form has a Save button. */
(function () {
  "use strict";
  var WALKING_KEYS = ["ArrowUp", "ArrowDown", "ArrowLeft", "ArrowRight", "Home", "End", "PageUp", "PageDown"];
  var SELECTOR = "select[data-autosave]";

  function autosaving(target) {
    return target && target.matches && target.matches(SELECTOR);
  }

  // The row's hint is a live region, empty until a change is held back: filling it is what announces it.
  function hint(select, shown) {
    var element = document.getElementById("status-hint-" + select.id.replace("status-", ""));
    if (element) { element.textContent = shown ? element.dataset.text : ""; }
  }

  function undo(select) {
    if (select.dataset.walking) {
      delete select.dataset.walking;
      select.value = select.dataset.saved;
      hint(select, false);
    }
  }

  document.addEventListener("keydown", function (event) {
    var select = event.target;
    if (!autosaving(select)) { return; }
    var typing = event.key.length === 1 && event.key !== " " && !event.ctrlKey && !event.metaKey && !event.altKey;
    if ((WALKING_KEYS.indexOf(event.key) >= 0 && !event.altKey) || typing) {
      select.dataset.walking = "1";
    } else if (event.key === "Enter" && select.dataset.walking) {
      event.preventDefault();
      delete select.dataset.walking;
      hint(select, false);
      if (select.value !== select.dataset.saved) {
        select.dispatchEvent(new Event("change", { bubbles: true }));
      }
    } else if (event.key === "Escape") {
      undo(select);
    }
  }, true);

  // A pointer on the select starts a fresh choice from the saved status: what the keyboard left unsaved is undone.
  document.addEventListener("pointerdown", function (event) {
    if (autosaving(event.target)) { undo(event.target); }
  }, true);

  // Capturing on the document runs before htmx's listener on the row's form, so a held change never reaches it.
  document.addEventListener("change", function (event) {
    var select = event.target;
    if (!autosaving(select) || !select.dataset.walking) { return; }
    event.stopImmediatePropagation();
    hint(select, select.value !== select.dataset.saved);
  }, true);

  document.addEventListener("focusout", function (event) {
    if (autosaving(event.target)) { undo(event.target); }
  }, true);
})();
