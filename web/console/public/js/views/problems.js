// 问题台账 across projects (issue 17): the items of a problem workflow (one with a state
// tagged `resolved`), filtered by unit, category, stage, overdue and the parent project's
// promoting unit, with the light the server sends (`light`), a 督办 button per open problem and the export. The helpers at
// the top are shared with the project page's 问题台账 tab (project_problems.js).
import {h, userText, deadlineColour} from '../dom.js';
import {t, pick, dateTime} from '../i18n.js';
import {get, query, workflow as loadWorkflow, workflows as loadWorkflows} from '../api.js';
import {optionLabel} from '../fields.js';
import {lightBadge, levelsFor, superviseById} from './supervise.js';

const kPageSize = 50;

// Problem workflows: those with a state tagged `resolved`; with `parentWorkflow`, only
// those whose items may belong to a project of it.
export async function problemWorkflows(parentWorkflow = '') {
  const list = await loadWorkflows();
  const definitions = await Promise.all(list.map((item) => loadWorkflow(item.id).catch(() => null)));
  return definitions.filter((workflow) => workflow &&
    workflow.states.some((state) => state.report === 'resolved') &&
    (!parentWorkflow || (workflow.parent_workflows || []).includes(parentWorkflow)));
}

export const taggedField = (workflow, tag) => workflow.fields.find((field) => field.report === tag);

// The problem's deadline: its earliest open milestone.
export function problemDue(problem) {
  const open = Object.values(problem.milestones || {}).filter((milestone) => !milestone.done_on)
    .map((milestone) => milestone.due_on).filter(Boolean).sort();
  return open[0] || '';
}

export function problemTable(workflow, problems, {parents = null} = {}) {
  const unit = taggedField(workflow, 'responsible_unit');
  const category = taggedField(workflow, 'problem_category');
  const name = taggedField(workflow, 'name');
  const stateLabel = (id) => pick(workflow.states.find((state) => state.id === id)?.label, id);
  const terminal = (id) => workflow.states.find((state) => state.id === id)?.terminal;
  const headers = [t('problems.title'), parents ? t('problems.parent') : null, t('problems.category'),
    t('problems.unit'), t('stage'), t('problems.due'), t('problems.light'), t('updated'), t('problems.actions')].filter(Boolean);
  return h('div', {class: 'table-wrap'}, h('table', {class: 'table problems-table'},
    h('thead', {}, h('tr', {}, headers.map((label) => h('th', {scope: 'col'}, label)))),
    h('tbody', {}, problems.map((problem) => {
      const fields = problem.fields || {};
      const due = terminal(problem.state) ? '' : problemDue(problem);
      const colour = due ? deadlineColour(due) : '';
      return h('tr', {dataset: {problem: problem.id}},
        h('td', {}, h('a', {href: `#/projects/${encodeURIComponent(problem.id)}`},
          userText('span', (name && fields[name.name]) || problem.id))),
        parents ? h('td', {}, problem.parent ? h('a', {href: `#/projects/${encodeURIComponent(problem.parent)}`},
          userText('span', parents.get(problem.parent) || problem.parent)) : '') : null,
        h('td', {}, category ? optionLabel(category, fields[category.name]) : ''),
        h('td', {class: 'problem-unit'}, unit ? optionLabel(unit, fields[unit.name]) : ''),
        h('td', {}, stateLabel(problem.state)),
        h('td', {}, due, colour ? h('span', {class: `deadline deadline-${colour}`},
          colour === 'red' ? t('overdue') : t('due')) : null),
        h('td', {}, lightBadge(problem)),
        h('td', {}, dateTime(problem.updated_at)),
        h('td', {}, terminal(problem.state) || !levelsFor(problem, workflow).length ? null : h('button', {type: 'button', class: 'small',
          dataset: {supervise: problem.id}, onclick: () => superviseById(problem.id)},
        t('supervise.supervise'))));
    }))));
}

const kFilters = ['workflow', 'responsible_unit', 'problem_category', 'state', 'overdue',
  'parent_promoting_unit', 'q', 'cursor'];

