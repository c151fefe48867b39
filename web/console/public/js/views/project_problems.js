// The project page's 问题台账 tab (issue 17): the project's problems (items of a problem
// workflow whose parent: names the project's workflow), and a visit form that records a
// follow-up visit raising problems, all written together (usable on a phone).
import {h, clear, toast, today} from '../dom.js';
import {t} from '../i18n.js';
import {get, post, query} from '../api.js';
import {fieldInput, fieldLabel, showErrors} from '../fields.js';
import {problemWorkflows, problemTable} from './problems.js';

// The panel, filled in before the page shows it (a reload swaps the whole page at once, so
// the tab never flickers empty); hidden when the project's workflow takes no problems.
export async function problemsPanel({project, path, reload, may}) {
  const section = h('section', {class: 'panel problems-panel', id: 'problems-tab', hidden: true});
  try {
    await fill(section, {project, path, reload, may});
  } catch (error) {
    section.hidden = false;
    clear(section).append(h('h2', {}, t('problems.ledger')), h('p', {class: 'form-message'}, error.message));
  }
  return section;
}

async function fill(section, context) {
  const {project} = context;
  const [workflow] = await problemWorkflows(project.workflow);
  if (!workflow) return;
  const page = await get(`/api/projects${query({parent: project.id, workflow: workflow.id, limit: 200,
    sort: '+created'})}`);
  const open = page.projects.filter((problem) =>
    !workflow.states.find((state) => state.id === problem.state)?.terminal).length;
  section.hidden = false;
  clear(section).append(
    h('h2', {}, t('problems.ledger'), ' ', h('span', {class: 'badge problems-open'},
      t('problems.open_n', {n: open}))),
    page.projects.length ? problemTable(workflow, page.projects)
      : h('p', {class: 'muted'}, t('problems.none')),
    h('p', {}, h('a', {href: `#/problems?${new URLSearchParams({workflow: workflow.id})}`},
      t('problems.to_ledger'))),
    // Only where and for whom the engine takes a visit (issue 22 item 5).
    context.may?.followup === false ? null : visitForm(context, workflow));
}

// The fields a problem is raised with: those required at creation and those no later step
// asks for (an answer, a reason are filled in as the problem moves on).
function raiseFields(workflow) {
  const later = new Set(workflow.transitions.flatMap((transition) => transition.requires || []));
  return workflow.fields.filter((field) => field.required || !later.has(field.name));
}

function visitForm({project, path, reload}, workflow) {
  const on = h('input', {id: 'visit-problems-on', type: 'date', value: today(), required: true});
  const summary = h('input', {id: 'visit-problems-summary', type: 'text', required: true});
  const blocks = [];
  const list = h('div', {class: 'problem-blocks'});
  const general = h('ul', {class: 'reasons', role: 'alert'});
  const addProblem = () => {
    const index = blocks.length;
    const inputs = raiseFields(workflow).map((field) => {
      // A date (the day raised) starts as the visit's day.
      const value = field.type === 'date' ? on.value || today() : undefined;
      return fieldInput(field, value, {required: field.required});
    });
    const box = h('fieldset', {class: 'problem-block', dataset: {index}},
      h('legend', {}, t('problems.problem_n', {n: index + 1})),
      inputs.map((entry) => entry.element),
      h('button', {type: 'button', class: 'small remove-problem', onclick: () => {
        blocks.splice(blocks.indexOf(block), 1);
        box.remove();
      }}, t('problems.remove')));
    const block = {box, inputs};
    blocks.push(block);
    list.append(box);
    inputs[0]?.input.focus();
  };
  // novalidate: the server's reasons (in Chinese, per problem) say what is missing where.
  const form = h('form', {class: 'visit-problems-form', id: 'visit-problems', novalidate: true,
    onsubmit: async (event) => {
    event.preventDefault();
    clear(general);
    const problems = blocks.map((block) => Object.fromEntries(block.inputs
      .map((entry) => [entry.field.name, entry.read()]).filter(([, value]) => value !== undefined)));
    try {
      const result = await post(`${path}/followups`, {on: on.value, summary: summary.value,
        version: project.version, problem_workflow: workflow.id, problems});
      toast(t('problems.raised', {n: result.problems?.length ?? 0}));
      reload();
    } catch (error) {
      // problems[1].category → the second block's category input.
      const errors = error.errors?.length ? error.errors : [{message: error.message}];
      const byBlock = new Map();
      const rest = [];
      for (const item of errors) {
        const found = /^problems\[(\d+)\]\.?(.*)$/.exec(item.field || '');
        if (found && blocks[Number(found[1])]) {
          const index = Number(found[1]);
          if (!byBlock.has(index)) byBlock.set(index, []);
          byBlock.get(index).push({...item, field: found[2]});
        } else {
          rest.push(item);
        }
      }
      for (const [index, items] of byBlock) {
        showErrors(blocks[index].inputs, h('ul'), items);
        for (const item of items) {
          const field = workflow.fields.find((entry) => entry.name === item.field);
          rest.push({message: `${t('problems.problem_n', {n: index + 1})} ${fieldLabel(field)}: ${item.message}`});
        }
      }
      general.append(...rest.map((item) => h('li', {}, item.message)));
    }
  }},
  h('h3', {}, t('problems.visit_title')),
  h('div', {class: 'visit-head'},
    h('label', {for: 'visit-problems-on'}, t('visit_on')), on,
    h('label', {for: 'visit-problems-summary'}, t('summary')), summary),
  list,
  h('div', {class: 'actions'},
    h('button', {type: 'button', id: 'add-problem', onclick: addProblem}, t('problems.add')),
    h('button', {type: 'submit', class: 'primary'}, t('problems.save_visit'))),
  general);
  return h('details', {class: 'visit-problems', open: false},
    h('summary', {}, t('problems.visit_title')), form);
}
