// One project: fields by group (editable), transitions (allowed, and blocked with the
// engine's reasons), the review panel, milestones, follow-up visits and the history with
// its hash-chain status.
import {h, userText, clear, toast, deadlineColour, today} from '../dom.js';
import {t, pick, dateTime} from '../i18n.js';
import {get, patch, post, workflow as loadWorkflow} from '../api.js';
import {fieldInput, fieldLabel, displayValue, showErrors} from '../fields.js';
import {openTransitionForm} from '../transition_form.js';
import {transitionList} from '../transition_menu.js';
import {deadlineMarker} from '../project_card.js';
import {me, hasRole} from '../main.js';
import {fundsSection, computedSection} from './project_funds.js';
import {problemsPanel} from './project_problems.js';  // problems (issue 17)
import {lightBadge, levelBadge, supervisionButtons, historyDetail} from './supervise.js';
import {attachmentsPanel, evidencePicker, evidenceText} from './project_attachments.js';
import {commentsPanel} from './project_comments.js';  // comments with @mentions (issue 22)

export async function render(view, {match}) {
  const id = decodeURIComponent(match[1]);
  const path = `/api/projects/${encodeURIComponent(id)}`;

  async function load() {
    const project = await get(path);
    const [workflow, options, history] = await Promise.all([
      loadWorkflow(project.workflow), get(`${path}/transitions`), get(`${path}/history`)]);
    const state = workflow.states.find((candidate) => candidate.id === project.state);
    const context = {project, workflow, path, reload: load};
    clear(view).append(
      h('div', {class: 'view-head'},
        h('div', {},
          h('p', {class: 'breadcrumb'}, h('a', {href: '#/projects'}, t('nav_projects')), ' / ',
            h('span', {}, pick(workflow.title, workflow.id))),
          userText('h1', project.fields?.name || project.id, {class: 'project-title'}),
          h('p', {class: 'project-sub'},
            h('span', {class: 'stage-pill', dataset: {state: project.state}}, pick(state?.label, project.state)),
            ' ', deadlineMarker(project),
            project.sla_due_on ? h('span', {class: 'muted'}, ` ${t('sla_due')}: ${project.sla_due_on}`,
              estimatedMark(project.sla_due_estimated)) : null,
            h('span', {class: 'muted'}, ` · ${t('owner')}: `), userText('span', project.owner),
            h('span', {class: 'muted'}, ` · ${t('version')} ${project.version}`)),
          // issue 17: light, supervision level, 督办 / 转交
          h('p', {class: 'project-desk'}, lightBadge(project), ' ', levelBadge(project, workflow), ' ',
            supervisionButtons(project, workflow, load)))),
      h('div', {class: 'project-layout'},
        h('div', {class: 'project-main'},
          fieldsPanel(context),
          computedSection(context), fundsSection(context),
          milestonesPanel(context),
          followupsPanel(context),
          problemsPanel(context),
          attachmentsPanel(context)),
        h('div', {class: 'project-side'},
          transitionsPanel(context, options),
          reviewPanel(context, state),
          commentsPanel(context, history),
          historyPanel(context, history))));
  }

  await load();
  const onEvent = (event) => {
    if (event.detail.project_id === id && !document.querySelector('dialog[open], .editing')) load();
  };
  window.addEventListener('investflow:event', onEvent);
  return () => window.removeEventListener('investflow:event', onEvent);
}

function panel(title, ...children) {
  return h('section', {class: 'panel'}, h('h2', {}, title), ...children);
}

function transitionsPanel({project, workflow, reload}, options) {
  return panel(t('transitions'), transitionList(options.transitions, async (option) => {
    if (await openTransitionForm(project, workflow, option)) reload();
  }));
}

function fieldsPanel(context) {
  const {project, workflow} = context;
  const groups = new Map();
  for (const field of workflow.fields) {
    const group = field.group || 'other';
    if (!groups.has(group)) groups.set(group, []);
    groups.get(group).push(field);
  }
  return panel(t('fields'), [...groups].map(([group, fields]) => {
    const filled = fields.filter((field) => project.fields?.[field.name] !== undefined);
    return fieldGroup(context, group, fields, filled.length === 0);
  }));
}

