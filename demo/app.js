/**
 * The comms-kit demo: sign up or sign in, find people, call them and chat, against the gateway
 * that serves this page. It uses only the public API of the CDN build (`comms-kit/core`'s
 * createClient), the way an application would. User-supplied text is only ever set as text.
 */
import { createClient } from '/cdn/comms-kit.js';

const $ = (id) => document.getElementById(id);
const show = (element, visible) => (element.hidden = !visible);

const client = createClient({
  server: location.origin,
  logs: { logLevel: 'warn' },
  // The demo keeps the session across reloads. An application decides this for itself: a
  // refresh token in localStorage is readable by any script on the page.
  authentication: { storage: localStorage },
});
window.commsClient = client; // handy in the console

let me = null;
let selected = null; // the user id being looked at
let currentCall = null; // the call shown
let signingUp = false;
const names = new Map(); // user id → display name, from the directory
const watched = new Set(); // users whose presence this page receives

/** A user's display name, else their id. */
function nameOf(userId) {
  return names.get(userId) ?? client.user.get(userId)?.displayName ?? userId;
}

// ── status line ──────────────────────────────────────────────────────────────

function setStatus(text) {
  $('status').textContent = text;
}

client.on('ws:change', ({ status, attempt }) => {
  if (status === 'connected') setStatus(`Signed in as ${me?.displayName ?? me?.username ?? ''}.`);
  if (status === 'reconnecting') setStatus(`Connection lost. Reconnecting (attempt ${attempt})…`);
  if (status === 'disconnected' && me) setStatus('Offline.');
});
client.on('connection:error', ({ error }) => setStatus(`Offline: ${error.message}`));

// ── sign in / sign up ────────────────────────────────────────────────────────

function showAuth(error = '') {
  show($('auth'), true);
  show($('app'), false);
  show($('logout'), false);
  $('auth-error').textContent = error;
  setStatus('Sign in, or create an account.');
  $('auth-form').username.focus();
}

$('auth-toggle').addEventListener('click', () => {
  signingUp = !signingUp;
  $('auth-title').textContent = signingUp ? 'Create an account' : 'Sign in';
  $('auth-submit').textContent = signingUp ? 'Create account' : 'Sign in';
  $('auth-toggle').textContent = signingUp ? 'I have an account' : 'Create an account';
  $('auth-form').password.autocomplete = signingUp ? 'new-password' : 'current-password';
  for (const el of document.querySelectorAll('.signup-only')) el.hidden = !signingUp;
});

$('auth-form').addEventListener('submit', async (event) => {
  event.preventDefault();
  const form = event.currentTarget;
  const username = form.username.value.trim().toLowerCase();
  const password = form.password.value;
  $('auth-error').textContent = '';
  $('auth-submit').disabled = true;
  try {
    if (signingUp) {
      await client.auth.signup({
        username,
        password,
        displayName: form.displayName.value.trim() || username,
      });
    }
    await start(() => client.connect({ username, password }));
  } catch (error) {
    $('auth-error').textContent = error.message;
  } finally {
    $('auth-submit').disabled = false;
  }
});

$('logout').addEventListener('click', async () => {
  await client.auth.logout();
  me = null;
  selected = null;
  watched.clear();
  names.clear();
  $('people').replaceChildren();
  $('messages').replaceChildren();
  $('chat-title').textContent = 'Chat';
  $('composer-input').disabled = true;
  $('composer').querySelector('button').disabled = true;
  showAuth();
});

async function start(connect) {
  setStatus('Connecting…');
  const info = await connect();
  me = info.user;
  show($('auth'), false);
  show($('app'), true);
  show($('logout'), true);
  setStatus(`Signed in as ${me.displayName}.`);
  await client.presence.update('open', $('my-activity').value).catch(() => undefined);
  await client.contacts.refresh().catch(() => undefined);
  await search('');
}

// ── people, presence ─────────────────────────────────────────────────────────

async function search(text) {
  const users = await client.user.search(text ? { name: text } : {}).catch(() => []);
  const others = users.filter((u) => u.userId !== me.username && u.userId !== me.id);
  for (const user of others) names.set(user.userId, user.displayName || user.userId);
  // Contacts first, then by name.
  others.sort(
    (a, b) =>
      Number(isContact(b.userId)) - Number(isContact(a.userId)) ||
      nameOf(a.userId).localeCompare(nameOf(b.userId)),
  );
  renderPeople(others);
  await watchContacts();
}

