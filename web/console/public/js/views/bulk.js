// Bulk actions on the projects chosen in the list (issue 22 item 11): the same transition
// on each (POST /api/bulk/transitions) or a new owner for each (POST /api/reassignments
// with projects). The server decides every project on its own; the result dialog lists
// each by name, done or not and why. Each submit carries an Idempotency-Key, so a repeat
// after a lost answer does nothing twice.
import {h, userText, toast} from '../dom.js';
import {t, pick} from '../i18n.js';
import {post} from '../api.js';
import {hasRole} from '../main.js';
import {userInput} from './supervise.js';

function idempotencyKey() {
  return globalThis.crypto?.randomUUID ? crypto.randomUUID() : `${Date.now()}-${Math.random()}`;
}

// A modal dialog; `build(close)` returns its content. Resolves with what close() is given.
function modal(id, title, build) {
  return new Promise((resolve) => {
    const dialog = h('dialog', {class: 'dialog', id, 'aria-label': title});
    const close = (value) => {
      dialog.close();
      dialog.remove();
      resolve(value);
    };
    dialog.addEventListener('cancel', (event) => { event.preventDefault(); close(null); });
    dialog.append(build(close));
    document.body.append(dialog);
    dialog.showModal();
    dialog.querySelector('select, input, textarea, button')?.focus();
  });
}

function row(id, label, control) {
  return h('div', {class: 'form-row'}, h('label', {for: id}, label), control);
}

// The chosen projects named in a dialog: the first few, and how many more.
function chosenList(projects) {
  const shown = projects.slice(0, 5);
  return h('p', {class: 'muted bulk-chosen'}, t('bulk.chosen', {n: projects.length}), '：',
    shown.map((project, index) => [index ? '、' : '', userText('span', project.fields?.name || project.id)]),
    projects.length > shown.length ? t('bulk.and_more', {n: projects.length - shown.length}) : '');
}

// A form in a dialog that posts `send()` and then shows the per-project results.
function actionDialog({id, title, projects, rows, send}) {
  return modal(id, title, (close) => {
    const general = h('ul', {class: 'reasons', role: 'alert'});
    const submit = h('button', {type: 'submit', class: 'primary'}, t('submit'));
    const key = idempotencyKey();
    return h('form', {class: 'transition-form', onsubmit: async (event) => {
      event.preventDefault();
      submit.disabled = true;
      general.replaceChildren();
      try {
        close(await send(key));
      } catch (error) {
        submit.disabled = false;
        const errors = error.errors?.length ? error.errors : [{message: t('failed')}];
        for (const entry of errors) general.append(h('li', {class: 'reason'}, entry.message || t('failed')));
      }
    }},
    h('h2', {}, title), chosenList(projects), rows, general,
    h('div', {class: 'actions'}, h('button', {type: 'button', onclick: () => close(null)}, t('cancel')), submit));
  });
}

// The transitions that could apply to some chosen project: from its stage, for a role the
// user holds (by id; the label of the first). The server still decides each project.
function transitionChoices(projects, workflows) {
  const choices = new Map();
  for (const project of projects) {
    for (const transition of workflows.get(project.workflow)?.transitions || []) {
      const from = transition.from === '*' || (transition.from || []).includes(project.state);
      const role = !transition.roles?.length || hasRole(...transition.roles);
      if (from && role && !choices.has(transition.id)) choices.set(transition.id, transition);
    }
  }
  return [...choices.values()];
}

