// The console's shell: who is logged in, the header (user, role, language, bell), the
// hash router that mounts one view module at a time.
import {h, svg, clear, toast} from './dom.js';
import {t, lang, setLang, translateStatic} from './i18n.js';
import {api, get, optional, setCsrfToken} from './api.js';
import {startStream, stopStream} from './stream.js';
import {confirmDiscard} from './unsaved.js';

const routes = [
  {pattern: /^\/login$/, module: './views/login.js', public: true},
  {pattern: /^\/(work)?$/, module: './views/work.js', nav: 'work'},  // 我的待办 (issue 22)
  {pattern: /^\/board$/, module: './views/board.js', nav: 'board'},
  {pattern: /^\/projects\/new$/, module: './views/new_project.js', nav: 'new'},
  {pattern: /^\/projects\/([^/]+)$/, module: './views/project.js', nav: 'projects'},
  {pattern: /^\/projects$/, module: './views/projects.js', nav: 'projects'},
  {pattern: /^\/import$/, module: './views/import.js', nav: 'projects'},
  {pattern: /^\/dashboard$/, module: './views/dashboard.js', nav: 'dashboard'},
  {pattern: /^\/workflow$/, module: './views/workflow.js', nav: 'workflow'},
  {pattern: /^\/notifications$/, module: './views/notifications.js', nav: 'notifications'},
  {pattern: /^\/targets$/, module: './views/targets.js', nav: 'targets'},  // funds (issue 16)
  {pattern: /^\/problems$/, module: './views/problems.js', nav: 'problems'},  // problems (issue 17)
  {pattern: /^\/handover$/, module: './views/supervise.js', nav: 'handover'},  // issue 17
  {pattern: /^\/users$/, module: './views/users.js', nav: 'users'},  // 用户管理, admins
];

const state = {me: null, cleanup: null, unread: null, renderId: 0, shownHash: '', work: null};

export function navigate(hash) {
  if (location.hash === hash) route();
  else location.hash = hash;
}

