// The inbox: notifications of the caller, newest first, page by page ("load more" follows
// next_cursor), filtered by type; mark one or all read, a link to the project; and the
// caller's settings (deadline alerts one by one or as one daily digest; issue 22).
import {h, userText, toast} from '../dom.js';
import {t, pick, dateTime} from '../i18n.js';
import {api, get, optional, post, query} from '../api.js';

const kTypes = ['deadline_fired', 'transition_taken', 'commented', 'vote_cast', 'supervised', 'reassigned',
  'project_created', 'digest'];
const kPage = 50;

function item(entry, refresh) {
  const link = entry.project_id
    ? h('a', {href: `#/projects/${encodeURIComponent(entry.project_id)}`}, userText('span', entry.project_name || entry.project_id))
    : entry.type === 'digest' ? h('a', {href: '#/notifications?type=deadline_fired'}, t('inbox.types.deadline_fired')) : null;
  return h('li', {class: entry.read_at ? 'read' : 'unread', dataset: {notification: entry.id, type: entry.type}},
    h('div', {class: 'inbox-main'},
      h('span', {class: 'badge-state'}, entry.read_at ? t('read') : t('unread')), ' ',
      h('strong', {}, pick(entry.title, entry.type)), ' ', link),
    h('div', {class: 'muted'}, dateTime(entry.created_at)),
    entry.read_at ? null : h('button', {type: 'button', class: 'small', onclick: async () => {
      const result = await post(`/api/notifications/${encodeURIComponent(entry.id)}/read`);
      window.dispatchEvent(new CustomEvent('investflow:notification', {detail: result && typeof result.unread === 'number' ? result : {}}));
      refresh();
    }}, t('mark_read')));
}

async function settingsPanel() {
  const settings = await optional('/api/me/notification-settings');
  if (!settings) return null;
  const select = h('select', {id: 'setting-deadlines', onchange: async () => {
    await api('PUT', '/api/me/notification-settings', {deadlines: select.value});
    toast(t('inbox.saved'));
  }}, ['each', 'digest'].map((value) => h('option', {value, selected: settings.deadlines === value}, t(`inbox.${value}`))));
  return h('details', {class: 'panel inbox-settings'}, h('summary', {}, t('inbox.settings')),
    h('div', {class: 'filter'}, h('label', {for: 'setting-deadlines'}, t('inbox.deadlines')), select));
}

export async function render(view, {params}, {navigate, hashWith}) {
  const unreadOnly = params.get('unread') === 'true';
  const type = kTypes.includes(params.get('type')) ? params.get('type') : '';
  view.append(h('div', {class: 'view-head'}, h('h1', {}, t('notifications'))));
  const limit = Math.min(Math.max(Number(params.get('limit')) || kPage, 1), 200);
  const filters = {unread: unreadOnly ? 'true' : '', type, limit};
  const body = await optional(`/api/notifications${query(filters)}`);
  if (!body) {
    view.append(h('p', {class: 'not-available panel', role: 'status'}, t('not_available')));
    return;
  }
  const go = (changes) => navigate(hashWith('/notifications', {unread: unreadOnly ? 'true' : '', type, ...changes}));
  const toggle = h('input', {id: 'unread-only', type: 'checkbox', checked: unreadOnly,
    onchange: (event) => go({unread: event.target.checked ? 'true' : ''})});
  const typeSelect = h('select', {id: 'inbox-type', onchange: (event) => go({type: event.target.value})},
    h('option', {value: ''}, t('inbox.all_types')),
    kTypes.map((value) => h('option', {value, selected: value === type}, t(`inbox.types.${value}`))));
  const refresh = () => navigate(location.hash || '#/notifications');
  const list = h('ul', {class: 'inbox'}, body.items.map((entry) => item(entry, refresh)));
  let cursor = body.next_cursor;
  const more = h('button', {type: 'button', class: 'load-more', hidden: !cursor, onclick: async () => {
    const page = await get(`/api/notifications${query({...filters, cursor})}`);
    list.append(...page.items.map((entry) => item(entry, refresh)));
    cursor = page.next_cursor;
    more.hidden = !cursor;
  }}, t('inbox.more'));
  view.append(h('div', {class: 'filters'},
    h('div', {class: 'filter checkbox'}, toggle, h('label', {for: 'unread-only'}, t('unread_only'))),
    h('div', {class: 'filter'}, h('label', {for: 'inbox-type'}, t('inbox.type')), typeSelect),
    h('button', {type: 'button', id: 'mark-all-read', disabled: body.unread === 0, onclick: async () => {
      await post('/api/notifications/read-all');
      window.dispatchEvent(new CustomEvent('investflow:notification', {detail: {unread: 0}}));
      refresh();
    }}, t('mark_all_read'))),
  await settingsPanel(),
  body.items.length ? list : h('p', {class: 'muted'}, t('no_notifications')), more);
  // A live update reloads the first page, unless more pages have been loaded meanwhile.
  const onNotification = () => { if (list.children.length <= limit) refresh(); };
  window.addEventListener('investflow:notification', onNotification);
  return () => window.removeEventListener('investflow:notification', onNotification);
}