export async function render(view, {params}, {navigate, hashWith}) {
  const workflows = await problemWorkflows();
  if (!workflows.length) {
    view.append(h('h1', {}, t('problems.ledger')), h('p', {class: 'muted'}, t('problems.none_workflow')));
    return;
  }
  const filters = Object.fromEntries(kFilters.map((name) => [name, params.get(name) || '']));
  const workflow = workflows.find((item) => item.id === filters.workflow) || workflows[0];
  filters.workflow = workflow.id;
  const unit = taggedField(workflow, 'responsible_unit');
  const category = taggedField(workflow, 'problem_category');

  const control = (id, label, element) => h('div', {class: 'filter'}, h('label', {for: id}, label), element);
  const select = (id, value, options) => h('select', {id}, h('option', {value: ''}, t('all')),
    options.map(([optionValue, label]) => h('option', {value: optionValue, selected: optionValue === value}, label)));
  const options = (field) => (field?.options || []).map((option) => [option, optionLabel(field, option)]);
  const workflowSelect = h('select', {id: 'problems-workflow'}, workflows.map((item) =>
    h('option', {value: item.id, selected: item.id === workflow.id}, pick(item.title, item.id))));
  const unitSelect = select('problems-unit', filters.responsible_unit, options(unit));
  const categorySelect = select('problems-category', filters.problem_category, options(category));
  const stateSelect = select('problems-state', filters.state,
    workflow.states.map((state) => [state.id, pick(state.label, state.id)]));
  const promoting = h('input', {id: 'problems-promoting', type: 'text', value: filters.parent_promoting_unit});
  const search = h('input', {id: 'problems-q', type: 'search', value: filters.q});
  const overdue = h('input', {id: 'problems-overdue', type: 'checkbox', checked: filters.overdue === 'true'});
  const chosen = () => ({workflow: workflowSelect.value, responsible_unit: unitSelect.value,
    problem_category: categorySelect.value, state: stateSelect.value,
    overdue: overdue.checked ? 'true' : '', parent_promoting_unit: promoting.value.trim(), q: search.value.trim()});
  const apply = (event) => {
    event?.preventDefault();
    navigate(hashWith('/problems', chosen()));
  };
  for (const element of [workflowSelect, unitSelect, categorySelect, stateSelect, overdue]) {
    element.addEventListener('change', apply);
  }

  const listed = {...filters};
  delete listed.cursor;
  const page = await get(`/api/projects${query({...listed, cursor: filters.cursor, limit: kPageSize})}`);
  // The parents' names, for the 所属项目 column.
  const parents = new Map();
  await Promise.all([...new Set(page.projects.map((problem) => problem.parent).filter(Boolean))]
    .map(async (id) => {
      try {
        const parent = await get(`/api/projects/${encodeURIComponent(id)}`);
        parents.set(id, parent.fields?.name || id);
      } catch { parents.set(id, id); }
    }));
  const exportHref = `/api/projects/export${query({...listed, format: 'xlsx'})}`;

  view.append(
    h('div', {class: 'view-head'}, h('h1', {}, t('problems.ledger')),
      h('div', {class: 'actions'}, h('a', {class: 'button', id: 'problems-export', href: exportHref,
        download: ''}, t('problems.export')))),
    h('form', {class: 'filters', role: 'search', onsubmit: apply},
      workflows.length > 1 ? control('problems-workflow', t('workflow'), workflowSelect) : null,
      control('problems-unit', t('problems.unit'), unitSelect),
      control('problems-category', t('problems.category'), categorySelect),
      control('problems-state', t('stage'), stateSelect),
      control('problems-promoting', t('problems.promoting_unit'), promoting),
      control('problems-q', t('search'), search),
      h('div', {class: 'filter checkbox'}, overdue, h('label', {for: 'problems-overdue'}, t('overdue'))),
      h('button', {type: 'submit', class: 'primary'}, t('apply'))),
    page.projects.length ? problemTable(workflow, page.projects, {parents})
      : h('p', {class: 'muted empty'}, t('problems.none')),
    h('nav', {class: 'pager', 'aria-label': t('next_page')},
      filters.cursor ? h('a', {class: 'button', href: hashWith('/problems', {...listed})}, t('first_page')) : null,
      page.next_cursor ? h('a', {class: 'button', id: 'problems-next',
        href: hashWith('/problems', {...listed, cursor: page.next_cursor})}, t('next_page')) : null));
}
