// Pipeline board: one column per active stage of a workflow, loaded in one request
// (GET /api/board); filters (mine, industry, owner, promoting unit) live in the hash. The
// columns scroll inside the viewport. A card's transition (button, drag to a column, or
// Shift+←/→ on a focused card) opens the same form as the project page; a move the engine
// refuses says why.
import {h, clear, toast} from '../dom.js';
import {t, pick, money} from '../i18n.js';
import {get, query, workflow as loadWorkflow, workflows as loadWorkflows} from '../api.js';
import {projectCard} from '../project_card.js';
import {optionLabel} from '../fields.js';
import {openTransitionForm} from '../transition_form.js';
import {chooseTransition} from '../transition_menu.js';
import {me} from '../main.js';

const kCardsPerColumn = 30;
const kFilters = ['mine', 'industry', 'owner', 'promoting_unit'];

export async function render(view, {params}, {navigate, hashWith}) {
  const list = await loadWorkflows();
  const workflowId = params.get('workflow') || defaultWorkflow(list);
  const workflow = await loadWorkflow(workflowId);
  const filters = Object.fromEntries(kFilters.map((name) => [name, params.get(name) || '']));
  const user = me();
  const owner = filters.mine && user ? user.id : filters.owner;
  const fetchBoard = () => get(`/api/board${query({workflow: workflowId, industry: filters.industry, owner,
    promoting_unit: filters.promoting_unit, limit: kCardsPerColumn})}`);
  const board = await fetchBoard();

  const go = (changes) => navigate(hashWith('/board', {workflow: workflowId, ...filters, ...changes}));
  const select = h('select', {id: 'board-workflow', onchange: (event) =>
    navigate(hashWith('/board', {workflow: event.target.value}))},
  list.map((item) => h('option', {value: item.id, selected: item.id === workflowId}, pick(item.title, item.id))));
  view.append(h('div', {class: 'view-head'}, h('h1', {}, t('nav_board')),
    h('div', {class: 'inline-field'}, h('label', {for: 'board-workflow'}, t('board_workflow')), select)),
  filterBar(workflow, board, filters, go));
  const columns = h('div', {class: 'board', role: 'list', 'aria-label': t('nav_board')});
  const hint = h('p', {id: 'board-keys', class: 'sr-only'}, t('board.keys'));
  view.append(hint, columns);

  const stages = workflow.states.filter((state) => !state.terminal);
  const stateLabel = (id) => pick(workflow.states.find((state) => state.id === id)?.label, id);
  const projectName = (project) => project.fields?.name || project.id;
  let dragged = null;  // {project, options, loaded}

  const act = async (project) => {
    const option = await chooseTransition(project, workflow);
    if (option && await openTransitionForm(project, workflow, option)) load();
  };

  // The transitions of a project, from the server (the engine decides).
  const transitionsOf = (project) => get(`/api/projects/${encodeURIComponent(project.id)}/transitions`)
    .then((body) => body.transitions).catch(() => []);

  // Takes the project to `stateId` if a transition allows it; otherwise says why not.
  async function moveTo(project, stateId, options) {
    if (project.state === stateId) return;
    const candidates = (await options).filter((candidate) => candidate.to === stateId);
    const option = candidates.find((candidate) => candidate.available);
    if (option) {
      if (await openTransitionForm(project, workflow, option)) load();
      return;
    }
    const reasons = candidates.flatMap((candidate) => candidate.blocked_by || [])
      .map((reason) => reason.message || reason.code);
    const message = candidates.length
      ? t('board.refused_blocked', {project: projectName(project), stage: stateLabel(stateId),
        reasons: [...new Set(reasons)].join('；') || t('blocked')})
      : t('board.refused_no_way', {project: projectName(project), from: stateLabel(project.state),
        stage: stateLabel(stateId)});
    refusal.textContent = message;
    toast(message, 'error');
  }
  const refusal = h('p', {id: 'board-refusal', class: 'sr-only', role: 'alert'});
  view.append(refusal);

  function fill(answerBoard) {
    const left = columns.scrollLeft;
    clear(columns);
    const byState = new Map(answerBoard.columns.map((column) => [column.state, column]));
    for (const state of stages) {
      const answer = byState.get(state.id) || {projects: [], count: 0, investment_wan: null, more: false};
      const count = answer.count ?? answer.projects.length;
      const hidden = answer.count != null ? answer.count - answer.projects.length : 0;
      const column = h('section', {class: 'column', role: 'listitem', dataset: {state: state.id},
        'aria-label': `${pick(state.label, state.id)} · ${t('board.count_n', {n: count})}`},
      h('header', {class: 'column-head'},
        h('h2', {}, pick(state.label, state.id)),
        h('div', {class: 'column-stats'},
          h('span', {class: 'column-count', title: t('count')}, answer.count == null && answer.more ? `${count}+` : String(count)),
          answer.investment_wan != null
            ? h('span', {class: 'column-total', title: t('total_investment')}, money(answer.investment_wan)) : null)),
      h('div', {class: 'cards'}, answer.projects.map((project) => {
        const card = projectCard(project, workflow, {onAct: act});
        card.tabIndex = 0;
        card.setAttribute('aria-describedby', 'board-keys');
        card.setAttribute('aria-keyshortcuts', 'Shift+ArrowLeft Shift+ArrowRight');
        card.addEventListener('dragstart', (event) => startDrag(event, project));
        card.addEventListener('dragend', endDrag);
        card.addEventListener('keydown', (event) => onCardKey(event, card, project));
        return card;
      })),
      answer.more ? h('a', {class: 'more', href: `#/projects${query({workflow: workflowId, state: state.id,
        industry: filters.industry, owner})}`}, hidden > 0 ? t('cards_more', {n: hidden}) : t('open')) : null);
      // Every column takes the drop: one the project may go to opens the form, another says
      // why it may not.
      column.addEventListener('dragover', (event) => {
        if (!dragged) return;
        event.preventDefault();
        event.dataTransfer.dropEffect = 'move';
      });
      column.addEventListener('drop', (event) => {
        event.preventDefault();
        if (!dragged) return;
        const {project, options} = dragged;
        endDrag();
        moveTo(project, state.id, options);
      });
      columns.append(column);
    }
    columns.scrollLeft = left;
  }
  fill(board);
  async function load() {
    fill(await fetchBoard());
  }

  // Keys on a focused card: ↑/↓ the next card, ←/→ the next column, Shift+←/→ moves the
  // project there, Enter opens it.
  function onCardKey(event, card, project) {
    if (event.target !== card) return;
    const column = card.closest('.column');
    const step = {ArrowLeft: -1, ArrowRight: 1}[event.key];
    if (step && event.shiftKey) {
      event.preventDefault();
      const target = stages[stages.findIndex((state) => state.id === project.state) + step];
      if (target) moveTo(project, target.id, transitionsOf(project));
    } else if (step) {
      event.preventDefault();
      let next = step > 0 ? column.nextElementSibling : column.previousElementSibling;
      while (next && !next.querySelector('.project-card')) next = step > 0 ? next.nextElementSibling : next.previousElementSibling;
      next?.querySelector('.project-card').focus();
    } else if (event.key === 'ArrowDown' || event.key === 'ArrowUp') {
      event.preventDefault();
      (event.key === 'ArrowDown' ? card.nextElementSibling : card.previousElementSibling)?.focus();
    } else if (event.key === 'Enter') {
      card.querySelector('a.card-name')?.click();
    }
  }

  async function startDrag(event, project) {
    event.dataTransfer.setData('text/plain', project.id);
    event.dataTransfer.effectAllowed = 'move';
    const options = transitionsOf(project);
    const drag = {project, options, loaded: false};
    dragged = drag;
    const transitions = await options;
    if (dragged !== drag) return;
    drag.loaded = true;
    for (const column of columns.querySelectorAll('.column')) {
      const ok = transitions.some((option) => option.available && option.to === column.dataset.state);
      column.classList.add(ok ? 'drop-ok' : 'drop-no');
      if (ok) column.title = t('drop_here');
    }
  }

  function endDrag() {
    dragged = null;
    for (const column of columns.querySelectorAll('.drop-ok, .drop-no')) {
      column.classList.remove('drop-ok', 'drop-no');
      column.removeAttribute('title');
    }
  }

  // A change elsewhere loads the columns again (not while a card is being moved).
  let pending = 0;
  const onEvent = () => {
    clearTimeout(pending);
    pending = setTimeout(() => {
      if (!document.querySelector('dialog[open]') && !dragged) load().catch((error) => toast(error.message, 'error'));
    }, 500);
  };
  window.addEventListener('investflow:event', onEvent);
  return () => {
    clearTimeout(pending);
    window.removeEventListener('investflow:event', onEvent);
  };
}

