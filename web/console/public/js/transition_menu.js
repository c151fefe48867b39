// Which transition to take from a card: a small dialog listing the ones this user may
// take, and the blocked ones greyed with the engine's reasons.
import {h, userText} from './dom.js';
import {t} from './i18n.js';
import {get} from './api.js';

export async function chooseTransition(project, workflow) {
  const options = await get(`/api/projects/${encodeURIComponent(project.id)}/transitions`);
  return new Promise((resolve) => {
    const name = project.fields?.name || project.id;
    const dialog = h('dialog', {class: 'dialog', 'aria-label': `${t('transitions')} · ${name}`});
    const close = (choice) => { dialog.close(); dialog.remove(); resolve(choice); };
    dialog.addEventListener('cancel', (event) => { event.preventDefault(); close(null); });
    dialog.append(h('h2', {}, t('transitions')), dialogProject(project),
      transitionList(options.transitions, (option) => close(option), workflow),
      h('div', {class: 'actions'}, h('button', {type: 'button', onclick: () => close(null)}, t('close'))));
    document.body.append(dialog);
    dialog.showModal();
  });
}

// Does the transition end the project (into a terminal state)? It cannot be undone.
export function isDestructive(option, workflow) {
  return !!workflow?.states?.find((state) => state.id === option.to)?.terminal;
}

// Can the transition's form open? When it is available, or blocked only by required fields
// still empty (the form asks for them: issue 22 item 1).
export function canOpen(option) {
  return option.available || option.fillable === true;
}

// Why a blocked transition cannot be taken, as a kind the user recognises.
function blockKind(reason) {
  switch (reason.code) {
    case 'role_not_allowed': case 'not_a_voter': return 'step.block_role';
    case 'guard_failed': return 'step.block_guard';
    case 'review_not_passed': case 'no_open_review': return 'step.block_review';
    case 'missing_field': return 'step.block_fields';
    default: return 'step.block_other';
  }
}

// Available transitions as buttons; blocked ones disabled with their reasons beneath. A
// transition into a terminal state is styled apart (it ends the project).
export function transitionList(options, onChoose, workflow) {
  if (!options.length) return h('p', {class: 'muted'}, t('no_transitions'));
  return h('ul', {class: 'transition-list'}, options.map((option) => {
    const open = canOpen(option);
    const destructive = isDestructive(option, workflow);
    const classes = ['transition', option.available ? 'available' : open ? 'fillable' : 'blocked'];
    if (destructive) classes.push('destructive');
    const fill = option.available ? [] : option.fill || [];
    return h('li', {class: classes.join(' '), dataset: {transition: option.id}},
      h('button', {type: 'button', disabled: !open, onclick: () => onChoose(option),
        class: destructive ? 'danger' : null,
        'aria-describedby': option.available ? null : `reasons-${option.id}`}, option.label || t('step.unnamed')),
      destructive ? h('span', {class: 'destructive-note'}, t('step.ends_project')) : null,
      option.available ? null : open
        ? h('p', {class: 'fill-note muted', id: `reasons-${option.id}`}, t('step.fill_in_form', {n: fill.length}))
        : h('ul', {class: 'reasons', id: `reasons-${option.id}`},
          h('li', {class: 'sr-only'}, t('blocked')),
          option.blocked_by.map((reason) => h('li', {class: 'reason', dataset: {kind: reason.code}},
            h('span', {class: 'block-kind'}, `${t(blockKind(reason))}：`), reason.message || t('step.block_other')))));
  }));
}

// The project a dialog acts on (issue 22): its name and ID, under the dialog's title.
export function dialogProject(project) {
  return h('p', {class: 'dialog-project'}, t('dialog_project'),
    userText('strong', project.fields?.name || project.id), ' ', userText('span', project.id, {class: 'muted'}));
}