export function bulkTransitionDialog(projects, workflows) {
  const choices = transitionChoices(projects, workflows);
  const select = h('select', {id: 'bulk-transition', required: true},
    h('option', {value: ''}, t('select')),
    choices.map((transition) => h('option', {value: transition.id}, pick(transition.label, t('bulk.transition')))));
  const comment = h('textarea', {id: 'bulk-comment', rows: 3});
  const commentLabel = h('label', {for: 'bulk-comment'}, t('comment'));
  select.addEventListener('change', () => {
    const required = choices.find((transition) => transition.id === select.value)?.comment === 'required';
    comment.required = required;
    commentLabel.textContent = required ? t('comment_required') : t('comment');
  });
  return actionDialog({
    id: 'bulk-transition-dialog', title: t('bulk.transition_title'), projects,
    rows: [row('bulk-transition', t('bulk.transition'), select),
      h('div', {class: 'form-row'}, commentLabel, comment),
      h('p', {class: 'help'}, t('bulk.transition_hint'))],
    send: async (key) => {
      const answer = await post('/api/bulk/transitions', {projects: projects.map((project) => project.id),
        transition: select.value, comment: comment.value}, {'Idempotency-Key': key});
      const label = select.selectedOptions[0]?.textContent || '';
      return {title: `${t('bulk.transition_title')}：${label}`, answer,
        summary: t('bulk.transition_summary', {done: answer.done, refused: answer.refused})};
    },
  });
}

export async function bulkReassignDialog(projects) {
  const [to, users] = await userInput('bulk-to');
  const reason = h('textarea', {id: 'bulk-reason', rows: 3, required: true});
  return actionDialog({
    id: 'bulk-reassign-dialog', title: t('bulk.reassign_title'), projects,
    rows: [row('bulk-to', t('supervise.to'), [to, users]), row('bulk-reason', t('supervise.reason'), reason)],
    send: async (key) => {
      const answer = await post('/api/reassignments', {projects: projects.map((project) => project.id),
        to: to.value.trim(), reason: reason.value}, {'Idempotency-Key': key});
      return {title: t('bulk.reassign_title'), answer,
        summary: t('bulk.reassign_summary', {done: answer.moved, refused: answer.refused})};
    },
  });
}

// Every project by name, done or not, with the engine's reasons.
export function resultDialog({title, answer, summary}) {
  return modal('bulk-result-dialog', title, (close) => h('div', {class: 'bulk-result'},
    h('h2', {}, title),
    h('p', {class: 'bulk-summary', role: 'status'}, summary),
    h('table', {class: 'table compact'},
      h('thead', {}, h('tr', {}, [t('name'), t('bulk.result')].map((label) => h('th', {scope: 'col'}, label)))),
      h('tbody', {}, answer.results.map((item) => h('tr', {class: item.ok ? 'result-ok' : 'result-refused',
        dataset: {project: item.project}},
      h('td', {}, h('a', {href: `#/projects/${encodeURIComponent(item.project)}`, onclick: () => close(true)},
        userText('span', item.name || item.project))),
      h('td', {}, item.ok ? `✔ ${t('bulk.done')}`
        : `✖ ${t('bulk.refused')}：${(item.errors || []).map((error) => error.message).join('；')}`))))),
    h('div', {class: 'actions'}, h('button', {type: 'button', class: 'primary', onclick: () => close(true)}, t('close')))));
}

// The bar over the list while projects are chosen. `chosen()` gives the chosen projects;
// `done()` reloads the list after an action.
export function bulkBar({chosen, clear, workflows, done}) {
  const count = h('strong', {class: 'bulk-count'});
  const run = (open) => async () => {
    const projects = chosen();
    if (!projects.length) return;
    const outcome = await open(projects, workflows);
    if (!outcome) return;
    await resultDialog(outcome);
    toast(outcome.summary);
    done();
  };
  const bar = h('div', {class: 'bulk-bar', id: 'bulk-bar', role: 'region', 'aria-label': t('bulk.bar'), hidden: true},
    h('span', {}, count),
    h('button', {type: 'button', class: 'primary', id: 'bulk-transition-button', onclick: run(bulkTransitionDialog)},
      t('bulk.transition_button')),
    hasRole('manager', 'admin') ? h('button', {type: 'button', id: 'bulk-reassign-button',
      onclick: run(bulkReassignDialog)}, t('bulk.reassign_button')) : null,
    h('button', {type: 'button', id: 'bulk-clear', onclick: clear}, t('bulk.clear')));
  bar.update = (n) => {
    bar.hidden = n === 0;
    count.textContent = t('bulk.chosen', {n});
  };
  return bar;
}
