// Which transition to take from a card: a small dialog listing the ones this user may
// take, and the blocked ones greyed with the engine's reasons.
import {h, userText} from './dom.js';
import {t} from './i18n.js';
import {get} from './api.js';

export async function chooseTransition(project) {
  const options = await get(`/api/projects/${encodeURIComponent(project.id)}/transitions`);
  return new Promise((resolve) => {
    const name = project.fields?.name || project.id;
    const dialog = h('dialog', {class: 'dialog', 'aria-label': `${t('transitions')} · ${name}`});
    const close = (choice) => { dialog.close(); dialog.remove(); resolve(choice); };
    dialog.addEventListener('cancel', (event) => { event.preventDefault(); close(null); });
    dialog.append(h('h2', {}, t('transitions')), dialogProject(project),
      transitionList(options.transitions, (option) => close(option)),
      h('div', {class: 'actions'}, h('button', {type: 'button', onclick: () => close(null)}, t('close'))));
    document.body.append(dialog);
    dialog.showModal();
  });
}

// Available transitions as buttons; blocked ones disabled with their reasons beneath.
export function transitionList(options, onChoose) {
  if (!options.length) return h('p', {class: 'muted'}, t('no_transitions'));
  return h('ul', {class: 'transition-list'}, options.map((option) => h('li', {
    class: option.available ? 'transition available' : 'transition blocked', dataset: {transition: option.id}},
  h('button', {type: 'button', disabled: !option.available, onclick: () => onChoose(option),
    'aria-describedby': option.available ? null : `reasons-${option.id}`}, option.label || option.id),
  option.available ? null : h('ul', {class: 'reasons', id: `reasons-${option.id}`},
    h('li', {class: 'sr-only'}, t('blocked')),
    option.blocked_by.map((reason) => h('li', {class: 'reason'}, reason.message || reason.code))))));
}

// The project a dialog acts on (issue 22): its name and ID, under the dialog's title.
export function dialogProject(project) {
  return h('p', {class: 'dialog-project'}, t('dialog_project'),
    userText('strong', project.fields?.name || project.id), ' ', userText('span', project.id, {class: 'muted'}));
}
