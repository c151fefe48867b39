// Project list: filters, search, sort and cursor paging (the server pages by keyset, so a
// page costs the same with 100 or 100,000 projects). The filters live in the URL hash.
import {h, userText} from '../dom.js';
import {t, pick, money, dateTime} from '../i18n.js';
import {get, query, workflow as loadWorkflow, workflows as loadWorkflows} from '../api.js';
import {optionLabel} from '../fields.js';
import {deadlineMarker} from '../project_card.js';
import {figureBanner, kFigureParams} from './figure_links.js';

const kPageSize = 50;
const kSorts = ['updated', 'created', 'name', 'investment', 'due'];

export async function render(view, {params}, {navigate, hashWith}) {
  const list = await loadWorkflows();
  const filters = Object.fromEntries(['workflow', 'state', 'industry', 'owner', 'q', 'overdue', 'sort',
    'cursor', ...kFigureParams].map((name) => [name, params.get(name) || '']));
  const figureFilters = Object.fromEntries(kFigureParams.map((name) => [name, filters[name]]));
  const workflow = filters.workflow ? await loadWorkflow(filters.workflow) : null;
  const details = new Map();  // workflow id -> definition, for labels in the table
  if (workflow) details.set(workflow.id, workflow);
  const industryField = (workflow || await loadWorkflow('qingyuan-investment').catch(() => null))
    ?.fields.find((field) => field.name === 'industry');

  const control = (id, label, element) => h('div', {class: 'filter'}, h('label', {for: id}, label), element);
  const select = (id, value, options) => h('select', {id}, h('option', {value: ''}, t('all')),
    options.map(([optionValue, label]) => h('option', {value: optionValue, selected: optionValue === value}, label)));
  const workflowSelect = select('filter-workflow', filters.workflow, list.map((item) => [item.id, pick(item.title, item.id)]));
  const stateSelect = select('filter-state', filters.state,
    (workflow?.states || []).map((state) => [state.id, pick(state.label, state.id)]));
  stateSelect.disabled = !workflow;
  const industrySelect = select('filter-industry', filters.industry,
    (industryField?.options || []).map((option) => [option, optionLabel(industryField, option)]));
  const owner = h('input', {id: 'filter-owner', type: 'text', value: filters.owner});
  const search = h('input', {id: 'filter-q', type: 'search', value: filters.q, placeholder: t('search_placeholder')});
  const overdue = h('input', {id: 'filter-overdue', type: 'checkbox', checked: filters.overdue === 'true'});
  const sortName = (filters.sort || '-updated').replace(/^[-+]/, '');
  const sortSelect = h('select', {id: 'filter-sort'}, kSorts.map((key) =>
    h('option', {value: key, selected: key === sortName}, t(`sort_${key}`))));
  const descending = h('input', {id: 'filter-desc', type: 'checkbox', checked: !filters.sort.startsWith('+') &&
    (filters.sort === '' || filters.sort.startsWith('-'))});
  const apply = (event) => {
    event?.preventDefault();
    navigate(hashWith('/projects', {workflow: workflowSelect.value, state: stateSelect.value,
      industry: industrySelect.value, owner: owner.value.trim(), q: search.value.trim(),
      overdue: overdue.checked ? 'true' : '', sort: `${descending.checked ? '-' : '+'}${sortSelect.value}`,
      ...figureFilters}));
  };
  workflowSelect.addEventListener('change', () => { stateSelect.value = ''; apply(); });

  const page = await get(`/api/projects${query({...filters, limit: kPageSize})}`);
  await Promise.all([...new Set(page.projects.map((project) => project.workflow))]
    .filter((id) => !details.has(id))
    .map(async (id) => details.set(id, await loadWorkflow(id))));
  const stateLabel = (project) => pick(details.get(project.workflow)?.states
    .find((state) => state.id === project.state)?.label, project.state);

  view.append(
    h('div', {class: 'view-head'}, h('h1', {}, t('nav_projects')),
      h('div', {class: 'actions'}, h('a', {class: 'button', id: 'import-link', href: '#/import'}, t('import.link')),
        h('a', {class: 'button primary', href: '#/projects/new'}, t('nav_new')))),
    h('form', {class: 'filters', role: 'search', onsubmit: apply},
      control('filter-workflow', t('workflow'), workflowSelect),
      control('filter-state', t('stage'), stateSelect),
      control('filter-industry', t('industry'), industrySelect),
      control('filter-owner', t('owner'), owner),
      control('filter-q', t('search'), search),
      h('div', {class: 'filter checkbox'}, overdue, h('label', {for: 'filter-overdue'}, t('overdue'))),
      control('filter-sort', t('sort'), sortSelect),
      h('div', {class: 'filter checkbox'}, descending, h('label', {for: 'filter-desc'}, t('descending'))),
      h('button', {type: 'submit', class: 'primary'}, t('apply'))),
    figureBanner(params, workflow, hashWith('/projects', {workflow: filters.workflow})),
    page.projects.length ? h('div', {class: 'table-wrap'}, h('table', {class: 'table projects-table'},
      h('thead', {}, h('tr', {}, [t('name'), t('stage'), t('industry'), t('investment'), t('owner'), t('due'),
        t('updated')].map((label) => h('th', {scope: 'col'}, label)))),
      h('tbody', {}, page.projects.map((project) => {
        const fields = project.fields || {};
        const industry = details.get(project.workflow)?.fields.find((field) => field.name === 'industry');
        return h('tr', {},
          h('td', {}, h('a', {href: `#/projects/${encodeURIComponent(project.id)}`},
            userText('span', fields.name || project.id))),
          h('td', {}, stateLabel(project)),
          h('td', {}, fields.industry ? optionLabel(industry, fields.industry) : ''),
          h('td', {class: 'number'}, money(fields.total_investment)),
          h('td', {}, userText('span', project.owner)),
          h('td', {}, project.sla_due_on || '', ' ', deadlineMarker(project)),
          h('td', {}, dateTime(project.updated_at)));
      })))) : h('p', {class: 'muted empty'}, t('no_projects')),
    h('nav', {class: 'pager', 'aria-label': t('next_page')},
      filters.cursor ? h('a', {class: 'button', href: hashWith('/projects', {...filters, cursor: ''})}, t('first_page')) : null,
      page.next_cursor ? h('a', {class: 'button', id: 'next-page',
        href: hashWith('/projects', {...filters, cursor: page.next_cursor})}, t('next_page')) : null));
}
