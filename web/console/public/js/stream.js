// Live updates over /api/stream (server-sent events): project events and, where the
// server has them, `notification` events carrying the caller's unread count. The browser
// reconnects by itself and resumes with Last-Event-ID.
const kProjectEvents = ['project_created', 'fields_edited', 'transition_taken', 'vote_cast',
  'milestone_recorded', 'followup_recorded', 'deadline_fired', 'deadline_extended',
  'workflow_migrated', 'supervised', 'reassigned', 'file_attached', 'commented'];

let source = null;

export function startStream() {
  if (source) return;
  source = new EventSource('/api/stream');
  const forward = (name) => (message) => {
    let data = {};
    try { data = JSON.parse(message.data); } catch { /* keep {} */ }
    window.dispatchEvent(new CustomEvent(name, {detail: data}));
  };
  for (const type of kProjectEvents) source.addEventListener(type, forward('investflow:event'));
  source.addEventListener('notification', forward('investflow:notification'));
  source.addEventListener('open', () => document.body.classList.add('live'));
  source.addEventListener('error', () => document.body.classList.remove('live'));
}

export function stopStream() {
  if (source) source.close();
  source = null;
}
