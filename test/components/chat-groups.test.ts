/**
 * `<comms-chat>`'s group conversations in real Chromium against the real gateway (fresh
 * database, loopback): "New group" (name, people chosen from the contacts and the directory,
 * chips, the count announced, keyboard only), `comms-group-create`, the errors, and a group's
 * thread (name, member count, members with presence, senders' names) on every member's element.
 */
import { expect, fixture, html, oneEvent } from '@open-wc/testing';
import { sendKeys } from '@web/test-runner-commands';
import '../../components/client/comms-client.js';
import '../../components/chat/comms-chat.js';
import type { CommsChat } from '../../components/chat/chat.js';
import { CommsGroupCreateEvent } from '../../components/shared/events.js';
import { uniqueName } from '../helpers/gateway.browser.js';
import { chatTestBed } from '../helpers/chat-bed.js';
import { until } from '../helpers/waits.js';
import { $, $$, must, settled, text } from '../helpers/elements.js';
import { setupIgnoreWindowResizeObserverLoopErrors } from '@lit-labs/virtualizer/support/resize-observer-errors.js';

// The virtualizer's benign ResizeObserver loop message (see chat.test.ts).
setupIgnoreWindowResizeObserverLoopErrors(beforeEach, afterEach);

const shown = (el: Element) => $$(el, '[part~="message"] [part="text"]').map((p) => p.textContent);
/** The polite live region's text. */
const said = (el: Element) => text($(el, '[role="status"]'));
/** The checkbox of `userId` in the group panel. */
const box = (el: Element, userId: string) =>
  $$(el, '[part="group-person"]')
    .find((p) => text(p.querySelector('.hint')) === userId)
    ?.querySelector('input') ?? null;
const chips = (el: Element) => $$(el, '[part="chip"] .name').map((n) => text(n));
/** The row of the list whose name is `name`. */
const row = (el: Element, name: string) =>
  $$(el, '[part="conversation"]').find((r) => text(r.querySelector('[part="name"]')) === name);

/** Presses Tab (Shift+Tab with `back`) until the focus is on what `target()` finds. */
async function tabTo(el: CommsChat, target: () => Element | null, back = false) {
  for (let i = 0; i < 30; i++) {
    const wanted = target();
    if (wanted && el.shadowRoot!.activeElement === wanted) return;
    if (back) await sendKeys({ down: 'Shift' });
    await sendKeys({ press: 'Tab' });
    if (back) await sendKeys({ up: 'Shift' });
    await el.updateComplete;
  }
  throw new Error('Tab never reached the element');
}

