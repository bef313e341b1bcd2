import { byId } from './dom.js';

const scopeWords = { admin: 'Admin token required', predict: 'Prediction token required', feedback: 'Feedback token required', read: 'Read token required' };

/** One dialog at a time: two actions waiting for the same token share the answer. */
let pending = null;

/** Asks for a bearer token in the page's own dialog; resolves to the token, or null on cancel. */
export function askToken(scope, message) {
  pending ??= new Promise((resolve) => {
    const dialog = byId('token-dialog');
    const input = byId('token-input');
    byId('token-title').textContent = scopeWords[scope] ?? 'Token required';
    byId('token-message').textContent = message;
    input.value = '';
    dialog.returnValue = '';
    dialog.addEventListener(
      'close',
      () => {
        pending = null;
        const token = input.value.trim();
        input.value = '';
        resolve(dialog.returnValue === 'ok' && token !== '' ? token : null);
      },
      { once: true },
    );
    dialog.showModal();
    input.focus();
  });
  return pending;
}
