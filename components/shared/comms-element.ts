import { LitElement, type PropertyDeclarations, type PropertyValues } from 'lit';
import { ContextConsumer } from '@lit/context';
import type { CommsClient } from '../../core/client.js';
import { clientContext } from './context.js';
import { ensureContextRoot } from './context-root.js';
import type { CommsRequestEvent, RequestOutcome } from './events.js';
import { languageReady } from './i18n.js';
import { StoreController } from './store-controller.js';

/**
 * The base of every comms-kit element that uses a client: it receives the client from the
 * nearest `<comms-client>` by context; an explicit `.client` property wins.
 */
export class CommsElement extends LitElement {
  static override properties: PropertyDeclarations = {
    client: { attribute: false },
  };

  /** The client to use, overriding the one provided by an enclosing `<comms-client>`. */
  declare client: CommsClient | undefined;

  #contextClient: CommsClient | undefined;

  constructor() {
    super();
    new ContextConsumer(this, {
      context: clientContext,
      subscribe: true,
      callback: (client) => {
        this.#contextClient = client;
        this.requestUpdate();
      },
    });
  }

  /** Who is signed in on the client, and who was at the last update. */
  readonly #self = new StoreController(this, (s) => s.users.self);
  #lastSelf: string | null | undefined;

  /**
   * The signed-in user left: drops what the element holds of theirs beyond the client's state
   * (what they typed, searched or had open, what was announced). The client drops their data
   * itself. Called before the update that shows the change (`shouldUpdate`).
   */
  protected forgetUser(): void {}

  /** Before each update: a user who left (logout, or another signed in) is forgotten first. */
  protected override shouldUpdate(changed: PropertyValues): boolean {
    const self = this.#self.value;
    if (self !== undefined) {
      if (this.#lastSelf && self !== this.#lastSelf) this.forgetUser();
      this.#lastSelf = self;
    }
    return super.shouldUpdate(changed);
  }

  /** The client in effect: the explicit `.client`, else the one from context. */
  get activeClient(): CommsClient | undefined {
    return this.client ?? this.#contextClient;
  }

  override connectedCallback(): void {
    ensureContextRoot();
    super.connectedCallback();
  }

  /**
   * Waits, before an update, for the message catalog of the language in effect while it is
   * still loading (`languageReady` in `i18n.ts`: French and later languages come by `import()`
   * on first use), so the element renders in that language from its first frame.
   */
  protected override scheduleUpdate(): void | Promise<unknown> {
    const pending = languageReady(this);
    return pending ? pending.then(() => super.scheduleUpdate()) : super.scheduleUpdate();
  }

  /**
   * Dispatches a user's request from this element and sees it carried out: by the enclosing
   * `<comms-client>` when it claimed it, else on this element's client, unless a listener
   * called `preventDefault()`. Resolves with the outcome (never rejects).
   */
  protected request<R>(event: CommsRequestEvent<unknown, R>): Promise<RequestOutcome<R>> {
    this.dispatchEvent(event);
    const client = this.activeClient;
    if (!event.defaultPrevented && !event.claimed && client) event.claim(client);
    return event.settle();
  }
}
