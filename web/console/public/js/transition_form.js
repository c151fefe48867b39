// The form for taking a transition, shared by the project page and the board: the
// transition's required fields (pre-filled), the comment, and the engine's reasons when
// the server refuses.
import {h, toast} from './dom.js';
import {t, pick} from './i18n.js';
import {post} from './api.js';
import {fieldInput, showErrors} from './fields.js';
import {dialogProject} from './transition_menu.js';

// option: an entry of GET /api/projects/{id}/transitions. Resolves true when taken.
export function openTransitionForm(project, workflow, option) {
  return new Promise((resolve) => {
    const fieldsByName = new Map(workflow.fields.map((field) => [field.name, field]));
    const inputs = (option.requires || [])
      .map((name) => fieldsByName.get(name))
      .filter(Boolean)
      .map((field) => fieldInput(field, project.fields?.[field.name], {required: true}));
    const commentRequired = option.comment === 'required';
    const comment = h('textarea', {id: 'transition-comment', name: 'comment', rows: 3,
      required: commentRequired});
    const general = h('ul', {class: 'reasons', role: 'alert'});
    const target = workflow.states.find((state) => state.id === option.to);
    const title = typeof option.label === 'string' ? option.label : pick(option.label, option.id);
    const submit = h('button', {type: 'submit', class: 'primary'}, t('submit'));
    const form = h('form', {class: 'transition-form', method: 'dialog'},
      h('h2', {}, title), dialogProject(project),
      h('p', {class: 'muted'}, `${t('move_to')}: `, pick(target?.label, option.to)),
      (option.blocked_by || []).length
        ? h('ul', {class: 'reasons blocked-reasons'},
            option.blocked_by.map((reason) => h('li', {class: 'reason'}, reason.message || reason.code)))
        : null,
      inputs.length ? h('fieldset', {}, h('legend', {}, t('required_fields')),
        inputs.map((entry) => entry.element)) : null,
      h('div', {class: 'form-row'},
        h('label', {for: 'transition-comment'}, commentRequired ? t('comment_required') : t('comment')),
        comment),
      general,
      h('div', {class: 'actions'},
        h('button', {type: 'button', onclick: () => close(false)}, t('cancel')), submit));
    const dialog = h('dialog', {class: 'dialog', 'aria-label': `${title} · ${project.fields?.name || project.id}`}, form);
    const close = (taken) => {
      dialog.close();
      dialog.remove();
      resolve(taken);
    };
    dialog.addEventListener('cancel', (event) => { event.preventDefault(); close(false); });
    form.addEventListener('submit', async (event) => {
      event.preventDefault();
      const fields = {};
      for (const entry of inputs) {
        const value = entry.read();
        const before = project.fields?.[entry.field.name];
        if (value !== undefined && JSON.stringify(value) !== JSON.stringify(before)) {
          fields[entry.field.name] = value;
        }
      }
      submit.disabled = true;
      try {
        await post(`/api/projects/${encodeURIComponent(project.id)}/transitions`, {
          transition: option.id, fields, comment: comment.value, version: project.version});
        toast(`${title}: ${t('done')}`);
        close(true);
      } catch (error) {
        submit.disabled = false;
        const errors = error.errors?.length ? error.errors : [{message: error.message}];
        showErrors(inputs, general, errors);
      }
    });
    document.body.append(dialog);
    dialog.showModal();
    (inputs[0]?.input || comment).focus();
  });
}
