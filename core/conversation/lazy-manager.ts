/**
 * The `conversation` namespace's target: the conversation manager (`manager.ts`: the outbox,
 * ordering by sequence, catching up, receipts, typing), a chunk of its own in the ES builds
 * fetched by `import()` when the client first needs messaging:
 *
 * - when it connects (or subscribes) with the `chat` service: the fetch starts with
 *   `connect()` (or `services.subscribe()`), alongside the socket's handshake, and they
 *   resolve once it is here, so after them every conversation method behaves as it always did;
 * - when a method that needs it is called (`create`, `markRead`, `loadOlder`, `sendTyping`:
 *   the client runs them on the manager through `later`, so they wait for it);
 * - when the backend delivers a chat event before it is here: the event is held and handed
 *   to the manager, in order, once it has loaded.
 *
 * Before it has loaded no message was fetched: `conversation.get()` creates its one-to-one
 * entry in the state at once, `getAll()` and `getById()` read the state, and a message sent
 * then shows as pending at once and goes into the manager's outbox when it is here. A chunk
 * that cannot be fetched rejects the method that needed it with `network:error` (held events
 * and messages wait for the next load, which the next use starts); presence and the rest go on.
 */
import { CommsError, ErrorCodes } from '../errors.js';
import type { FeatureContext } from '../feature.js';
import { Chunk, LazyFeature } from '../lazy.js';
import type { EventFrame } from '../protocol/schema.js';
import type { ConnectionManager } from '../transport/connection.js';
import type { ConversationManager } from './manager.js';
import type * as ManagerModule from './manager.js';
import { addPending, ensureDirect, entries } from './state.js';
import type { ConversationEntry, MessageView, Part } from './types.js';

/** The conversation manager's chunk, shared by every client of the page. */
const chunk = new Chunk<typeof ManagerModule>('conversation manager', () => import('./manager.js'));

/** The events the manager handles (`ConversationManager.handleEvent`). */
const chatEvents = new Set(['message:new', 'message:receipt', 'conversation:new', 'typing']);

/** The `conversation` namespace's target: the conversation manager, loaded on demand. */
export class LazyConversationManager extends LazyFeature<
  typeof ManagerModule,
  ConversationManager
> {
  readonly #connection: ConnectionManager;
  readonly #self: () => string;
  /** Chat events held until the manager is here and has caught up (then `undefined`). */
  #events: EventFrame[] | undefined = [];

  /** The same collaborators as `ConversationManager`'s, kept until it is created. */
  constructor(ctx: FeatureContext, connection: ConnectionManager, self: () => string) {
    super(ctx, chunk, (module) => new module.ConversationManager(ctx, connection, self));
    this.#connection = connection;
    this.#self = self;
  }

  /**
   * Once here: it catches up with the server (when connected; else when it connects, `sync`),
   * then takes the chat events held for it, in order (after the catch-up, so that each finds
   * its conversation known; what the catch-up already placed is not placed twice).
   */
  protected override started(manager: ConversationManager): void {
    const handOver = () => {
      const held = this.#events ?? [];
      this.#events = undefined;
      for (const frame of held) manager.handleEvent(frame);
    };
    if (this.#connection.connected) void manager.sync().finally(handOver);
    else handOver();
  }

  // ── what the state answers, manager or not ─────────────────────────────────

  entries(): ConversationEntry[] {
    return entries(this.ctx);
  }

  ensureDirect(destination: string, type: 'im' | 'sms' = 'im'): ConversationEntry {
    return ensureDirect(this.ctx, destination, type);
  }

  /** Queues a message: pending at once; sent once the manager is here and the server can. */
  send(key: string, parts: Part[]): MessageView {
    const manager = this.current;
    if (manager) return manager.send(key, parts);
    const entry = this.ctx.store.getState().conversations.byKey[key];
    if (!entry) throw new CommsError('conversation:notFound', `there is no conversation '${key}'`);
    const view = addPending(this.ctx, entry, parts, this.#self());
    this.hold((loaded) => loaded.queue(key, view));
    return view;
  }

  /** Sends a failed message again (messages fail in the manager: before it, none has). */
  retry(key: string, messageId: string): void {
    const manager = this.current;
    if (manager) return manager.retry(key, messageId);
    throw new CommsError(
      ErrorCodes.INVALID_ARGUMENT,
      `retry(): '${messageId}' is not a failed message of this conversation`,
    );
  }

  /** Forgets the messages held locally (before the manager: only pending ones, which stay). */
  clearMessages(key: string): void {
    this.current?.clearMessages(key);
  }

  /** A chat event from the backend: handled, or held (loading the manager) until it can be. */
  handleEvent(frame: EventFrame): boolean {
    if (!chatEvents.has(frame.event)) return false;
    const manager = this.current;
    if (manager && !this.#events) return manager.handleEvent(frame);
    this.#events!.push(frame);
    if (!manager) void this.prefetch();
    return true;
  }

  /** After every (re)connection: the manager catches up (before it, there is nothing to). */
  sync(): void {
    void this.current?.sync();
  }

  /** The user left or changed: the manager, its outbox and the held events go. */
  override reset(): void {
    this.#events = [];
    super.reset();
  }

  /** The client is going: typing timers stop; a chunk that arrives later creates nothing. */
  override dispose(): void {
    this.created?.dispose();
    super.dispose();
  }
}