function fieldGroup(context, group, fields, collapsed) {
  const {project, path, reload} = context;
  const body = h('div', {class: 'group-body'});
  const readOnly = () => clear(body).append(h('dl', {class: 'field-list'}, fields.map((field) => [
    h('dt', {}, fieldLabel(field)), h('dd', {}, displayValue(field, project.fields?.[field.name]))])));
  const edit = () => {
    const inputs = fields.map((field) => fieldInput(field, project.fields?.[field.name]));
    const general = h('ul', {class: 'reasons', role: 'alert'});
    const form = h('form', {class: 'group-form editing', onsubmit: async (event) => {
      event.preventDefault();
      const changes = {};
      for (const entry of inputs) {
        const value = entry.read();
        const before = project.fields?.[entry.field.name];
        if (value !== undefined && JSON.stringify(value) !== JSON.stringify(before)) {
          changes[entry.field.name] = value;
        }
      }
      if (!Object.keys(changes).length) return readOnly();
      try {
        await patch(path, {fields: changes}, {'If-Match': `"${project.version}"`});
        toast(t('saved'));
        reload();
      } catch (error) {
        showErrors(inputs, general, error.errors?.length ? error.errors : [{message: error.message}]);
      }
    }},
    inputs.map((entry) => entry.element), general,
    h('div', {class: 'actions'}, h('button', {type: 'button', onclick: readOnly}, t('cancel')),
      h('button', {type: 'submit', class: 'primary'}, t('save'))));
    clear(body).append(form);
    inputs[0]?.input.focus();
  };
  readOnly();
  const canEdit = !hasRole('auditor') || me().roles.length > 1;
  const details = h('details', {class: 'field-group', open: !collapsed, dataset: {group}},
    h('summary', {}, h('span', {class: 'group-title'}, t(`groups.${group}`))),
    canEdit ? h('button', {type: 'button', class: 'small edit-group', onclick: () => { details.open = true; edit(); }},
      `${t('edit')}`, h('span', {class: 'sr-only'}, ` ${t(`groups.${group}`)}`)) : null,
    body);
  return details;
}

// Reviews that closed (issue 22): their ballots, tally and decision stay visible.
function closedReviews({project, workflow}) {
  const reviews = project.closed_reviews || [];
  if (!reviews.length) return null;
  const stateLabel = (id) => pick(workflow.states.find((state) => state.id === id)?.label, id);
  const transitionLabel = (id) => pick(workflow.transitions.find((item) => item.id === id)?.label, id);
  return h('div', {class: 'closed-reviews'}, h('h3', {}, t('committee.closed')),
    [...reviews].reverse().map((review) => {
      const count = (choice) => review.votes.filter((vote) => vote.choice === choice).length;
      return h('div', {class: 'closed-review', dataset: {state: review.state}},
        h('p', {}, h('strong', {}, stateLabel(review.state)), ' · ', `${t('committee.closed_at')} ${dateTime(review.closed_at)}`),
        h('p', {class: 'review-decision'}, `${t('committee.decision')}: `,
          h('strong', {}, `${transitionLabel(review.transition)} → ${stateLabel(review.to)}`)),
        h('p', {class: 'review-tally'}, ['approve', 'reject', 'abstain', 'recuse']
          .map((choice) => `${t(choice)} ${count(choice)}`).join(' · ')),
        votesTable(review.votes));
    }));
}

function votesTable(votes) {
  return h('table', {class: 'table compact'}, h('thead', {}, h('tr', {}, h('th', {}, t('actor')), h('th', {}, t('vote')),
    h('th', {}, t('comment')))),
  h('tbody', {}, votes.map((entry) => h('tr', {}, h('td', {}, userText('span', entry.voter)),
    h('td', {}, t(entry.choice)), h('td', {}, userText('span', entry.comment))))));
}

