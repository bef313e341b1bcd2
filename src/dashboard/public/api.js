/* global fetch, sessionStorage */
import { askToken } from './token-dialog.js';

/** Tokens live in this tab's session storage only: gone when the tab closes, never in localStorage. */
const storageKeys = { admin: 'mloop.adminToken', predict: 'mloop.predictToken', feedback: 'mloop.feedbackToken', read: 'mloop.readToken' };

const scopeWords = { admin: 'the admin token', predict: 'the prediction token', feedback: 'the feedback token (or the admin token)', read: 'the read token (or the admin token)' };

/** Scopes whose routes also take the admin token: a kept admin token is tried first. */
const adminAlso = new Set(['feedback', 'read']);

const keptToken = (scope) => sessionStorage.getItem(storageKeys[scope]) ?? (adminAlso.has(scope) ? sessionStorage.getItem(storageKeys.admin) : null);

export class ApiError extends Error {
  constructor(status, message, details) {
    super(message);
    this.name = 'ApiError';
    this.status = status;
    this.details = details;
  }
}

/** The person closed a dialog (token, reason): not an error to report, just nothing done. */
export class Cancelled extends Error {
  constructor(message = 'cancelled, no token given') {
    super(message);
    this.name = 'Cancelled';
  }
}

async function send(path, { method = 'GET', body, token } = {}) {
  const headers = { accept: 'application/json' };
  if (body !== undefined) headers['content-type'] = 'application/json';
  if (token) headers.authorization = `Bearer ${token}`;
  // Relative paths: the API is wherever this page was served from.
  const response = await fetch(path, { method, headers, body: body === undefined ? undefined : JSON.stringify(body), cache: 'no-store' });
  const text = await response.text();
  let data = null;
  try {
    data = text === '' ? null : JSON.parse(text);
  } catch {
    data = { error: text };
  }
  return { response, data };
}

function failure(response, data) {
  const message = data && typeof data.error === 'string' ? data.error : `HTTP ${response.status}`;
  return new ApiError(response.status, message, data?.details ?? null);
}

/**
 * GET a JSON document of the API; with `scope`, with the token kept for it, if any (a read that
 * shows more with a token, never asking for one: see `call`).
 */
export async function getJson(path, { scope } = {}) {
  const { response, data } = await send(path, { token: scope ? keptToken(scope) : null });
  if (!response.ok) throw failure(response, data);
  return data;
}

export const hasToken = (scope) => sessionStorage.getItem(storageKeys[scope]) !== null;
export const forgetToken = (scope) => sessionStorage.removeItem(storageKeys[scope]);

/**
 * A call that may need a token (`scope` admin, predict, feedback or read). Without one the server
 * answers 401 when it has a token configured: then the page asks for it, retries, and keeps it once
 * it works; a 403 means the token was wrong, so it is dropped and asked for again. The feedback and
 * the patient-data reads also take the admin token, so an admin token kept already is tried first.
 */
export async function call(path, { method = 'POST', body, scope = 'admin' } = {}) {
  const key = storageKeys[scope];
  let token = keptToken(scope);
  for (;;) {
    const { response, data } = await send(path, { method, body, token });
    if (response.status !== 401 && response.status !== 403) {
      if (!response.ok) throw failure(response, data);
      if (token) sessionStorage.setItem(key, token);
      return data;
    }
    sessionStorage.removeItem(key);
    const problem = response.status === 403 && token ? 'The server refused this token: try again.' : `This server requires ${scopeWords[scope]} for this action.`;
    token = await askToken(scope, problem);
    if (token === null) throw new Cancelled();
  }
}
