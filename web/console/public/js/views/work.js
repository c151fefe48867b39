// 我的待办 (issue 22), the console's landing page: from one call (GET /api/me/work), what the
// user may do now on their projects, deadlines due soon or overdue, the votes they owe,
// the problems they hold and the comments that mention them. Live: refreshed on every
// event and notification of the stream.
import {h, userText, clear} from '../dom.js';
import {t, dateTime} from '../i18n.js';
import {get} from '../api.js';

const kSections = ['actions', 'deadlines', 'votes', 'problems', 'mentions'];

function projectLink(item) {
  return h('a', {href: `#/projects/${encodeURIComponent(item.project_id)}`},
    userText('span', item.name || item.project_id));
}

function line(section, item) {
  switch (section) {
    case 'actions':
      return [projectLink(item), ' · ', h('span', {class: 'muted'}, item.state_label), ' → ',
        h('strong', {}, item.label)];
    case 'deadlines': {
      const overdue = item.status === 'overdue';
      return [h('span', {class: `deadline deadline-${overdue ? 'red' : 'yellow'}`},
        t(`mywork.${overdue ? 'overdue' : 'warning'}`)), ' ', projectLink(item), ' · ',
      t(`mywork.kinds.${item.kind}`), ' ', t('mywork.due_on', {date: item.due_on}), ' · ',
      h('span', {class: 'muted'}, overdue ? t('mywork.days_over', {n: -item.working_days_left})
        : t('mywork.days_left', {n: item.working_days_left}))];
    }
    case 'votes':
      return [projectLink(item), ' · ', h('span', {class: 'muted'}, item.state_label), ' · ',
        t('mywork.votes_cast', {n: item.votes_cast})];
    case 'problems':
      return [projectLink(item), ' · ', h('span', {class: 'muted'}, item.state_label),
        item.due_on ? ` · ${t('mywork.due_on', {date: item.due_on})}` : ''];
    default:
      return [h('a', {href: `#/projects/${encodeURIComponent(item.project_id)}`},
        userText('span', item.title)), ' ', h('span', {class: 'muted'}, dateTime(item.at))];
  }
}

export async function render(view) {
  async function load() {
    const work = await get('/api/me/work');
    clear(view).append(
      h('div', {class: 'view-head'}, h('h1', {}, t('mywork.title'),
        h('span', {class: 'work-count', id: 'work-total'}, String(work.total)))),
      h('div', {class: 'work-grid'}, kSections.map((section) => h('section',
        {class: 'panel work-section', dataset: {section}},
        h('h2', {}, t(`mywork.${section}`), h('span', {class: 'work-count'}, String(work.counts[section]))),
        work[section].length
          ? h('ul', {class: 'work-list'}, work[section].map((item) => h('li', {}, line(section, item))))
          : h('p', {class: 'muted'}, t('mywork.none'))))));
  }
  await load();
  let timer = null;
  const onChange = () => {
    clearTimeout(timer);
    timer = setTimeout(() => load().catch(() => {}), 500);
  };
  window.addEventListener('investflow:event', onChange);
  window.addEventListener('investflow:notification', onChange);
  return () => {
    clearTimeout(timer);
    window.removeEventListener('investflow:event', onChange);
    window.removeEventListener('investflow:notification', onChange);
  };
}
