// Unsaved edits (issue 22 item 2): a view holding edits registers how to tell; leaving it
// by the hash router, closing or reloading the tab, or 取消 asks before dropping them.
import {t} from './i18n.js';

let pending = null;  // () => true while there are unsaved edits

// Registers `hasEdits`; returns the function that lets go of it.
export function holdEdits(hasEdits) {
  pending = hasEdits;
  return () => { if (pending === hasEdits) pending = null; };
}

export function hasUnsavedEdits() {
  return typeof pending === 'function' && pending();
}

// True when there is nothing to lose or the user agrees to drop it.
export function confirmDiscard() {
  return !hasUnsavedEdits() || window.confirm(t('step.discard_confirm'));
}

window.addEventListener('beforeunload', (event) => {
  if (!hasUnsavedEdits()) return;
  event.preventDefault();
  event.returnValue = '';
});
