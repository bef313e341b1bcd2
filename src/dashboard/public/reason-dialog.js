import { byId, h } from './dom.js';

/**
 * Asks why, in the page's own dialog: for a forced promotion the reason the audit log keeps, for a
 * silence also how long. Resolves to `{ reason, duration }`, or null on cancel. `durations` is a
 * list of `[value, words]`, the first one chosen; without it no duration is asked.
 */
export function askReason({ title, message, confirm = 'Confirm', durations = null }) {
  return new Promise((resolve) => {
    const dialog = byId('reason-dialog');
    const input = byId('reason-input');
    const select = byId('reason-duration');
    byId('reason-title').textContent = title;
    byId('reason-message').textContent = message;
    byId('reason-ok').textContent = confirm;
    byId('reason-duration-group').hidden = durations === null;
    select.replaceChildren(...(durations ?? []).map(([value, words]) => h('option', { value }, words)));
    input.value = '';
    dialog.returnValue = '';
    dialog.addEventListener(
      'close',
      () => {
        const reason = input.value.trim();
        input.value = '';
        resolve(dialog.returnValue === 'ok' && reason !== '' ? { reason, duration: durations === null ? null : select.value } : null);
      },
      { once: true },
    );
    dialog.showModal();
    input.focus();
  });
}
