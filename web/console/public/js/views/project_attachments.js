// The project page's 附件 (attachments) panel: drag and drop (or choose) files, each
// uploaded with a progress bar (XMLHttpRequest upload progress), the list with images and
// PDFs opening in a new tab; and the milestone form's picker of an attachment as evidence.
import {h, userText, toast} from '../dom.js';
import {t, lang, dateTime} from '../i18n.js';

const kShownInline = ['application/pdf', 'image/jpeg', 'image/png'];
const kTypeNames = {
  'application/pdf': 'PDF', 'image/jpeg': 'JPEG', 'image/png': 'PNG', 'application/ofd': 'OFD',
  'application/vnd.openxmlformats-officedocument.wordprocessingml.document': 'DOCX',
  'application/vnd.openxmlformats-officedocument.spreadsheetml.sheet': 'XLSX',
  'application/zip': 'ZIP'};

function sizeText(bytes) {
  if (bytes < 1024) return `${bytes} B`;
  if (bytes < 1024 * 1024) return `${(bytes / 1024).toFixed(1)} KiB`;
  return `${(bytes / 1024 / 1024).toFixed(1)} MiB`;
}

function fileUrl(project, attachment, inline) {
  const query = new URLSearchParams({project: project.id});
  if (inline) query.set('inline', 'true');
  return `/api/attachments/${attachment.id}?${query}`;
}

// One file: POST as the raw body, progress reported as it goes (optionally as the evidence
// for a milestone). Resolves with the attachment, rejects with the server's message.
export function uploadFile(path, file, onProgress, milestone = '') {
  return new Promise((resolve, reject) => {
    const request = new XMLHttpRequest();
    const query = new URLSearchParams({filename: file.name});
    if (milestone) query.set('milestone', milestone);
    request.open('POST', `${path}/attachments?${query}`);
    request.setRequestHeader('X-CSRF-Token', sessionStorage.getItem('investflow.csrf') || '');
    request.setRequestHeader('Accept-Language', lang());
    request.setRequestHeader('Content-Type', file.type || 'application/octet-stream');
    request.upload.addEventListener('progress', (event) => {
      if (event.lengthComputable) onProgress(event.loaded / event.total);
    });
    request.addEventListener('load', () => {
      let body = null;
      try { body = JSON.parse(request.responseText); } catch { /* not JSON */ }
      if (request.status === 200 || request.status === 201) resolve(body);
      else reject(new Error(body?.detail || `HTTP ${request.status}`));
    });
    request.addEventListener('error', () => reject(new Error(t('attach.network'))));
    request.send(file);
  });
}

export function attachmentsPanel({project, path, reload}) {
  const attachments = project.attachments || [];
  const progressList = h('ul', {class: 'upload-progress'});
  const input = h('input', {type: 'file', multiple: true, id: 'attachment-input', class: 'sr-only'});

  async function send(files) {
    let uploaded = 0;
    for (const file of files) {
      const bar = h('progress', {max: 1, value: 0, 'aria-label': t('attach.uploading', {name: file.name})});
      const item = h('li', {}, userText('span', file.name), ' ', bar);
      progressList.append(item);
      try {
        await uploadFile(path, file, (fraction) => { bar.value = fraction; });
        bar.value = 1;
        uploaded += 1;
        toast(t('attach.uploaded', {name: file.name}));
      } catch (error) {
        item.replaceChildren(userText('span', t('attach.failed', {name: file.name, reason: error.message}),
          {class: 'form-message', role: 'alert'}));
      }
    }
    if (uploaded) reload();
  }

  input.addEventListener('change', () => send([...input.files]));
  const zone = h('div', {class: 'drop-zone', tabindex: '0', 'data-testid': 'attachment-drop'},
    t('attach.drop'), ' ', h('label', {for: 'attachment-input', class: 'link'}, t('attach.choose')), input,
    h('p', {class: 'muted'}, t('attach.accepted')));
  zone.addEventListener('dragover', (event) => { event.preventDefault(); zone.classList.add('dragging'); });
  zone.addEventListener('dragleave', () => zone.classList.remove('dragging'));
  zone.addEventListener('drop', (event) => {
    event.preventDefault();
    zone.classList.remove('dragging');
    send([...event.dataTransfer.files]);
  });

  const rows = attachments.map((attachment) => {
    const inline = kShownInline.includes(attachment.media_type);
    const link = h('a', {href: fileUrl(project, attachment, inline), target: inline ? '_blank' : null,
      rel: 'noopener', download: inline ? null : attachment.filename}, attachment.filename);
    return h('tr', {class: 'attachment-row'},
      h('td', {}, link),
      h('td', {}, kTypeNames[attachment.media_type] || attachment.media_type),
      h('td', {}, sizeText(attachment.size)),
      h('td', {}, userText('span', attachment.by)),
      h('td', {}, dateTime(attachment.at)));
  });
  return h('section', {class: 'panel', id: 'attachments'}, h('h2', {}, t('attach.title')),
    zone, progressList,
    attachments.length ? h('table', {class: 'table'},
      h('thead', {}, h('tr', {}, [t('attach.name'), t('attach.type'), t('attach.size'), t('attach.by'),
        t('attach.at')].map((label) => h('th', {}, label)))),
      h('tbody', {}, rows)) : h('p', {class: 'muted'}, t('attach.none')));
}

// A select that puts an attachment's id into the milestone form's evidence input.
export function evidencePicker(project, evidenceInput) {
  const attachments = project.attachments || [];
  if (!attachments.length) return null;
  const select = h('select', {id: 'milestone-evidence-file', 'aria-label': t('attach.pick_evidence')},
    h('option', {value: ''}, t('attach.no_pick')),
    attachments.map((attachment) => h('option', {value: attachment.id}, attachment.filename)));
  select.addEventListener('change', () => { if (select.value) evidenceInput.value = select.value; });
  return select;
}

// A milestone's evidence as shown: an attachment's name (a link) when it names one.
export function evidenceText(project, evidence) {
  const attachment = (project.attachments || []).find((candidate) => candidate.id === evidence);
  if (!attachment) return userText('span', evidence);
  const inline = kShownInline.includes(attachment.media_type);
  return h('a', {href: fileUrl(project, attachment, inline), target: inline ? '_blank' : null,
    rel: 'noopener'}, attachment.filename);
}