// ── contacts: presence is shared between people who have each other as contacts ──

function isContact(userId) {
  return client.contacts.getAll().some((c) => c.primaryContact === userId);
}

/** Adds `userId` to the address book (once), then watches their presence. */
async function befriend(userId) {
  if (!isContact(userId)) {
    const [firstName, ...rest] = nameOf(userId).split(' ');
    await client.contacts
      .add({ primaryContact: userId, firstName, lastName: rest.join(' ') })
      .catch((error) => {
        if (error.code !== 'contacts:exists') setStatus(error.message);
      });
  }
  await watch(userId);
}

/**
 * Watches one user's presence. The gateway refuses until they have added us back, so this is
 * tried again when they call or write, when a call with them connects, and every 30 s.
 */
async function watch(userId) {
  if (watched.has(userId) || !isContact(userId)) return paintPresence(userId);
  try {
    await client.presence.subscribe([userId]);
    watched.add(userId);
  } catch {
    // Not yet a contact both ways.
  }
  paintPresence(userId);
}

async function watchContacts() {
  await Promise.all(client.contacts.getAll().map((c) => watch(c.primaryContact)));
}
setInterval(() => me && void watchContacts(), 30_000);
client.on('contacts:change', () => me && void watchContacts());
// Watches lapse with the connection; the core watches the same users again on reconnect.

function renderPeople(users) {
  const list = $('people');
  list.replaceChildren(
    ...users.map((user) => {
      const item = document.createElement('li');
      item.dataset.user = user.userId;
      const dot = document.createElement('span');
      dot.className = 'dot';
      dot.setAttribute('aria-hidden', 'true');
      const person = document.createElement('button');
      person.type = 'button';
      person.className = 'person';
      const name = document.createElement('span');
      name.className = 'name';
      name.textContent = nameOf(user.userId);
      const state = document.createElement('small');
      state.className = 'presence';
      const badge = document.createElement('span');
      badge.className = 'badge';
      person.append(name, state, badge);
      person.addEventListener('click', () => openChat(user.userId));
      const call = document.createElement('button');
      call.type = 'button';
      call.className = 'call';
      call.textContent = 'Call';
      call.setAttribute('aria-label', `Call ${nameOf(user.userId)}`);
      call.addEventListener('click', () => makeCall(user.userId, false));
      item.append(dot, person, call);
      return item;
    }),
  );
  if (users.length === 0) {
    const empty = document.createElement('li');
    empty.className = 'hint';
    empty.textContent =
      'Nobody found. Open this page in another browser and create a second account.';
    list.append(empty);
  }
  for (const user of users) {
    paintPresence(user.userId);
    paintUnread(user.userId);
  }
}

const activityText = {
  available: 'Available',
  busy: 'Busy',
  away: 'Away',
  'on-the-phone': 'On the phone',
  offline: 'Offline',
};

function paintPresence(userId) {
  const item = document.querySelector(`#people li[data-user="${CSS.escape(userId)}"]`);
  if (!item) return;
  const presence = client.presence.get(userId);
  let activity = 'unknown';
  let text = 'Not in your contacts: call or chat to add';
  if (watched.has(userId)) {
    activity = presence?.status === 'open' ? presence.activity : 'offline';
    text = activityText[activity] ?? activity;
    if (presence?.note) text += `: ${presence.note}`;
  } else if (isContact(userId)) {
    text = 'Contact: presence shows once they add you too';
  }
  item.querySelector('.dot').className = `dot ${activity}`;
  item.querySelector('.presence').textContent = text;
}

/** The number of unread messages from `userId`, on their line. */
function paintUnread(userId) {
  const badge = document.querySelector(`#people li[data-user="${CSS.escape(userId)}"] .badge`);
  if (!badge) return;
  const unread = userId === selected ? 0 : (client.conversation.get(userId)?.unread ?? 0);
  badge.textContent = unread ? `${unread} unread` : '';
}

client.on('presence:change', ({ userId }) => paintPresence(userId));
/** Someone new wrote or called: bring them into the list. */
function ensureListed(userId) {
  if (!document.querySelector(`#people li[data-user="${CSS.escape(userId)}"]`))
    void search($('search-input').value.trim());
}
client.on('conversations:new', ({ destination }) => ensureListed(destination));
client.on('conversations:change', () => {
  for (const item of document.querySelectorAll('#people li[data-user]'))
    paintUnread(item.dataset.user);
});
$('search').addEventListener('submit', (event) => {
  event.preventDefault();
  void search($('search-input').value.trim());
});
$('my-activity').addEventListener('change', (event) => {
  void client.presence
    .update('open', event.target.value)
    .catch((error) => setStatus(error.message));
});