// '#/projects?state=lead' -> {path: '/projects', params: URLSearchParams}
function parseHash() {
  const text = location.hash.replace(/^#/, '') || '/work';
  const [path, search = ''] = text.split('?');
  return {path, params: new URLSearchParams(search)};
}

export function hashWith(path, params) {
  const search = new URLSearchParams(Object.entries(params).filter(([, v]) => v !== '' && v != null));
  const text = search.toString();
  return `#${path}${text ? `?${text}` : ''}`;
}

async function loadMe() {
  try {
    state.me = await get('/api/me');
    if (state.me.csrf_token) setCsrfToken(state.me.csrf_token);
  } catch {
    state.me = null;
  }
}

export function me() { return state.me; }
export function hasRole(...roles) { return !!state.me && state.me.roles.some((role) => roles.includes(role)); }
// The roles the server lets read /api/reports/* (web/api_reports.cpp): the dashboard's.
export function mayReadReports() { return hasRole('manager', 'leader', 'admin'); }

export async function loggedIn(user) {
  state.me = user;
  startStream();
  refreshUnread();
  refreshWork();
  const next = sessionStorage.getItem('investflow.after_login');
  sessionStorage.removeItem('investflow.after_login');
  navigate(next && next !== '#/login' ? next : '#/work');
}

async function logout() {
  try { await api('POST', '/api/logout', {}); } catch { /* the session may be gone */ }
  setCsrfToken(null);
  stopStream();
  state.me = null;
  navigate('#/login');
}

async function refreshUnread() {
  try {
    const body = await optional('/api/notifications?unread=true&limit=1');
    state.unread = body ? body.unread ?? 0 : null;
  } catch {
    state.unread = null;
  }
  renderBell();
}

function renderBell() {
  const bell = document.getElementById('bell-count');
  if (!bell) return;
  const link = bell.closest('a');
  if (state.unread === null) {
    bell.textContent = '';
    link.title = t('not_available');
  } else {
    bell.textContent = String(state.unread);
    bell.hidden = state.unread === 0;
    link.title = t('notifications_unread', {n: state.unread});
  }
  link.setAttribute('aria-label', link.title || t('nav_notifications'));
}

// The header's 待办 N: the total of GET /api/me/work, kept live from the stream (debounced).
let workTimer = null;
function refreshWork() {
  clearTimeout(workTimer);
  workTimer = setTimeout(async () => {
    if (!state.me) return;
    try {
      state.work = (await get('/api/me/work')).total;
    } catch {
      state.work = null;
    }
    renderWorkCount();
  }, 300);
}

function renderWorkCount() {
  const link = document.getElementById('work-link');
  if (!link) return;
  link.textContent = state.work ? t('mywork.nav_count', {n: state.work}) : t('mywork.nav');
}

function bellIcon() {
  return svg('svg', {class: 'bell-icon', viewBox: '0 0 24 24', width: 20, height: 20, 'aria-hidden': 'true'},
    svg('path', {d: 'M12 2a6 6 0 0 0-6 6v4l-2 3v1h16v-1l-2-3V8a6 6 0 0 0-6-6zm0 20a3 3 0 0 0 3-3H9a3 3 0 0 0 3 3z'}));
}

function renderHeader(active) {
  const header = document.getElementById('app-header');
  if (!state.me) {
    header.hidden = true;
    return;
  }
  header.hidden = false;
  const link = (key, hash) => h('a', {href: hash, class: active === key ? 'active' : null,
    'aria-current': active === key ? 'page' : null}, t(`nav_${key}`));
  const languages = h('select', {id: 'language', onchange: (event) => {
    if (!confirmDiscard()) {
      event.target.value = lang();
      return;
    }
    setLang(event.target.value);
    translateStatic();
    route();
  }},
  h('option', {value: 'zh-CN', lang: 'zh-CN', selected: lang() === 'zh-CN'}, '中文'),
  h('option', {value: 'en', lang: 'en', selected: lang() === 'en'}, 'English'));
  clear(header).append(
    h('a', {class: 'brand', href: '#/work'}, t('app_name')),
    h('nav', {'aria-label': t('app_name')},
      h('a', {href: '#/work', id: 'work-link', class: active === 'work' ? 'active' : null,
        'aria-current': active === 'work' ? 'page' : null}, t('mywork.nav')),
      link('board', '#/board'), link('projects', '#/projects'),
      mayReadReports() ? link('dashboard', '#/dashboard') : null,
      link('problems', '#/problems'),
      link('workflow', '#/workflow'), link('new', '#/projects/new'),
      hasRole('manager', 'leader', 'admin') ? link('targets', '#/targets') : null,
      hasRole('manager', 'admin') ? link('handover', '#/handover') : null,
      hasRole('admin') ? link('users', '#/users') : null),
    h('div', {class: 'header-right'},
      h('a', {href: '#/notifications', class: `bell${active === 'notifications' ? ' active' : ''}`,
        id: 'bell'}, bellIcon(),
        h('span', {class: 'sr-only'}, t('nav_notifications')),
        h('span', {id: 'bell-count', class: 'badge'})),
      h('span', {class: 'user'}, h('span', {'data-user': ''}, state.me.display_name || state.me.id),
        ' · ', h('span', {class: 'role'}, state.me.roles.map((role) => t(`roles.${role}`)).join('、'))),
      h('label', {for: 'language', class: 'sr-only'}, t('language')), languages,
      h('button', {type: 'button', onclick: logout}, t('logout'))));
  renderBell();
  renderWorkCount();
}

async function route() {
  // In-page anchors (the skip link's #view) are not routes.
  if (location.hash && !location.hash.startsWith('#/')) return;
  // Unsaved edits on the page being left (issue 22 item 2): stay unless the user agrees.
  if (state.shownHash && location.hash !== state.shownHash && !confirmDiscard()) {
    history.replaceState(null, '', state.shownHash);
    return;
  }
  state.shownHash = location.hash;
  const renderId = ++state.renderId;
  rendering = false;  // a page left behind while it rendered holds nothing more
  const {path, params} = parseHash();
  const match = routes.map((entry) => ({entry, found: path.match(entry.pattern)}))
    .find(({found}) => found);
  if (!state.me && !(match && match.entry.public)) {
    if (path !== '/login') sessionStorage.setItem('investflow.after_login', location.hash);
    location.hash = '#/login';
    return;
  }
  if (typeof state.cleanup === 'function') state.cleanup();
  state.cleanup = null;
  renderHeader(match?.entry.nav);
  // Each route renders into a fresh #view: a slower render of the page left behind (still
  // loading, or reloading on a live event) then writes into a detached element instead of
  // over the page now shown.
  const shown = document.getElementById('view');
  const view = shown.cloneNode(false);
  shown.replaceWith(view);
  document.title = `${t('app_name')} · investflow`;
  if (!match) {
    clear(view).append(h('h1', {}, t('not_found')));
    return;
  }
  // What the stream brings from here on is held until the page has rendered (see below).
  rendering = true;
  heldWhileRendering.clear();
  try {
    const module = await import(match.entry.module);
    if (renderId !== state.renderId) return;
    clear(view);
    const cleanup = await module.render(view, {match: match.found, params}, {navigate, hashWith});
    // Left behind while it rendered: stop its listeners and timers now.
    if (renderId !== state.renderId) {
      if (typeof cleanup === 'function') cleanup();
      return;
    }
    state.cleanup = cleanup;
    rendering = false;
    replayHeld();
  } catch (error) {
    if (renderId !== state.renderId) return;
    rendering = false;  // what it held is dropped when the next page starts
    clear(view).append(h('div', {class: 'error-box', role: 'alert'}, h('h1', {}, t('error')),
      h('p', {}, error.message), h('button', {type: 'button', onclick: route}, t('retry'))));
  }
}

// A page adds its live listeners as its render ends, after its reads: an update that
// arrived in between would be lost to it. So what arrives while a page renders is held (the
// last of each kind and project) and handed to the page's listeners once it is shown,
// marked `replayed` for the listeners here, which had it already.
let rendering = false;
const heldWhileRendering = new Map();
for (const name of ['investflow:event', 'investflow:notification']) {
  window.addEventListener(name, (event) => {
    if (!rendering || event.detail.replayed) return;
    heldWhileRendering.set(`${name}\n${event.detail.project_id ?? ''}`, {name, detail: event.detail});
  });
}
function replayHeld() {
  const held = [...heldWhileRendering.values()];
  heldWhileRendering.clear();
  for (const {name, detail} of held) {
    window.dispatchEvent(new CustomEvent(name, {detail: {...detail, replayed: true}}));
  }
}

window.addEventListener('investflow:event', (event) => {
  if (!event.detail.replayed) refreshWork();
});
window.addEventListener('investflow:notification', (event) => {
  if (event.detail.replayed) return;
  refreshWork();
  if (typeof event.detail.unread === 'number') {
    state.unread = event.detail.unread;
    renderBell();
  } else {
    refreshUnread();
  }
});
window.addEventListener('investflow:unauthorized', () => {
  if (state.me) {
    state.me = null;
    stopStream();
    toast(t('login_title'));
    navigate('#/login');
  }
});
window.addEventListener('hashchange', route);

async function start() {
  setLang(lang());
  translateStatic();
  await loadMe();
  if (state.me) {
    startStream();
    refreshUnread();
    refreshWork();
  }
  route();
}

start();