describe('<comms-chat> groups', function () {
  this.timeout(60000);
  const { user, device, chat } = chatTestBed('grp');

  async function openGroupPanel(el: CommsChat) {
    must(el, '[part="new-group-button"]').click();
    await settled(el, () => !!$(el, '[part="group"]'), 'the group panel opens');
  }

  /** Searches the directory from the open panel for `query`. */
  async function search(el: CommsChat, query: string) {
    const field = must<HTMLInputElement>(el, '[part="search"]');
    field.value = query;
    field.dispatchEvent(new InputEvent('input', { bubbles: true, composed: true }));
    field.form!.requestSubmit();
    await settled(
      el,
      () => text(el.shadowRoot!.querySelector('.choose')).includes('Directory'),
      'the directory answers',
    );
  }

  it('creates a group of three: both others get it, and a message in it reaches both', async () => {
    const [alice, bob, carol] = [await user(), await user(), await user()];
    const [a, b, c] = [await device(alice), await device(bob), await device(carol)];
    // Bob is Alice's contact (and she his: each sees the other's presence); Carol is found in
    // the directory.
    await a.contacts.add({ primaryContact: bob });
    await b.contacts.add({ primaryContact: alice });
    const [chatA, chatB, chatC] = [await chat(a), await chat(b), await chat(c)];

    await openGroupPanel(chatA);
    expect(must(chatA, '[part="new-group-button"]').getAttribute('aria-expanded')).to.equal('true');
    expect(text($(chatA, '[part="group-count"]'))).to.equal('Nobody chosen yet.');
    await expect(chatA).to.be.accessible();
    const name = must<HTMLInputElement>(chatA, '[part="group-name"]');
    name.value = 'Trio';
    name.dispatchEvent(new InputEvent('input', { bubbles: true, composed: true }));

    box(chatA, bob)!.click();
    await settled(chatA, () => chips(chatA).length === 1, 'bob is chosen');
    await search(chatA, carol);
    box(chatA, carol)!.click();
    await settled(chatA, () => chips(chatA).length === 2, 'carol is chosen');
    expect(chips(chatA)).to.deep.equal([bob, `Name ${carol}`]);
    expect(text($(chatA, '[part="group-count"]'))).to.equal('2 people chosen');
    await settled(chatA, () => said(chatA) === `Name ${carol} added. 2 people chosen`, 'announced');
    await expect(chatA).to.be.accessible();

    const asked = oneEvent(chatA, CommsGroupCreateEvent.type) as Promise<CommsGroupCreateEvent>;
    must(chatA, '[part="create-button"]').click();
    expect((await asked).detail).to.deep.equal({ name: 'Trio', members: [bob, carol] });
    await settled(chatA, () => text($(chatA, '#thread-title')) === 'Trio', 'the group opens');
    expect($(chatA, '[part="group"]'), 'the panel closes').to.equal(null);
    expect(text($(chatA, '[part="members-button"]'))).to.equal('3 members');
    expect(chatA.shadowRoot!.activeElement).to.equal($(chatA, '[part="input"]'));
    await settled(chatA, () => said(chatA) === 'Group Trio created', 'creation is announced');
    expect(row(chatA, 'Trio')!.querySelector('[part="group-icon"]')).to.not.equal(null);

    // Both other members' elements list it (conversation:new), with the group icon.
    for (const other of [chatB, chatC]) {
      await settled(other, () => !!row(other, 'Trio'), 'the group reaches the member');
      expect(row(other, 'Trio')!.querySelector('[part="group-icon"]')).to.not.equal(null);
      expect(text(row(other, 'Trio')!.querySelector('.visually-hidden'))).to.equal(
        ', group, 3 members',
      );
      await settled(other, () => said(other) === 'New group: Trio', 'announced');
      row(other, 'Trio')!.click();
      await settled(other, () => text($(other, '#thread-title')) === 'Trio', 'it opens');
    }

    // A message in it reaches both, with Alice's name on it.
    const field = must<HTMLTextAreaElement>(chatA, '[part="input"]');
    field.focus();
    await sendKeys({ type: 'hello both' });
    await sendKeys({ press: 'Enter' });
    for (const other of [chatB, chatC]) {
      // The thread renders the rows in view: bring the element into it.
      other.scrollIntoView();
      await settled(other, () => shown(other).includes('hello both'), 'the message arrives');
      expect(text($(other, '[part~="message"] .sender'))).to.equal(`Name ${alice}`);
    }
    expect($(chatA, '[part~="message"] .sender'), 'no name on one’s own').to.equal(null);

    // The members list: everyone, this user first; Bob's presence is visible to Alice.
    const members = must(chatA, '[part="members-button"]');
    members.click();
    await settled(chatA, () => !!$(chatA, '[part="members"]'), 'the members show');
    expect(members.getAttribute('aria-expanded')).to.equal('true');
    await settled(
      chatA,
      () => $$(chatA, '[part="member"]').some((m) => text(m) === `Name ${bob} online`),
      'bob shows online',
    );
    expect($$(chatA, '[part="member"]').map((m) => text(m))).to.deep.equal([
      `Name ${alice} (you)`,
      `Name ${bob} online`,
      `Name ${carol} presence unknown`,
    ]);
    await expect(chatA).to.be.accessible();
    // Escape closes the list, back to its button.
    members.focus();
    await sendKeys({ press: 'Escape' });
    await settled(chatA, () => !$(chatA, '[part="members"]'), 'Escape closes the members');
    expect(members.getAttribute('aria-expanded')).to.equal('false');
    expect(chatA.shadowRoot!.activeElement).to.equal(members);
    await until(b, (s) => Object.values(s.conversations.byKey).some((e) => e.name === 'Trio'));
  });

  it('is made with the keyboard alone; a chip is removed with its button', async () => {
    const alice = await user();
    const [bob, carol, dave] = [await user(), await user(), await user()];
    const a = await device(alice);
    for (const id of [bob, carol, dave]) await a.contacts.add({ primaryContact: id });
    const el = await chat(a, '', 320);
    await settled(el, () => $$(el, '[part="new-group-button"]').length === 1, 'rendered');
    must(el, '[part="new-group-button"]').focus();
    await sendKeys({ press: 'Enter' });
    await settled(el, () => !!$(el, '[part="group"]'), 'the panel opens');
    expect(el.shadowRoot!.activeElement, 'the name field has the focus').to.equal(
      $(el, '[part="group-name"]'),
    );
    // Escape closes it, back to its button; Enter opens it again.
    await sendKeys({ press: 'Escape' });
    await settled(el, () => !$(el, '[part="group"]'), 'Escape closes the panel');
    expect(el.shadowRoot!.activeElement).to.equal($(el, '[part="new-group-button"]'));
    await sendKeys({ press: 'Enter' });
    await settled(el, () => !!$(el, '[part="group"]'), 'the panel opens again');
    await sendKeys({ type: 'Keys only' });
    for (const id of [bob, carol, dave]) {
      await tabTo(el, () => box(el, id));
      await sendKeys({ press: 'Space' });
      await settled(el, () => chips(el).includes(id), `${id} is chosen`);
    }
    expect(text($(el, '[part="group-count"]'))).to.equal('3 people chosen');

    // Back to Carol's chip; Enter on its remove button lets her go, the focus stays on the chips.
    const removeCarol = () => $(el, `[part="chip-remove"][aria-label="Remove ${carol}"]`);
    await tabTo(el, removeCarol, true);
    await sendKeys({ press: 'Enter' });
    await settled(el, () => chips(el).join() === [bob, dave].join(), 'carol is let go');
    expect(el.shadowRoot!.activeElement?.getAttribute('aria-label')).to.equal(`Remove ${dave}`);
    await settled(el, () => said(el) === `${carol} removed. 2 people chosen`, 'announced');
    expect(box(el, carol)!.checked).to.equal(false);
    await expect(el).to.be.accessible();

    await tabTo(el, () => $(el, '[part="create-button"]'));
    await sendKeys({ press: 'Enter' });
    await settled(el, () => text($(el, '#thread-title')) === 'Keys only', 'the group opens');
    const group = a.conversation.getAll().find((g) => g.name === 'Keys only')!;
    expect(group.type).to.equal('chat');
    expect(group.members.map((m) => m.userId)).to.have.members([alice, bob, dave]);
  });

  it('says why a group is not made: too few people, an unknown user, a prevented request', async () => {
    const alice = await user();
    const bob = await user();
    const ghost = uniqueName('ghost');
    const a = await device(alice);
    await a.contacts.add({ primaryContact: bob });
    await a.contacts.add({ primaryContact: ghost });
    const el = await chat(a);
    await openGroupPanel(el);
    let asked = 0;
    el.addEventListener(CommsGroupCreateEvent.type, () => asked++);

    // One person is not a group: nothing is asked.
    box(el, bob)!.click();
    await settled(el, () => chips(el).length === 1, 'bob is chosen');
    must<HTMLInputElement>(el, '[part="group-name"]').form!.requestSubmit();
    await settled(el, () => !!text($(el, '[part="group-error"]')), 'the error shows');
    const error = must(el, '[part="group-error"]');
    expect(error.getAttribute('role')).to.equal('alert');
    expect(text(error)).to.equal('Choose at least two people for a group.');
    expect(must(el, 'fieldset').getAttribute('aria-invalid')).to.equal('true');
    expect(asked).to.equal(0);
    await expect(el).to.be.accessible();

    // Someone who has no account: the gateway's code and its message, inline.
    box(el, ghost)!.click();
    await settled(el, () => !text($(el, '[part="group-error"]')), 'two chosen: the error goes');
    must(el, '[part="create-button"]').click();
    await settled(el, () => !!text($(el, '[part="group-error"]')), 'the gateway refuses');
    expect(error.dataset.code).to.equal('conversation:unknownDestination');
    expect(text(error)).to.match(/^Someone could not be added: .*ghost/);
    expect(asked).to.equal(1);
    expect(chips(el), 'the choice is kept to correct').to.deep.equal([bob, ghost]);
    expect(a.conversation.getAll().filter((g) => g.type === 'chat')).to.have.length(0);
    await expect(el).to.be.accessible();

    // The page takes over: nothing is created, the panel stays.
    const carol = await user();
    box(el, ghost)!.click();
    await search(el, carol);
    box(el, carol)!.click();
    await settled(el, () => chips(el).length === 2, 'bob and carol');
    const prevent = (e: Event) => e.preventDefault();
    document.addEventListener(CommsGroupCreateEvent.type, prevent);
    try {
      expect(await el.createGroup()).to.equal(undefined);
    } finally {
      document.removeEventListener(CommsGroupCreateEvent.type, prevent);
    }
    expect(asked).to.equal(2);
    expect(text($(el, '[part="group-error"]'))).to.equal('');
    expect($(el, '[part="group"]')).to.not.equal(null);
    expect(a.conversation.getAll().filter((g) => g.type === 'chat')).to.have.length(0);

    // Not prevented, the element carries it out: unnamed, the group shows its members' names.
    expect(await el.createGroup()).to.be.a('string');
    await settled(el, () => !!$(el, '[part="members-button"]'), 'the group opens');
    expect(text($(el, '#thread-title')).split(', ')).to.have.members([
      `Name ${bob}`,
      `Name ${carol}`,
    ]);
  });
  it('inside <comms-client>, the provider carries comms-group-create out', async () => {
    const [alice, bob, carol] = [await user(), await user(), await user()];
    const a = await device(alice);
    for (const id of [bob, carol]) await a.contacts.add({ primaryContact: id });
    const host = await fixture<HTMLElement>(html`
      <comms-client .client=${a}><comms-chat style="width: 800px"></comms-chat></comms-client>
    `);
    const el = host.querySelector('comms-chat')!;
    await openGroupPanel(el);
    await settled(el, () => !!box(el, carol), 'the contacts show');
    box(el, bob)!.click();
    box(el, carol)!.click();
    // Seen on the document, after the provider's own listener: already claimed by it.
    const claimed = new Promise<boolean>((resolve) =>
      document.addEventListener(
        CommsGroupCreateEvent.type,
        (e) => resolve((e as CommsGroupCreateEvent).claimed),
        { once: true },
      ),
    );
    must(el, '[part="create-button"]').click();
    expect(await claimed).to.equal(true);
    await settled(el, () => !!$(el, '[part="members-button"]'), 'the group opens');
    expect(a.conversation.getAll().filter((g) => g.type === 'chat')).to.have.length(1);
  });
});
