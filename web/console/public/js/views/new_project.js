// A new project: choose the workflow, fill the basic fields; it starts in the initial state.
import {h, toast} from '../dom.js';
import {t, pick} from '../i18n.js';
import {post, workflow as loadWorkflow, workflows as loadWorkflows} from '../api.js';
import {fieldInput, showErrors} from '../fields.js';
import {defaultWorkflow} from './board.js';

export async function render(view, {params}, {navigate, hashWith}) {
  const list = await loadWorkflows();
  const workflowId = params.get('workflow') || defaultWorkflow(list);
  const workflow = await loadWorkflow(workflowId);
  const select = h('select', {id: 'new-workflow', onchange: (event) =>
    navigate(hashWith('/projects/new', {workflow: event.target.value}))},
  list.map((item) => h('option', {value: item.id, selected: item.id === workflowId}, pick(item.title, item.id))));
  // What the first transition asks for, plus every field of the first group.
  const first = workflow.transitions.find((transition) => transition.from === '*' ||
    transition.from.includes(workflow.initial));
  const wanted = new Set([...(first?.requires || []),
    ...workflow.fields.filter((field) => field.required || field.group === workflow.fields[0]?.group)
      .map((field) => field.name)]);
  const inputs = workflow.fields.filter((field) => wanted.has(field.name))
    .map((field) => fieldInput(field, undefined, {required: field.required}));
  const general = h('ul', {class: 'reasons', role: 'alert'});
  const form = h('form', {class: 'panel new-project', onsubmit: async (event) => {
    event.preventDefault();
    const fields = {};
    for (const entry of inputs) {
      const value = entry.read();
      if (value !== undefined) fields[entry.field.name] = value;
    }
    try {
      const created = await post('/api/projects', {workflow: workflowId, fields});
      toast(t('created_ok'));
      navigate(`#/projects/${encodeURIComponent(created.project_id)}`);
    } catch (error) {
      showErrors(inputs, general, error.errors?.length ? error.errors : [{message: error.message}]);
    }
  }},
  h('div', {class: 'form-row'}, h('label', {for: 'new-workflow'}, t('workflow')), select),
  h('div', {class: 'form-grid'}, inputs.map((entry) => entry.element)),
  general,
  h('div', {class: 'actions'}, h('button', {type: 'submit', class: 'primary'}, t('create'))));
  view.append(h('h1', {}, t('new_project')), form);
  inputs[0]?.input.focus();
}
