// Project list: filters, search, sort and cursor paging (the server pages by keyset, so a
// page costs the same with 100 or 100,000 projects). The filters live in the URL hash.
import {h, userText} from '../dom.js';
import {t, pick, money, dateTime} from '../i18n.js';
import {get, query, workflow as loadWorkflow, workflows as loadWorkflows} from '../api.js';
import {optionLabel} from '../fields.js';
import {deadlineMarker} from '../project_card.js';
import {figureBanner, kFigureParams} from './figure_links.js';
import {bulkBar} from './bulk.js';  // list (issue 22 item 11)
import {savedFilters} from './saved_filters.js';

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
  // list (issue 22 item 11): the filters in use (paging aside) for saving and exporting.
  const inUse = Object.fromEntries(Object.entries(filters).filter(([name, value]) => value && name !== 'cursor'));
  const saved = await savedFilters(inUse, {navigate, hashWith});
  const {sort: _sort, ...exported} = inUse;
  const exportLink = filters.workflow
    ? h('a', {class: 'button', id: 'export-list', download: '',
      href: `/api/projects/export${query({...exported, format: 'xlsx'})}`}, t('list.export'))
    : h('button', {type: 'button', id: 'export-list', disabled: true, title: t('list.export_needs_workflow')},
      t('list.export'));
  await Promise.all([...new Set(page.projects.map((project) => project.workflow))]
    .filter((id) => !details.has(id))
    .map(async (id) => details.set(id, await loadWorkflow(id))));
  const stateLabel = (project) => pick(details.get(project.workflow)?.states
    .find((state) => state.id === project.state)?.label, project.state);

  // Chosen rows, for the bulk actions; a checkbox per row and one for the page.
  const chosen = new Set();
  const boxes = [];
  const pageBox = h('input', {type: 'checkbox', id: 'choose-page', 'aria-label': t('list.choose_page')});
  const bar = bulkBar({
    chosen: () => page.projects.filter((project) => chosen.has(project.id)),
    clear: () => { chosen.clear(); sync(); },
    workflows: details,
    done: () => navigate(location.hash),
  });
  const sync = () => {
    for (const box of boxes) box.checked = chosen.has(box.dataset.project);
    pageBox.checked = boxes.length > 0 && chosen.size === boxes.length;
    pageBox.indeterminate = chosen.size > 0 && chosen.size < boxes.length;
    bar.update(chosen.size);
  };
  pageBox.addEventListener('change', () => {
    for (const project of page.projects) {
      if (pageBox.checked) chosen.add(project.id);
      else chosen.delete(project.id);
    }
    sync();
  });
  const chooseBox = (project) => {
    const box = h('input', {type: 'checkbox', class: 'choose', dataset: {project: project.id},
      'aria-label': t('list.choose', {name: project.fields?.name || project.id})});
    box.addEventListener('change', () => {
      if (box.checked) chosen.add(project.id);
      else chosen.delete(project.id);
      sync();
    });
    boxes.push(box);
    return box;
  };
  // On a phone the filters fold away (open when some filter is set).
  const narrow = window.matchMedia('(max-width: 600px)').matches;
  const setCount = Object.keys(inUse).filter((name) => name !== 'sort').length;

  view.append(
    h('div', {class: 'view-head'}, h('h1', {}, t('nav_projects')),
      h('div', {class: 'actions'}, exportLink,
        h('a', {class: 'button', id: 'import-link', href: '#/import'}, t('import.link')),
        h('a', {class: 'button primary', href: '#/projects/new'}, t('nav_new')))),
    saved ?? '',
    h('details', {class: 'filters-box', id: 'filters-box', open: !narrow || setCount > 0},
      h('summary', {}, setCount ? t('list.filters_n', {n: setCount}) : t('list.filters')),
    h('form', {class: 'filters', role: 'search', onsubmit: apply},
      control('filter-workflow', t('workflow'), workflowSelect),
      control('filter-state', t('stage'), stateSelect),
      control('filter-industry', t('industry'), industrySelect),
      control('filter-owner', t('owner'), owner),
      control('filter-q', t('search'), search),
      h('div', {class: 'filter checkbox'}, overdue, h('label', {for: 'filter-overdue'}, t('overdue'))),
      control('filter-sort', t('sort'), sortSelect),
      h('div', {class: 'filter checkbox'}, descending, h('label', {for: 'filter-desc'}, t('descending'))),
      h('button', {type: 'submit', class: 'primary'}, t('apply')))),
    bar,
    figureBanner(params, workflow, hashWith('/projects', {workflow: filters.workflow})) ?? '',
    page.projects.length ? h('div', {class: 'table-wrap'}, h('table', {class: 'table projects-table'},
      h('thead', {}, h('tr', {}, h('th', {scope: 'col', class: 'choose-cell'}, pageBox),
        [t('list.id'), t('name'), t('stage'), t('industry'), t('investment'), t('owner'), t('due'),
          t('updated')].map((label) => h('th', {scope: 'col'}, label)))),
      h('tbody', {}, page.projects.map((project) => {
        const fields = project.fields || {};
        const industry = details.get(project.workflow)?.fields.find((field) => field.name === 'industry');
        // data-label names each cell where the row is shown as a card (a phone).
        const cell = (label, attributes, ...children) => h('td', {...attributes, 'data-label': label}, ...children);
        return h('tr', {dataset: {project: project.id}},
          h('td', {class: 'choose-cell'}, chooseBox(project)),
          cell(t('list.id'), {class: 'project-id'}, userText('span', project.id)),
          cell(t('name'), {class: 'project-name'}, h('a', {href: `#/projects/${encodeURIComponent(project.id)}`},
            userText('span', fields.name || project.id)),
          fields.investor ? userText('div', fields.investor, {class: 'list-investor muted'}) : null),
          cell(t('stage'), {}, stateLabel(project)),
          cell(t('industry'), {}, fields.industry ? optionLabel(industry, fields.industry) : ''),
          cell(t('investment'), {class: 'number'}, money(fields.total_investment)),
          cell(t('owner'), {}, userText('span', project.owner)),
          cell(t('due'), {}, project.sla_due_on || '', ' ', deadlineMarker(project)),
          cell(t('updated'), {}, dateTime(project.updated_at)));
      })))) : h('p', {class: 'muted empty'}, t('no_projects')),
    h('nav', {class: 'pager', 'aria-label': t('next_page')},
      filters.cursor ? h('a', {class: 'button', href: hashWith('/projects', {...filters, cursor: ''})}, t('first_page')) : null,
      page.next_cursor ? h('a', {class: 'button', id: 'next-page',
        href: hashWith('/projects', {...filters, cursor: page.next_cursor})}, t('next_page')) : null));
}