function reviewPanel(context, state) {
  const {project, path, reload} = context;
  if (!state?.review) {
    return panel(t('review'), h('p', {class: 'muted'}, t('no_review')), closedReviews(context));
  }
  const votes = project.votes || [];
  const mine = votes.find((vote) => vote.voter === me().id);
  const approvals = votes.filter((vote) => vote.choice === 'approve').length;
  // A recusal (回避) is no vote; a fractional quorum is shown as the fraction of the panel.
  // A blind review hides the others' ballots until one has voted (votes_hidden counts them).
  const hidden = project.votes_hidden || 0;
  const cast = votes.filter((vote) => vote.choice !== 'recuse').length + hidden;
  const quorum = state.review.quorum_fraction || state.review.quorum;
  const comment = h('textarea', {id: 'vote-comment', rows: 2}, mine?.comment || '');
  const message = h('p', {class: 'form-message', role: 'alert'});
  const vote = (choice) => async () => {
    try {
      await post(`${path}/votes`, {choice, comment: comment.value, version: project.version});
      toast(t('voted'));
      reload();
    } catch (error) {
      message.textContent = error.errors?.map((entry) => entry.message).join('；') || error.message;
    }
  };
  const canVote = hasRole(state.review.voters);
  return panel(t('review'),
    state.review.blind ? h('p', {class: 'muted review-blind'}, t('committee.blind')) : null,
    h('p', {class: 'review-stats'}, `${t('votes_cast')}: `, h('strong', {class: 'vote-count'}, String(cast)),
      ` / ${t('quorum')}: ${quorum}`, hidden ? '' : ` · ${t('approve')}: ${approvals}`),
    hidden ? h('p', {class: 'blind-hidden', role: 'status'}, t('committee.blind_hidden', {n: hidden})) : null,
    votesTable(votes),
    canVote ? h('div', {class: 'vote-form'},
      mine ? h('p', {}, `${t('my_vote')}: `, h('strong', {}, t(mine.choice))) : null,
      h('label', {for: 'vote-comment'}, t('comment')), comment,
      h('div', {class: 'actions'},
        ['approve', 'reject', 'abstain', 'recuse'].map((choice) => h('button', {type: 'button',
          class: choice === 'approve' ? 'primary vote-button' : 'vote-button', dataset: {choice},
          onclick: vote(choice)}, mine ? `${t('change_vote')}: ${t(choice)}` : t(choice)))),
      message) : null,
    closedReviews(context));
}

// A deadline counted past the calendar's official data: shown as an estimate.
function estimatedMark(estimated) {
  return estimated ? h('span', {class: 'estimated', title: t('estimated_hint')}, t('estimated')) : null;
}

function milestonesPanel({project, path, reload}) {
  const milestones = Object.values(project.milestones || {});
  const rows = milestones.map((milestone) => {
    const colour = milestone.done_on ? '' : deadlineColour(milestone.due_on);
    return h('tr', {class: colour ? `row-${colour}` : ''},
      h('td', {}, milestone.id), h('td', {}, milestone.planned_on || '—'),
      h('td', {}, milestone.due_on || '—', estimatedMark(milestone.estimated),
        colour ? h('span', {class: `deadline deadline-${colour}`},
        colour === 'red' ? t('overdue') : t('due')) : null),
      h('td', {}, milestone.done_on || '—'), h('td', {}, evidenceText(project, milestone.evidence)));
  });
  const select = h('select', {id: 'milestone-id'}, milestones.map((milestone) =>
    h('option', {value: milestone.id}, milestone.id)));
  const planned = h('input', {id: 'milestone-planned', type: 'date'});
  const done = h('input', {id: 'milestone-done', type: 'date'});
  const evidence = h('input', {id: 'milestone-evidence', type: 'text'});
  const message = h('p', {class: 'form-message', role: 'alert'});
  const form = milestones.length ? h('form', {class: 'inline-form', onsubmit: async (event) => {
    event.preventDefault();
    try {
      await post(`${path}/milestones`, {milestone: select.value, planned_on: planned.value || null,
        done_on: done.value || null, evidence: evidence.value, version: project.version});
      toast(t('saved'));
      reload();
    } catch (error) {
      message.textContent = error.errors?.map((entry) => entry.message).join('；') || error.message;
    }
  }},
  h('label', {for: 'milestone-id'}, t('milestone')), select,
  h('label', {for: 'milestone-planned'}, t('planned_on')), planned,
  h('label', {for: 'milestone-done'}, t('done_on')), done,
  h('label', {for: 'milestone-evidence'}, t('evidence')), evidence, evidencePicker(project, evidence),
  h('button', {type: 'submit'}, t('record')), message) : null;
  return panel(t('milestones'), milestones.length ? h('table', {class: 'table'},
    h('thead', {}, h('tr', {}, [t('milestone'), t('planned_on'), t('due_on'), t('done_on'), t('evidence')]
      .map((label) => h('th', {}, label)))), h('tbody', {}, rows)) : h('p', {class: 'muted'}, t('no_milestones')),
  form);
}

