// Comments on a project (issue 22): the commented events of its history, and a form whose
// "@" offers colleagues from GET /api/users/directory; the users mentioned are told in
// their inboxes. The owner and the roles that act somewhere in the workflow may comment
// (the server decides); a read-only role sees the comments only.
import {h, userText, toast} from '../dom.js';
import {t, dateTime} from '../i18n.js';
import {get, post} from '../api.js';
import {me} from '../main.js';

let directory = null;  // loaded once per page load
async function users() {
  if (!directory) directory = get('/api/users/directory').then((body) => body.users).catch(() => []);
  return directory;
}

// The ids mentioned as @id in `text` that are known users, each once.
export function mentionsIn(text, known) {
  const ids = new Set(known.map((user) => user.id));
  return [...new Set([...text.matchAll(/@([A-Za-z0-9._-]+)/g)].map((found) => found[1]))]
    .filter((id) => ids.has(id));
}

function mayComment(project, workflow) {
  const user = me();
  if (!user) return false;
  if (user.id === project.owner) return true;
  const acting = new Set(workflow.transitions.flatMap((transition) => transition.roles || []));
  for (const state of workflow.states) if (state.review) acting.add(state.review.voters);
  return user.roles.some((role) => acting.has(role));
}

export function commentsPanel({project, workflow, path, reload}, history) {
  const comments = history.events.filter((event) => event.type === 'commented').reverse();
  const list = comments.length ? h('ul', {class: 'comment-list'}, comments.map((event) => h('li', {},
    h('div', {class: 'muted'}, userText('span', event.actor), ` · ${dateTime(event.at)}`),
    userText('p', event.body.text, {class: 'comment-text'}),
    event.body.mentions?.length ? h('div', {class: 'muted'}, t('comments.mentions'),
      event.body.mentions.map((id) => userText('span', `@${id} `, {class: 'mention'}))) : null)))
    : h('p', {class: 'muted'}, t('comments.none'));
  const section = h('section', {class: 'panel comments'}, h('h2', {}, t('comments.title')), list);
  // A finished project takes no comments (the server refuses them too).
  const terminal = workflow.states.find((state) => state.id === project.state)?.terminal;
  if (terminal || !mayComment(project, workflow)) return section;
  const text = h('textarea', {id: 'comment-text', rows: 3, placeholder: t('comments.placeholder')});
  const suggestions = h('ul', {class: 'mention-suggestions', 'aria-label': t('comments.suggestions')});
  const message = h('p', {class: 'form-message', role: 'alert'});
  const suggest = async () => {
    suggestions.replaceChildren();
    const before = text.value.slice(0, text.selectionStart);
    const typed = before.match(/@([A-Za-z0-9._-]*)$/);
    if (!typed) return;
    const prefix = typed[1].toLowerCase();
    const matches = (await users()).filter((user) => user.id.toLowerCase().startsWith(prefix) ||
      (user.display_name || '').toLowerCase().includes(prefix)).slice(0, 8);
    suggestions.replaceChildren(...matches.map((user) => h('li', {}, h('button', {type: 'button',
      class: 'small mention-option', dataset: {user: user.id}, onclick: () => {
        const start = before.length - typed[0].length;
        text.value = `${text.value.slice(0, start)}@${user.id} ${text.value.slice(before.length)}`;
        suggestions.replaceChildren();
        text.focus();
      }}, userText('span', user.display_name ? `${user.display_name}（${user.id}）` : user.id)))));
  };
  text.addEventListener('input', () => {
    // While a comment is being written the page does not reload under it (project.js).
    form.classList.toggle('editing', text.value.trim() !== '');
    suggest();
  });
  const form = h('form', {class: 'comment-form', onsubmit: async (event) => {
    event.preventDefault();
    if (!text.value.trim()) return;
    try {
      // No version: a comment never conflicts with another change.
      await post(`${path}/comments`, {text: text.value, mentions: mentionsIn(text.value, await users())});
      toast(t('comments.posted'));
      reload();
    } catch (error) {
      message.textContent = error.errors?.map((entry) => entry.message).join('；') || error.message;
    }
  }},
  h('label', {for: 'comment-text', class: 'sr-only'}, t('comments.title')), text, suggestions,
  h('div', {class: 'actions'}, h('button', {type: 'submit', class: 'primary'}, t('comments.submit'))), message);
  section.append(form);
  return section;
}
