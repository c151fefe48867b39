// A project as a card (board) and the deadline marker shared with the list.
import {h, userText, deadlineColour} from './dom.js';
import {t, money} from './i18n.js';
import {optionLabel} from './fields.js';

// The worst of the stage deadline and the open milestones: 'red', 'yellow' or ''. The
// server's light is null for a project that has ended (or has nothing open): never overdue.
export function deadlineOf(project) {
  if ('light' in project && !project.light) return '';
  const dues = [project.sla_due_on];
  for (const milestone of Object.values(project.milestones || {})) {
    if (!milestone.done_on) dues.push(milestone.due_on);
  }
  const colours = dues.filter(Boolean).map(deadlineColour);
  if (colours.includes('red')) return 'red';
  if (colours.includes('yellow')) return 'yellow';
  return '';
}

export function deadlineMarker(project) {
  const colour = deadlineOf(project);
  if (!colour) return null;
  const text = colour === 'red' ? t('overdue') : t('due');
  return h('span', {class: `deadline deadline-${colour}`, title: project.sla_due_on || ''}, text);
}

export function projectCard(project, workflow, {onAct} = {}) {
  const industry = workflow.fields.find((field) => field.name === 'industry');
  const fields = project.fields || {};
  const card = h('article', {class: 'project-card', draggable: 'true', tabindex: '-1',
    dataset: {project: project.id}},
  h('div', {class: 'card-top'},
    h('a', {href: `#/projects/${encodeURIComponent(project.id)}`, class: 'card-name'},
      userText('span', fields.name || project.id)),
    deadlineMarker(project)),
  fields.investor ? userText('div', fields.investor, {class: 'card-investor'}) : null,
  h('div', {class: 'card-meta'},
    fields.industry ? h('span', {class: 'tag'}, optionLabel(industry, fields.industry)) : null,
    h('span', {class: 'money'}, money(fields.total_investment))),
  h('div', {class: 'card-foot'},
    h('span', {class: 'owner'}, h('span', {class: 'sr-only'}, t('owner')), userText('span', project.owner)),
    onAct ? h('button', {type: 'button', class: 'small', onclick: () => onAct(project, card)},
      t('take_transition')) : null));
  return card;
}
