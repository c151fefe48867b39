// The inbox: notifications of the caller, mark one or all read, a link to the project.
import {h, userText} from '../dom.js';
import {t, pick, dateTime} from '../i18n.js';
import {optional, post, query} from '../api.js';

export async function render(view, {params}, {navigate, hashWith}) {
  const unreadOnly = params.get('unread') === 'true';
  view.append(h('div', {class: 'view-head'}, h('h1', {}, t('notifications'))));
  const body = await optional(`/api/notifications${query({unread: unreadOnly ? 'true' : ''})}`);
  if (!body) {
    view.append(h('p', {class: 'not-available panel', role: 'status'}, t('not_available')));
    return;
  }
  const toggle = h('input', {id: 'unread-only', type: 'checkbox', checked: unreadOnly,
    onchange: (event) => navigate(hashWith('/notifications', {unread: event.target.checked ? 'true' : ''}))});
  const refresh = () => navigate(location.hash || '#/notifications');
  view.append(h('div', {class: 'filters'},
    h('div', {class: 'filter checkbox'}, toggle, h('label', {for: 'unread-only'}, t('unread_only'))),
    h('button', {type: 'button', disabled: body.unread === 0, onclick: async () => {
      await post('/api/notifications/read-all');
      window.dispatchEvent(new CustomEvent('investflow:notification', {detail: {unread: 0}}));
      refresh();
    }}, t('mark_all_read'))),
  body.items.length ? h('ul', {class: 'inbox'}, body.items.map((item) => h('li', {
    class: item.read_at ? 'read' : 'unread', dataset: {notification: item.id}},
  h('div', {class: 'inbox-main'},
    h('span', {class: 'badge-state'}, item.read_at ? t('read') : t('unread')), ' ',
    h('strong', {}, pick(item.title, item.type)), ' ',
    item.project_id ? h('a', {href: `#/projects/${encodeURIComponent(item.project_id)}`},
      userText('span', item.project_name || item.project_id)) : null),
  h('div', {class: 'muted'}, dateTime(item.created_at)),
  item.read_at ? null : h('button', {type: 'button', class: 'small', onclick: async () => {
    const result = await post(`/api/notifications/${encodeURIComponent(item.id)}/read`);
    window.dispatchEvent(new CustomEvent('investflow:notification', {detail: result && typeof result.unread === 'number' ? result : {}}));
    refresh();
  }}, t('mark_read')))))
    : h('p', {class: 'muted'}, t('no_notifications')));
  const onNotification = () => refresh();
  window.addEventListener('investflow:notification', onNotification);
  return () => window.removeEventListener('investflow:notification', onNotification);
}