// ── calls ────────────────────────────────────────────────────────────────────

function makeCall(userId, video) {
  try {
    currentCall = client.call.make(userId, { audio: true, video });
    renderCall();
    void befriend(userId);
  } catch (error) {
    setStatus(error.message);
  }
}

client.on('call:receive', ({ callId }) => {
  const call = client.call.getById(callId);
  currentCall = callId;
  const { displayNumber, displayName } = call.remoteParticipant;
  if (displayName && displayName !== displayNumber) names.set(displayNumber, displayName);
  ensureListed(displayNumber);
  $('incoming-text').textContent =
    `${nameOf(displayNumber)} is calling${call.mediaOffered?.video ? ' (video)' : ''}.`;
  show($('incoming'), true);
  $('answer').focus();
});

$('answer').addEventListener('click', () => answer(false));
$('answer-video').addEventListener('click', () => answer(true));
$('decline').addEventListener('click', async () => {
  show($('incoming'), false);
  await client.call.reject(currentCall).catch((error) => setStatus(error.message));
});

async function answer(video) {
  show($('incoming'), false);
  // Add the caller as a contact first (its frame goes out before the answer), so that when the
  // call connects on their side they can watch our presence at once.
  const caller = client.call.getById(currentCall)?.remoteParticipant.displayNumber;
  const adding = caller ? befriend(caller) : Promise.resolve();
  await client.call
    .answer(currentCall, { audio: true, video })
    .catch((error) => setStatus(error.message));
  await adding;
}

client.on('call:stateChange', ({ callId, transition }) => {
  if (callId !== currentCall) return;
  const call = client.call.getById(callId);
  // They answered (or we did): if they have added us, their presence shows now.
  if (call.state === 'Connected') void watch(call.remoteParticipant.displayNumber);
  if (call.state === 'Ended' || call.state === 'Cancelled') {
    show($('incoming'), false);
    setStatus(`Call ended${transition ? `: ${transition.reasonText}` : ''}.`);
    currentCall = null;
  }
  renderCall();
});

client.on('call:tracksAdded', async ({ callId, trackIds }) => {
  if (callId !== currentCall) return;
  for (const id of trackIds) {
    const track = client.media.getTrackById(id);
    if (!track) continue;
    const target = track.isLocal ? '#local-media' : '#remote-media';
    if (!document.querySelector(`[data-track-id="${CSS.escape(id)}"]`)) {
      await client.media.renderTracks([id], target).catch(() => undefined);
    }
  }
});
client.on('call:tracksRemoved', ({ trackIds }) => client.media.removeTracks(trackIds));

function renderCall() {
  const call = currentCall ? client.call.getById(currentCall) : null;
  show($('call'), !!call && call.state !== 'Ended');
  show($('idle'), !call);
  if (!call) return;
  const who = nameOf(call.remoteParticipant.displayNumber);
  const text = {
    Initiating: `Calling ${who}…`,
    Initiated: `Calling ${who}…`,
    Ringing: call.direction === 'outgoing' ? `Ringing ${who}…` : `${who} is calling`,
    Connected: `In a call with ${who}`,
    'On Hold': call.localHold ? `${who} is on hold` : `${who} put you on hold`,
  }[call.state];
  $('call-state').textContent = text ?? call.state;
  const connected = call.state === 'Connected' || call.state === 'On Hold';
  for (const id of ['mute', 'video', 'hold']) $(id).disabled = !connected;
  $('hold').textContent = call.localHold ? 'Resume' : 'Hold';
  $('hold').setAttribute('aria-pressed', String(call.localHold));
  const hasVideo = call.localTracks.some((t) => client.media.getTrackById(t)?.kind === 'video');
  $('video').textContent = hasVideo ? 'Stop video' : 'Start video';
  $('video').setAttribute('aria-pressed', String(hasVideo));
}

