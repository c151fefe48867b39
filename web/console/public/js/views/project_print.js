// The project page as a dossier (项目档案/审批表, issue 22 item 11) for the browser's
// "print to PDF": a head with the project's particulars, the review record (every vote with
// its opinion, and each review's outcome) and lines to sign, shown only in print; the print
// stylesheet (css/app.css, @media print) hides the controls. Before printing (the 打印档案
// button, or the browser's own print) every folded section is opened.
import {h, userText} from '../dom.js';
import {t, pick, dateTime} from '../i18n.js';

function openEverything(root = document) {
  for (const details of root.querySelectorAll('#view details')) details.open = true;
  for (const stamp of root.querySelectorAll('.dossier-printed-at')) stamp.textContent = dateTime(new Date().toISOString());
}
window.addEventListener('beforeprint', () => openEverything());

export function printButton() {
  return h('button', {type: 'button', id: 'print-dossier', class: 'no-print', onclick: () => {
    openEverything();
    window.print();
  }}, t('dossier.print'));
}

export function dossierHead({project, workflow}) {
  const state = workflow.states.find((candidate) => candidate.id === project.state);
  const item = (label, value) => [h('dt', {}, label), h('dd', {}, value)];
  return h('header', {class: 'print-only dossier-head'},
    h('p', {class: 'dossier-kind'}, `${pick(workflow.title, '')} · ${t('dossier.title')}`),
    h('dl', {class: 'dossier-facts'},
      item(t('dossier.id'), userText('span', project.id)),
      item(t('dossier.state'), pick(state?.label, project.state)),
      item(t('dossier.owner'), userText('span', project.owner)),
      item(t('dossier.printed_at'), h('span', {class: 'dossier-printed-at'}, dateTime(new Date().toISOString())))));
}

// Every vote in the history, with the stage it was cast in, and the transitions out of a
// review stage (the outcomes), oldest first.
export function reviewRecord({workflow}, history) {
  const reviewStates = new Set(workflow.states.filter((state) => state.review).map((state) => state.id));
  const stateLabel = (id) => pick(workflow.states.find((state) => state.id === id)?.label, id);
  const transitionLabel = (id) => pick(workflow.transitions.find((item) => item.id === id)?.label, id);
  let stage = workflow.initial;
  const rows = [];
  for (const event of history.events) {
    const body = event.body || {};
    if (event.type === 'vote_cast') {
      rows.push(h('tr', {class: 'dossier-vote'}, h('td', {}, stateLabel(stage)), h('td', {}, userText('span', body.voter || event.actor)),
        h('td', {}, t(body.choice)), h('td', {}, userText('span', body.comment || '')), h('td', {}, dateTime(event.at))));
    } else if (event.type === 'transition_taken') {
      if (reviewStates.has(body.from)) {
        rows.push(h('tr', {class: 'dossier-outcome'}, h('td', {}, stateLabel(body.from)),
          h('td', {}, userText('span', event.actor)),
          h('td', {}, `${t('dossier.closed')}：${transitionLabel(body.transition)}`),
          h('td', {}, userText('span', body.comment || '')), h('td', {}, dateTime(event.at))));
      }
      stage = body.to;
    }
  }
  return h('section', {class: 'panel print-only dossier-review'},
    h('h2', {}, t('dossier.review_record')),
    rows.length ? h('table', {class: 'table compact'},
      h('thead', {}, h('tr', {}, [t('stage'), t('dossier.voter'), t('dossier.choice'), t('dossier.opinion'),
        t('dossier.at')].map((label) => h('th', {scope: 'col'}, label)))),
      h('tbody', {}, rows)) : h('p', {class: 'muted'}, t('dossier.no_votes')));
}

export function dossierFoot() {
  return h('footer', {class: 'print-only dossier-foot'},
    h('p', {}, t('dossier.sign'), h('span', {class: 'sign-line'}), t('dossier.date'), h('span', {class: 'sign-line short'})),
    h('p', {}, t('dossier.sign_leader'), h('span', {class: 'sign-line'}), t('dossier.date'),
      h('span', {class: 'sign-line short'})));
}
