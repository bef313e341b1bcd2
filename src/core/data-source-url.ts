/**
 * `dataset.source` URLs: what the configuration accepts, checked before anything is read, and how a
 * source is shown. A source may carry a secret (a user name, a query token); everything that shows
 * it (API answers, the log, error messages, the dashboard) shows `redactSource(source)` instead.
 */

export const isPostgresSource = (source: string): boolean => /^postgres(ql)?:\/\//i.test(source);

export const isHttpSource = (source: string): boolean => /^https?:\/\//i.test(source);

const isUrlSource = (source: string): boolean => isPostgresSource(source) || isHttpSource(source);

/** Where a URL source's password goes instead of the URL. */
const passwordVariables = (source: string) => (isPostgresSource(source) ? 'PGPASSWORD or MLOOP_DATASET_PASSWORD' : 'MLOOP_DATASET_PASSWORD (or use MLOOP_DATASET_TOKEN for a bearer token)');

/**
 * Why a URL source cannot be used, or undefined (also for a file path). Never repeats the URL, which
 * may hold a secret: a password in it is refused, since the file is no place for one.
 */
export function sourceUrlProblem(source: string): string | undefined {
  if (!isUrlSource(source)) return undefined;
  let url: URL;
  try {
    url = new URL(source);
  } catch {
    return isPostgresSource(source) ? 'not a valid PostgreSQL URL (postgres://user@host:port/database)' : 'not a valid URL (https://host/path/data.csv)';
  }
  if (url.password !== '' || (isPostgresSource(source) && url.searchParams.has('password'))) {
    return `the URL holds a password: remove it, and give it in ${passwordVariables(source)}`;
  }
  return undefined;
}

const hidden = '***';

/**
 * The source as it may be shown: a URL's user information, query values and fragment become `***`
 * (`https://***@host/data.csv?token=***`); a file path is shown as it is. The path stays readable,
 * so a secret belongs in the query or in MLOOP_DATASET_TOKEN, never in the path.
 */
export function redactSource(source: string): string {
  const scheme = /^([a-z][a-z0-9+.-]*):\/\//i.exec(source);
  if (!scheme) return source;
  let url: URL;
  try {
    url = new URL(source);
  } catch {
    // Nothing of a URL that cannot be parsed is safe to show: its parts are unknown.
    return `${scheme[1]}://${hidden}`;
  }
  const userInfo = url.username !== '' || url.password !== '' ? `${hidden}@` : '';
  const query = url.search === '' ? '' : `?${url.search.slice(1).split('&').map(redactQueryPart).join('&')}`;
  const fragment = url.hash === '' ? '' : `#${hidden}`;
  return `${url.protocol}//${userInfo}${url.host}${url.pathname}${query}${fragment}`;
}

/** `name=value` → `name=***`; a bare `value` (`?SECRET`) → `***`. */
function redactQueryPart(part: string): string {
  if (part === '') return part;
  const eq = part.indexOf('=');
  return eq < 0 ? hidden : `${part.slice(0, eq)}=${hidden}`;
}

/** A URL in running text, up to a space or a quote; trailing punctuation belongs to the sentence. */
const urlInText = /\b[a-z][a-z0-9+.-]*:\/\/[^\s"'<>`]+/gi;

/** `text` with every URL in it shown as `redactSource` shows a source (for stored messages of any age). */
export function redactUrls(text: string): string {
  return text.replace(urlInText, (match) => {
    const [, url, tail] = /^(.*?)([.,;:)\]]*)$/.exec(match) as RegExpExecArray;
    return redactSource(url) + tail;
  });
}