// 只看我的, industry, owner and promoting unit; the choices come with the board's answer.
function filterBar(workflow, board, filters, go) {
  const industryField = workflow.fields.find((field) => field.report === 'industry');
  // Owners and units are people's data (marked so), industries the workflow's labels.
  const choice = (id, label, value, options, user = false) => h('div', {class: 'filter'},
    h('label', {for: id}, label),
    h('select', {id, onchange: (event) => go({[id.replace('board-', '').replace('-', '_')]: event.target.value})},
      h('option', {value: ''}, t('all')),
      options.map(([optionValue, text]) => h('option', {value: optionValue, selected: optionValue === value,
        'data-user': user ? '' : null}, text))));
  const unitField = workflow.fields.find((field) => field.report === 'promoting_unit');
  const owners = [...new Set([...board.owners, filters.owner].filter(Boolean))];
  const units = [...new Set([...board.promoting_units, filters.promoting_unit].filter(Boolean))];
  return h('form', {class: 'filters board-filters', role: 'search', 'aria-label': t('board.filters'),
    onsubmit: (event) => event.preventDefault()},
  h('div', {class: 'filter checkbox'},
    h('input', {id: 'board-mine', type: 'checkbox', checked: !!filters.mine,
      onchange: (event) => go({mine: event.target.checked ? '1' : '', owner: ''})}),
    h('label', {for: 'board-mine'}, t('board.mine'))),
  industryField ? choice('board-industry', pick(industryField.label, t('industry')), filters.industry,
    (industryField.options || []).map((option) => [option, optionLabel(industryField, option)])) : null,
  filters.mine ? null : choice('board-owner', t('owner'), filters.owner, owners.map((id) => [id, id]), true),
  unitField || units.length ? choice('board-promoting-unit', unitField ? pick(unitField.label) : t('board.promoting_unit'),
    filters.promoting_unit, units.map((unit) => [unit, unit]), true) : null,
  kFilters.some((name) => filters[name])
    ? h('button', {type: 'button', class: 'small', id: 'board-clear', onclick: () => go(
      Object.fromEntries(kFilters.map((name) => [name, ''])))}, t('board.clear')) : null);
}

export function defaultWorkflow(list) {
  return (list.find((item) => item.id === 'qingyuan-investment') || list[0])?.id;
}
