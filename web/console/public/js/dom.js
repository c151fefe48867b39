// DOM helpers. Every piece of text goes in through textContent (never innerHTML), so a
// project named <img src=x onerror=alert(1)> is shown as text.
import {kTimeZone} from './i18n.js';

// h('div', {class: 'x', onclick: fn, dataset: {a: 1}}, child, 'text', [more])
export function h(tag, attributes = {}, ...children) {
  const element = document.createElement(tag);
  for (const [name, value] of Object.entries(attributes || {})) {
    if (value === undefined || value === null || value === false) continue;
    if (name.startsWith('on') && typeof value === 'function') {
      element.addEventListener(name.slice(2), value);
    } else if (name === 'dataset') {
      Object.assign(element.dataset, value);
    } else if (name === 'text') {
      element.textContent = String(value);
    } else if (name in element && typeof value !== 'string') {
      element[name] = value;
    } else {
      element.setAttribute(name, value === true ? '' : String(value));
    }
  }
  append(element, children);
  return element;
}

export function append(element, children) {
  for (const child of children.flat(Infinity)) {
    if (child === undefined || child === null || child === false) continue;
    element.append(child instanceof Node ? child : document.createTextNode(String(child)));
  }
  return element;
}

// User data (names, comments): marked so the language test can tell it from labels.
export function userText(tag, text, attributes = {}) {
  return h(tag, {...attributes, 'data-user': ''}, text ?? '');
}

export function clear(element) {
  element.replaceChildren();
  return element;
}

export function svg(tag, attributes = {}, ...children) {
  const element = document.createElementNS('http://www.w3.org/2000/svg', tag);
  for (const [name, value] of Object.entries(attributes)) {
    if (value !== undefined && value !== null) element.setAttribute(name, String(value));
  }
  for (const child of children.flat()) {
    if (child === null || child === undefined) continue;
    element.append(child instanceof Node ? child : document.createTextNode(String(child)));
  }
  return element;
}

let toastTimer = 0;
export function toast(message, kind = 'info') {
  const box = document.getElementById('toast');
  box.textContent = message;
  box.dataset.kind = kind;
  box.classList.add('shown');
  clearTimeout(toastTimer);
  toastTimer = setTimeout(() => box.classList.remove('shown'), 4000);
}

// Today in China ("YYYY-MM-DD"), whatever the browser's zone: deadlines are China's days.
export function today() {
  const parts = new Intl.DateTimeFormat('en', {timeZone: kTimeZone, year: 'numeric', month: '2-digit',
    day: '2-digit'}).formatToParts(new Date());
  const part = (type) => parts.find((entry) => entry.type === type).value;
  return `${part('year')}-${part('month')}-${part('day')}`;
}

export function addDays(isoDate, days) {
  const date = new Date(`${isoDate}T00:00:00Z`);
  date.setUTCDate(date.getUTCDate() + days);
  return date.toISOString().slice(0, 10);
}

// 'red' when a date is past, 'yellow' when it falls within the next three days.
export function deadlineColour(due) {
  if (!due) return '';
  const now = today();
  if (due < now) return 'red';
  if (due <= addDays(now, 3)) return 'yellow';
  return '';
}
