// Workflow fields: how a value reads, and an input for editing it (typed by the field).
import {h, userText} from './dom.js';
import {t, pick, money, unit} from './i18n.js';

export function fieldLabel(field) {
  return field ? pick(field.label, field.name) : '';
}

export function optionLabel(field, option) {
  if (option === null || option === undefined || option === '') return '';
  return pick(field?.option_labels?.[option], option);
}

// Values arrive in the shapes clients send (a date is "YYYY-MM-DD", a list an array).
// A read-only rendering; text typed by people is marked as user data.
export function displayValue(field, value) {
  if (value === null || value === undefined || value === '') return h('span', {class: 'muted'}, t('unset'));
  switch (field?.type) {
    case 'money': return h('span', {}, money(value));
    case 'bool': return h('span', {}, value ? t('yes') : t('no'));
    case 'enum': return h('span', {}, optionLabel(field, value));
    case 'number': case 'area':
      return h('span', {}, `${Number(value).toLocaleString()} ${unit(field.unit)}`.trim());
    case 'list': return userText('span', Array.isArray(value) ? value.join('、') : String(value));
    default: return userText('span', String(value));
  }
}

let inputCounter = 0;

// {element, input, read()}: read() is undefined when left empty.
export function fieldInput(field, value, {required = false} = {}) {
  const id = `field-${field.name}-${++inputCounter}`;
  let input;
  switch (field.type) {
    case 'bool':
      input = h('select', {id, name: field.name},
        h('option', {value: ''}, t('unset')),
        h('option', {value: 'true', selected: value === true}, t('yes')),
        h('option', {value: 'false', selected: value === false}, t('no')));
      break;
    case 'enum':
      input = h('select', {id, name: field.name},
        h('option', {value: ''}, t('select')),
        (field.options || []).map((option) =>
          h('option', {value: option, selected: value === option}, optionLabel(field, option))));
      break;
    case 'number': case 'money': case 'area':
      input = h('input', {id, name: field.name, type: 'number', step: 'any', inputmode: 'decimal',
        min: field.min ?? undefined, max: field.max ?? undefined, value: value ?? ''});
      break;
    case 'date':
      input = h('input', {id, name: field.name, type: 'date', value: value ?? ''});
      break;
    case 'list':
      input = h('textarea', {id, name: field.name, rows: 2},
        Array.isArray(value) ? value.join('\n') : '');
      break;
    default:
      input = h('input', {id, name: field.name, type: 'text', maxlength: field.max ?? undefined,
        value: value ?? ''});
  }
  if (required) input.required = true;
  const suffix = field.unit ? h('span', {class: 'unit'}, unit(field.unit)) : null;
  const help = pick(field.help);
  const element = h('div', {class: 'form-row', dataset: {field: field.name}},
    h('label', {for: id}, fieldLabel(field), required ? ' *' : ''),
    h('div', {class: 'input-with-unit'}, input, suffix),
    help ? h('small', {class: 'help'}, help) : null,
    h('div', {class: 'field-error', role: 'alert'}));
  const read = () => {
    const text = input.value.trim();
    if (text === '') return undefined;
    switch (field.type) {
      case 'bool': return text === 'true';
      case 'number': case 'money': case 'area': return Number(text);
      case 'list': return text.split('\n').map((line) => line.trim()).filter(Boolean);
      default: return text;
    }
  };
  return {element, input, read, field};
}

// Shows each {field, message} under its input; the rest in `general`.
export function showErrors(inputs, general, errors) {
  for (const entry of inputs) entry.element.querySelector('.field-error').textContent = '';
  general.replaceChildren();
  for (const error of errors) {
    const entry = inputs.find((candidate) => candidate.field.name === error.field);
    if (entry) {
      const box = entry.element.querySelector('.field-error');
      box.textContent = [box.textContent, error.message].filter(Boolean).join('；');
    } else {
      general.append(h('li', {class: 'reason'}, error.message || t('failed')));
    }
  }
}

// What the engine will refuse, said before asking it (issue 22 item 1): an empty required
// input, a number outside the field's min and max, text longer than its max. Shows each
// problem under its input; true when there is one.
export function checkInputs(inputs, general) {
  showErrors(inputs, general, []);
  let invalid = false;
  for (const entry of inputs) {
    const {field, input} = entry;
    const value = entry.read();
    let message = '';
    if (value === undefined) {
      if (input.required) message = t('step.required');
    } else if (['number', 'money', 'area'].includes(field.type)) {
      if (!Number.isFinite(value)) message = t('step.not_a_number');
      else if (field.min !== undefined && field.min !== null && value < field.min) message = t('step.below_min', {min: field.min});
      else if (field.max !== undefined && field.max !== null && value > field.max) message = t('step.above_max', {max: field.max});
    } else if (field.type === 'text' && field.max && String(value).length > field.max) {
      message = t('step.too_long', {max: field.max});
    }
    if (message) {
      entry.element.querySelector('.field-error').textContent = message;
      invalid = true;
    }
  }
  return invalid;
}
