// The form for taking a transition, shared by the project page and the board: the
// transition's required fields (pre-filled, the empty ones first), the comment, and the
// engine's reasons when the server refuses. One submit sends the edits with the transition
// (issue 22 item 1). A transition that ends the project asks to confirm it cannot be undone.
import {h, toast} from './dom.js';
import {t, pick} from './i18n.js';
import {post} from './api.js';
import {fieldInput, showErrors, checkInputs} from './fields.js';
import {isDestructive, dialogProject} from './transition_menu.js';

// option: an entry of GET /api/projects/{id}/transitions. Resolves true when taken.
export function openTransitionForm(project, workflow, option) {
  return new Promise((resolve) => {
    const fieldsByName = new Map(workflow.fields.map((field) => [field.name, field]));
    const missing = new Set(option.available ? [] : option.fill || []);
    const names = [...missing, ...(option.requires || []).filter((name) => !missing.has(name))];
    const inputs = names
      .map((name) => fieldsByName.get(name))
      .filter(Boolean)
      .map((field) => fieldInput(field, project.fields?.[field.name], {required: true}));
    const commentRequired = option.comment === 'required';
    const comment = h('textarea', {id: 'transition-comment', name: 'comment', rows: 3,
      required: commentRequired});
    const general = h('ul', {class: 'reasons', role: 'alert'});
    const target = workflow.states.find((state) => state.id === option.to);
    const title = typeof option.label === 'string' ? option.label : pick(option.label, t('step.unnamed'));
    const destructive = isDestructive(option, workflow);
    const confirm = destructive ? h('input', {type: 'checkbox', id: 'transition-confirm', required: true}) : null;
    const submit = h('button', {type: 'submit', class: destructive ? 'danger' : 'primary'},
      destructive ? t('step.confirm_submit') : t('submit'));
    const projectName = project.fields?.name || project.id;
    const form = h('form', {class: `transition-form${destructive ? ' destructive' : ''}`, method: 'dialog', novalidate: true},
      h('h2', {}, title), dialogProject(project),
      h('p', {class: 'muted'}, `${t('move_to')}: `, pick(target?.label, t('step.unnamed'))),
      destructive ? h('p', {class: 'destructive-warning', role: 'note'},
        t('step.cannot_undo', {state: pick(target?.label, '')})) : null,
      missing.size ? h('p', {class: 'fill-note'}, t('step.fill_intro')) : null,
      inputs.length ? h('fieldset', {}, h('legend', {}, t('required_fields')),
        inputs.map((entry) => entry.element)) : null,
      h('div', {class: 'form-row'},
        h('label', {for: 'transition-comment'}, commentRequired ? t('comment_required') : t('comment')),
        comment, h('div', {class: 'field-error', role: 'alert', id: 'transition-comment-error'})),
      destructive ? h('div', {class: 'form-row confirm-row'}, confirm,
        h('label', {for: 'transition-confirm'}, t('step.confirm_label'))) : null,
      general,
      h('div', {class: 'actions'},
        h('button', {type: 'button', onclick: () => cancel()}, t('cancel')), submit));
    const dialog = h('dialog', {class: 'dialog', 'aria-label': `${title} · ${projectName}`}, form);
    const close = (taken) => {
      dialog.close();
      dialog.remove();
      resolve(taken);
    };
    // 取消 or Escape with something typed asks first (issue 22 item 2).
    const typed = () => comment.value.trim() !== '' || inputs.some((entry) =>
      JSON.stringify(entry.read() ?? null) !== JSON.stringify(project.fields?.[entry.field.name] ?? null));
    const cancel = () => { if (!typed() || window.confirm(t('step.discard_confirm'))) close(false); };
    dialog.addEventListener('cancel', (event) => { event.preventDefault(); cancel(); });
    form.addEventListener('submit', async (event) => {
      event.preventDefault();
      // What the engine will check, said before asking it: empty required fields and values
      // out of range, a missing comment, the confirmation.
      const commentError = form.querySelector('#transition-comment-error');
      commentError.textContent = commentRequired && !comment.value.trim() ? t('step.required') : '';
      const invalid = checkInputs(inputs, general);
      if (invalid || commentError.textContent || (confirm && !confirm.checked)) {
        if (confirm && !confirm.checked) general.append(h('li', {class: 'reason'}, t('step.confirm_needed')));
        return;
      }
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
        showErrors(inputs, general, errors.filter((entry) => entry.field !== 'comment'));
        const onComment = errors.filter((entry) => entry.field === 'comment');
        if (onComment.length) commentError.textContent = onComment.map((entry) => entry.message).join('；');
      }
    });
    document.body.append(dialog);
    dialog.showModal();
    (inputs.find((entry) => missing.has(entry.field.name))?.input || inputs[0]?.input || comment).focus();
  });
}
