import type { CommsClient } from '../../core/client.js';
import type { BasicError } from '../../core/errors.js';

/**
 * The base of every DOM event comms-kit elements dispatch: it bubbles and crosses shadow roots
 * (`composed`), and carries a typed `detail`. Requests (`comms-dial`) are also `cancelable`:
 * the page may `preventDefault()` and do its own thing.
 */
export class CommsEvent<D = undefined> extends Event {
  /** What the event is about. */
  readonly detail: D;

  constructor(type: string, detail: D, init: EventInit = {}) {
    super(type, { bubbles: true, composed: true, ...init });
    this.detail = detail;
  }
}

/** Dispatched by `<comms-client>` when the client it provides changes (created, replaced or removed). */
export class CommsClientChangeEvent extends CommsEvent<{
  client: CommsClient | undefined;
}> {
  static readonly type = 'comms-client-change';
  constructor(client: CommsClient | undefined) {
    super(CommsClientChangeEvent.type, { client });
  }
}

/** Dispatched when an element meets an error it cannot show inline (bad attribute, failed action). */
export class CommsErrorEvent extends CommsEvent<{
  error: BasicError;
}> {
  static readonly type = 'comms-error';
  constructor(error: BasicError) {
    super(CommsErrorEvent.type, { error });
  }
}

declare global {
  interface GlobalEventHandlersEventMap {
    'comms-client-change': CommsClientChangeEvent;
    'comms-error': CommsErrorEvent;
  }
}
