// Pipeline board: one column per active stage of a workflow; cards carry the deadline
// marker; a card's transition (button or drag to a column it may go to) opens the same
// form as the project page.
import {h, clear, toast} from '../dom.js';
import {t, pick, money} from '../i18n.js';
import {get, optional, query, workflow as loadWorkflow, workflows as loadWorkflows} from '../api.js';
import {projectCard} from '../project_card.js';
import {openTransitionForm} from '../transition_form.js';
import {chooseTransition} from '../transition_menu.js';
import {hasRole} from '../main.js';

const kCardsPerColumn = 30;

export async function render(view, {params}, {navigate, hashWith}) {
  const list = await loadWorkflows();
  const workflowId = params.get('workflow') || defaultWorkflow(list);
  const workflow = await loadWorkflow(workflowId);
  const select = h('select', {id: 'board-workflow', onchange: (event) =>
    navigate(hashWith('/board', {workflow: event.target.value}))},
  list.map((item) => h('option', {value: item.id, selected: item.id === workflowId}, pick(item.title, item.id))));
  const columns = h('div', {class: 'board', role: 'list'});
  view.append(h('div', {class: 'view-head'}, h('h1', {}, t('nav_board')),
    h('div', {class: 'inline-field'}, h('label', {for: 'board-workflow'}, t('board_workflow')), select)),
  columns);

  const stages = workflow.states.filter((state) => !state.terminal);
  let dragged = null;  // {project, options}

  const act = async (project) => {
    const option = await chooseTransition(project, workflow);
    if (option && await openTransitionForm(project, workflow, option)) load();
  };

  async function load() {
    const [pipeline, ...pages] = await Promise.all([
      // Column totals over every project come from the pipeline report (for the roles
      // that may read reports); otherwise a column counts the cards it loaded.
      hasRole('manager', 'leader', 'admin')
        ? optional(`/api/reports/pipeline${query({workflow: workflowId})}`).catch(() => null) : null,
      ...stages.map((state) => get(`/api/projects${query({workflow: workflowId, state: state.id,
        limit: kCardsPerColumn, sort: '-updated'})}`)),
    ]);
    const totals = new Map((pipeline?.stages || []).map((stage) => [stage.state, stage]));
    clear(columns);
    stages.forEach((state, index) => {
      const page = pages[index];
      const total = totals.get(state.id);
      const count = total ? total.count : page.projects.length;
      const more = total ? total.count - page.projects.length : (page.next_cursor ? 1 : 0);
      const column = h('section', {class: 'column', role: 'listitem', dataset: {state: state.id},
        'aria-label': pick(state.label, state.id)},
      h('header', {class: 'column-head'},
        h('h2', {}, pick(state.label, state.id)),
        h('div', {class: 'column-stats'},
          h('span', {class: 'column-count', title: t('count')}, total || !page.next_cursor ? String(count) : `${count}+`),
          total ? h('span', {class: 'column-total', title: t('total_investment')}, money(total.investment_wan)) : null)),
      h('div', {class: 'cards'}, page.projects.map((project) => {
        const card = projectCard(project, workflow, {onAct: act});
        card.addEventListener('dragstart', (event) => startDrag(event, project));
        card.addEventListener('dragend', endDrag);
        return card;
      })),
      more > 0 ? h('a', {class: 'more', href: hashWith('/projects', {workflow: workflowId, state: state.id})},
        total ? t('cards_more', {n: more}) : t('open')) : null);
      // While the card's transitions are still loading every column accepts the drop; the
      // drop then waits for them and takes only a transition the engine allows.
      column.addEventListener('dragover', (event) => {
        if (dragged && (!dragged.loaded || column.classList.contains('drop-ok'))) event.preventDefault();
      });
      column.addEventListener('drop', async (event) => {
        event.preventDefault();
        if (!dragged) return;
        const {project, options} = dragged;
        endDrag();
        const option = (await options).find((candidate) => candidate.to === state.id && candidate.available);
        if (option) {
          if (await openTransitionForm(project, workflow, option)) load();
        } else if (project.state !== state.id) {
          toast(`${t('blocked')}: ${pick(state.label, state.id)}`, 'error');
        }
      });
      columns.append(column);
    });
  }

  async function startDrag(event, project) {
    event.dataTransfer.setData('text/plain', project.id);
    event.dataTransfer.effectAllowed = 'move';
    const options = get(`/api/projects/${encodeURIComponent(project.id)}/transitions`)
      .then((body) => body.transitions).catch(() => []);
    const drag = {project, options, loaded: false};
    dragged = drag;
    const transitions = await options;
    if (dragged !== drag) return;
    drag.loaded = true;
    for (const option of transitions) {
      if (!option.available) continue;
      const column = columns.querySelector(`[data-state="${CSS.escape(option.to)}"]`);
      if (column) {
        column.classList.add('drop-ok');
        column.title = t('drop_here');
      }
    }
  }

  function endDrag() {
    dragged = null;
    for (const column of columns.querySelectorAll('.drop-ok')) {
      column.classList.remove('drop-ok');
      column.removeAttribute('title');
    }
  }

  await load();
  let pending = 0;
  const onEvent = () => {
    clearTimeout(pending);
    pending = setTimeout(() => load().catch((error) => toast(error.message, 'error')), 500);
  };
  window.addEventListener('investflow:event', onEvent);
  return () => {
    clearTimeout(pending);
    window.removeEventListener('investflow:event', onEvent);
  };
}

export function defaultWorkflow(list) {
  return (list.find((item) => item.id === 'qingyuan-investment') || list[0])?.id;
}
