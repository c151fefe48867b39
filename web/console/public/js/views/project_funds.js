// The project page's 到位资金 section (issue 16): the ledger's entries, a form to add one
// (a correction is a negative amount with a comment), the cumulative sum and 资金到位率;
// and the workflow's computed values (投资强度, 亩均产值 ...) with their labels.
import {h, userText, toast} from '../dom.js';
import {t, pick, money, dateTime, unit} from '../i18n.js';
import {post} from '../api.js';
import {hasRole} from '../main.js';

export const kFundsSources = ['local', 'other_city', 'other_province', 'abroad'];

function panel(title, ...children) {
  return h('section', {class: 'panel'}, h('h2', {}, title), ...children);
}

function thisMonth() {
  const now = new Date(Date.now() + 8 * 3600 * 1000);  // China time
  return now.toISOString().slice(0, 7);
}

function number(value, digits = 2) {
  return Number(value).toLocaleString('zh-CN', {maximumFractionDigits: digits});
}

// 资金到位率's one definition (docs/reports.md): the ledger's sum over the committed
// investment, else the planned total investment.
export function fundsRate(project, workflow) {
  const tagged = (tag) => workflow.fields.find((field) => field.report === tag);
  const value = (field) => (field ? Number(project.fields?.[field.name]) : NaN);
  const funds = value(tagged('funds_in_place'));
  const committed = value(tagged('committed_investment'));
  const base = committed > 0 ? committed : value(tagged('investment'));
  if (!(funds >= 0) || !(base > 0)) return null;
  return funds / base;
}

export function fundsSection({project, workflow, path, reload}) {
  const field = workflow.fields.find((candidate) => candidate.report === 'funds_in_place');
  if (!field) return null;
  const entries = project.funds || [];
  const total = entries.reduce((sum, entry) => sum + Number(entry.amount), 0);
  const rate = fundsRate(project, workflow);
  const month = h('input', {id: 'funds-month', type: 'month', value: thisMonth(), max: thisMonth(), required: true});
  const amount = h('input', {id: 'funds-amount', type: 'number', step: '0.01', required: true});
  const source = h('select', {id: 'funds-source', required: true},
    kFundsSources.map((id) => h('option', {value: id}, t(`funds.sources.${id}`))));
  const evidence = h('input', {id: 'funds-evidence', type: 'text'});
  const comment = h('input', {id: 'funds-comment', type: 'text'});
  const message = h('p', {class: 'form-message', role: 'alert'});
  const canRecord = !hasRole('auditor') || hasRole('staff', 'manager', 'admin');
  const form = canRecord ? h('form', {class: 'inline-form funds-form', onsubmit: async (event) => {
    event.preventDefault();
    message.textContent = '';
    try {
      await post(`${path}/funds`, {month: month.value, amount: Number(amount.value), source: source.value,
        evidence: evidence.value, comment: comment.value, version: project.version});
      toast(t('funds.recorded'));
      reload();
    } catch (error) {
      message.textContent = error.errors?.map((entry) => entry.message).join('；') || error.message;
    }
  }},
  h('label', {for: 'funds-month'}, t('funds.month')), month,
  h('label', {for: 'funds-amount'}, t('funds.amount_wan')), amount,
  h('label', {for: 'funds-source'}, t('funds.source')), source,
  h('label', {for: 'funds-evidence'}, t('evidence')), evidence,
  h('label', {for: 'funds-comment'}, t('funds.comment')), comment,
  h('button', {type: 'submit'}, t('funds.add')),
  h('p', {class: 'muted'}, t('funds.correction_hint')), message) : null;
  return h('section', {class: 'panel funds-panel', id: 'funds'}, h('h2', {}, t('funds.title')),
    h('p', {class: 'funds-summary'},
      `${t('funds.cumulative')}: `, h('strong', {class: 'funds-total'}, money(Math.round(total * 1e6) / 1e6)),
      ` · ${t('funds.rate')}: `, h('strong', {class: 'funds-rate'}, rate === null ? '—' : `${(rate * 100).toFixed(2)}%`),
      h('span', {class: 'muted'}, ` ${t('funds.rate_definition')}`)),
    entries.length ? h('table', {class: 'table compact funds-entries'},
      h('thead', {}, h('tr', {}, [t('funds.month'), t('funds.amount_wan'), t('funds.source'),
        t('evidence'), t('funds.comment'), t('actor'), t('time')].map((label) => h('th', {}, label)))),
      h('tbody', {}, [...entries].reverse().map((entry) => h('tr', {class: Number(entry.amount) < 0 ? 'correction' : ''},
        h('td', {}, entry.month), h('td', {class: 'num'}, number(entry.amount)),
        h('td', {}, t(`funds.sources.${entry.source}`)), h('td', {}, userText('span', entry.evidence)),
        h('td', {}, userText('span', entry.comment)), h('td', {}, userText('span', entry.actor)),
        h('td', {}, dateTime(entry.at))))))
      : h('p', {class: 'muted'}, t('funds.none')),
    form);
}

// The workflow's computed values that have a value, with their labels (the labels carry
// the units: 投资强度（万元/亩）).
export function computedSection({project, workflow}) {
  const computed = project.computed || {};
  // Numbers only: a computed text is often an internal key (a threshold class, a stage id).
  const shown = (workflow.computed || []).filter((item) => typeof computed[item.name] === 'number');
  if (!shown.length) return null;
  return panel(t('funds.computed'),
    h('dl', {class: 'field-list computed-values'}, shown.map((item) => [
      // English labels from the workflow carry Chinese units (万元, 亩): rendered as units.
      h('dt', {}, unit(pick(item.label, t('funds.computed')))),
      h('dd', {dataset: {computed: item.name}}, number(computed[item.name], 4))])));
}
