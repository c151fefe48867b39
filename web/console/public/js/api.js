// The JSON API: session cookie plus the CSRF token on every unsafe request, the language
// in Accept-Language (engine reasons come back in it), problem+json turned into ApiError.
import {lang} from './i18n.js';

const kCsrfKey = 'investflow.csrf';

export class ApiError extends Error {
  constructor(status, problem) {
    super(problem?.detail || problem?.title || `HTTP ${status}`);
    this.status = status;
    this.code = problem?.code || '';
    this.errors = problem?.errors || [];
    this.problem = problem || {};
  }
}

export function setCsrfToken(token) {
  if (token) sessionStorage.setItem(kCsrfKey, token);
  else sessionStorage.removeItem(kCsrfKey);
}

// A Blob (a File) body goes as it is, with the Content-Type given in extraHeaders.
export async function api(method, path, body, extraHeaders = {}) {
  const raw = body instanceof Blob;
  const headers = {'Accept': 'application/json', 'Accept-Language': lang(), ...extraHeaders};
  if (method !== 'GET' && method !== 'HEAD') {
    headers['X-CSRF-Token'] = sessionStorage.getItem(kCsrfKey) || '';
    if (body !== undefined && !raw) headers['Content-Type'] = 'application/json';
  }
  const response = await fetch(path, {
    method, headers, credentials: 'same-origin',
    body: body === undefined || raw ? body : JSON.stringify(body),
  });
  if (response.status === 204) return null;
  const type = response.headers.get('Content-Type') || '';
  const payload = type.includes('json') ? await response.json().catch(() => null) : null;
  if (!response.ok) {
    const error = new ApiError(response.status, payload);
    if (response.status === 401 && !path.endsWith('/login')) {
      window.dispatchEvent(new CustomEvent('investflow:unauthorized'));
    }
    throw error;
  }
  return payload;
}

export const get = (path) => api('GET', path);
export const post = (path, body, headers) => api('POST', path, body ?? {}, headers);
export const patch = (path, body, headers) => api('PATCH', path, body, headers);

// GET that answers null for a route the server does not have yet (404 without a problem
// code naming a missing resource), so a view can say "not available" instead of failing.
export async function optional(path) {
  try {
    return await get(path);
  } catch (error) {
    if (error.status === 404 || error.status === 405) return null;
    throw error;
  }
}

export function query(params) {
  const search = new URLSearchParams();
  for (const [name, value] of Object.entries(params)) {
    if (value !== undefined && value !== null && value !== '' && value !== false) search.set(name, value);
  }
  const text = search.toString();
  return text ? `?${text}` : '';
}

// Workflow definitions change only with a release: fetched once per language.
const workflowCache = new Map();
export async function workflow(id) {
  const key = `${id}|${lang()}`;
  if (!workflowCache.has(key)) workflowCache.set(key, get(`/api/workflows/${encodeURIComponent(id)}`));
  try {
    return await workflowCache.get(key);
  } catch (error) {
    workflowCache.delete(key);
    throw error;
  }
}

let workflowList = null;
export async function workflows() {
  if (!workflowList) workflowList = get('/api/workflows').then((body) => body.workflows);
  return workflowList;
}