$('hangup').addEventListener('click', () => currentCall && client.call.end(currentCall));
$('hold').addEventListener('click', async () => {
  const call = client.call.getById(currentCall);
  await (call.localHold ? client.call.unhold(currentCall) : client.call.hold(currentCall)).catch(
    (e) => setStatus(e.message),
  );
});
$('video').addEventListener('click', async () => {
  const call = client.call.getById(currentCall);
  const hasVideo = call.localTracks.some((t) => client.media.getTrackById(t)?.kind === 'video');
  await (hasVideo ? client.call.stopVideo(currentCall) : client.call.startVideo(currentCall)).catch(
    (e) => setStatus(e.message),
  );
  renderCall();
});
$('mute').addEventListener('click', () => {
  const call = client.call.getById(currentCall);
  const audio = call.localTracks.filter((t) => client.media.getTrackById(t)?.kind === 'audio');
  const muted = audio.some((t) => client.media.getTrackById(t)?.muted);
  if (muted) client.media.unmuteTracks(audio);
  else client.media.muteTracks(audio);
  $('mute').textContent = muted ? 'Mute' : 'Unmute';
  $('mute').setAttribute('aria-pressed', String(!muted));
});

// ── chat ─────────────────────────────────────────────────────────────────────

function openChat(userId) {
  selected = userId;
  for (const button of document.querySelectorAll('#people .person')) {
    button.setAttribute('aria-current', String(button.closest('li').dataset.user === userId));
  }
  $('chat-title').textContent = `Chat with ${nameOf(userId)}`;
  paintUnread(userId);
  void befriend(userId);
  $('composer-input').disabled = false;
  $('composer').querySelector('button').disabled = false;
  renderMessages();
  void client.conversation
    .get(userId)
    .markRead()
    .catch(() => undefined);
  $('composer-input').focus();
}

const statusText = {
  pending: 'sending…',
  sent: 'sent',
  delivered: 'delivered',
  read: 'read',
  failed: 'not sent',
};

function renderMessages() {
  if (!selected) return;
  const conversation = client.conversation.get(selected);
  const list = $('messages');
  list.replaceChildren(
    ...conversation.getMessages().map((message) => {
      const item = document.createElement('li');
      item.className = message.isOwn ? 'own' : '';
      item.textContent = message.parts.map((p) => p.text).join('\n');
      const meta = document.createElement('small');
      const time = new Date(message.timestamp).toLocaleTimeString([], {
        hour: '2-digit',
        minute: '2-digit',
      });
      meta.textContent = message.isOwn ? `${time} · ${statusText[message.status]}` : time;
      item.append(meta);
      if (message.status === 'failed') {
        const retry = document.createElement('button');
        retry.type = 'button';
        retry.className = 'link';
        retry.textContent = 'Retry';
        retry.addEventListener('click', () => message.retry());
        item.append(retry);
      }
      return item;
    }),
  );
  list.scrollTop = list.scrollHeight;
  $('typing').textContent = conversation.typing.length
    ? `${conversation.typing.map(nameOf).join(', ')} ${conversation.typing.length > 1 ? 'are' : 'is'} typing…`
    : '';
}

client.on('messages:change', ({ destination, sender }) => {
  if (sender && sender !== me?.username && sender !== me?.id) void watch(sender);
  if (destination !== selected) return;
  renderMessages();
  if (document.visibilityState === 'visible')
    void client.conversation
      .get(selected)
      .markRead()
      .catch(() => undefined);
});
client.on('typing:change', ({ destination }) => destination === selected && renderMessages());
client.on('messages:error', ({ error }) => setStatus(`Message not sent: ${error.message}`));

let typingTimer;
$('composer-input').addEventListener('input', () => {
  if (!selected) return;
  if (!typingTimer)
    void client.conversation
      .get(selected)
      .sendTyping(true)
      .catch(() => undefined);
  clearTimeout(typingTimer);
  typingTimer = setTimeout(() => {
    typingTimer = undefined;
    void client.conversation
      .get(selected)
      .sendTyping(false)
      .catch(() => undefined);
  }, 2000);
});
$('composer-input').addEventListener('keydown', (event) => {
  if (event.key === 'Enter' && !event.shiftKey) {
    event.preventDefault();
    $('composer').requestSubmit();
  }
});
$('composer').addEventListener('submit', (event) => {
  event.preventDefault();
  const text = $('composer-input').value.trim();
  if (!text || !selected) return;
  try {
    const conversation = client.conversation.get(selected);
    conversation.createMessage({ type: 'text', text }).send();
    $('composer-input').value = '';
    if (typingTimer) {
      // Sent: no longer typing.
      clearTimeout(typingTimer);
      typingTimer = undefined;
      void conversation.sendTyping(false).catch(() => undefined);
    }
  } catch (error) {
    setStatus(error.message);
  }
});

// ── start: resume a saved session, else ask ──────────────────────────────────

start(() => client.connect()).catch(() => showAuth());