function followupsPanel({project, path, reload}) {
  const visits = project.visits || [];
  const on = h('input', {id: 'visit-on', type: 'date', value: today(), required: true});
  const summary = h('input', {id: 'visit-summary', type: 'text', required: true});
  const issues = h('textarea', {id: 'visit-issues', rows: 2});
  const message = h('p', {class: 'form-message', role: 'alert'});
  const form = h('form', {class: 'inline-form', onsubmit: async (event) => {
    event.preventDefault();
    try {
      await post(`${path}/followups`, {on: on.value, summary: summary.value, version: project.version,
        issues: issues.value.split('\n').map((line) => line.trim()).filter(Boolean)});
      toast(t('saved'));
      reload();
    } catch (error) {
      message.textContent = error.errors?.map((entry) => entry.message).join('；') || error.message;
    }
  }},
  h('label', {for: 'visit-on'}, t('visit_on')), on,
  h('label', {for: 'visit-summary'}, t('summary')), summary,
  h('label', {for: 'visit-issues'}, t('issues')), issues,
  h('button', {type: 'submit'}, t('add_followup')), message);
  return panel(t('followups'),
    project.followup_due_on ? h('p', {class: deadlineColour(project.followup_due_on) ? 'warn' : 'muted'},
      `${t('followup_due')}: ${project.followup_due_on}`, estimatedMark(project.followup_due_estimated)) : null,
    visits.length ? h('ul', {class: 'visits'}, [...visits].reverse().map((visit) => h('li', {},
      h('strong', {}, visit.on), ' ', userText('span', visit.actor, {class: 'muted'}), ' ',
      userText('span', visit.summary),
      visit.issues?.length ? userText('div', visit.issues.join('；'), {class: 'issues'}) : null)))
      : h('p', {class: 'muted'}, t('no_followups')),
    form);
}

const kEventLabels = {project_created: 'created', fields_edited: 'edited', transition_taken: 'transition_event',
  vote_cast: 'voted_event', milestone_recorded: 'milestone_event', followup_recorded: 'followup_event',
  funds_recorded: 'funds.event',
  file_attached: 'attach.attached_event', commented: 'comments.event'};

function historyPanel({workflow}, history) {
  const stateLabel = (id) => pick(workflow.states.find((state) => state.id === id)?.label, id);
  const transitionLabel = (id) => pick(workflow.transitions.find((item) => item.id === id)?.label, id);
  const fieldsByName = new Map(workflow.fields.map((field) => [field.name, field]));
  return panel(t('history'),
    h('p', {class: history.chain_ok ? 'chain chain-ok' : 'chain chain-broken', role: 'status'},
      history.chain_ok ? `✔ ${t('chain_ok')}` : `✖ ${t('chain_broken')}`),
    h('ol', {class: 'timeline'}, [...history.events].reverse().map((event) => {
      const body = event.body || {};
      const what = event.type === 'transition_taken'
        ? `${transitionLabel(body.transition)}: ${stateLabel(body.from)} → ${stateLabel(body.to)}`
        : t(kEventLabels[event.type] || event.type);
      const changes = body.changes || [];
      return h('li', {},
        h('div', {class: 'timeline-head'}, h('strong', {}, what)),
        h('div', {class: 'muted'}, userText('span', event.actor), ` · ${dateTime(event.at)}`),
        body.choice ? h('div', {}, t(body.choice)) : null,
        body.comment ? userText('blockquote', body.comment) : null,
        historyDetail(event, workflow),  // issue 17: 督办 / 转交
        event.type === 'file_attached' ? userText('div', body.filename) : null,
        event.type === 'commented' ? userText('blockquote', body.text) : null,
        body.quorum_reached ? h('div', {class: 'muted'}, t('committee.quorum_event')) : null,
        changes.length ? h('ul', {class: 'changes'}, changes.map((change) => {
          const field = fieldsByName.get(change.field);
          return h('li', {}, `${fieldLabel(field) || change.field}: `,
            displayValue(field, change.before), ' → ', displayValue(field, change.after));
        })) : null);
    })));
}
