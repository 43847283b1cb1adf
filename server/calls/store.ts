/**
 * Where the gateway keeps its live calls: one place, behind {@link CallStore}, so the shared
 * implementation (`RedisCallStore`, `./redis-store.ts`) replaces the in-process one without
 * touching the call logic.
 * Every method is async and each one is atomic on its own; a decision that reads a call and
 * changes it (the first answer wins) is one {@link CallStore.change}, so two devices racing
 * cannot both win. Calls go in and out as copies: no one holds a reference into the store.
 *
 * The store also keeps a small mailbox per device (user + clientCorrelator): the events meant
 * for a device whose socket closed, so it gets them when it comes back within the grace; and
 * the devices reachable for calls (sockets subscribed to `call`), so an invite on one node rings
 * the callee's devices on every node.
 */

/** A socket taking part in a call, and the device behind it. */
export interface CallDevice {
  /** Its user's id. */
  userId: string;
  /** The socket (`Connection.id`) now; null while it is away (closed, inside the grace). */
  connId: string | null;
  /** The device's `clientCorrelator`, by which it is known when it comes back; null: never. */
  correlator: string | null;
}

/** A device of the callee that the call rang. */
export interface CalleeDevice extends CallDevice {
  /**
   * `ringing` until the call is answered; then `answered` (the one that won) or `stopped`
   * (told it was answered elsewhere, or gone for good).
   */
  state: 'ringing' | 'answered' | 'stopped';
  /**
   * A device a forward rang (`call.forward`) that has not been sent the caller's offer and the
   * kept candidates yet: the caller's new candidates wait for that, so none arrives before the
   * call it belongs to.
   */
  awaitingOffer?: true;
}

/** At most this many of the caller's candidates are kept with a ringing call (for a forward). */
export const MAX_HELD_CANDIDATES = 32;

/**
 * What the caller sent to ring the call, kept while it rings so that a forward (`call.forward`)
 * can ring someone else with it: the offer, its custom parameters and the candidates trickled so
 * far (null: the end of candidates), at most {@link MAX_HELD_CANDIDATES} of them (each at most
 * 1 KiB, the schema's limit). Dropped once the call is answered, and with the call.
 */
export interface HeldOffer {
  sdp: string;
  customParameters: Array<{ name: string; value: string }>;
  candidates: Array<Record<string, unknown> | null>;
}

/** A forwarding of a ringing call: who forwarded it, and to whom (as clients show them). */
export interface CallForward {
  by: { id: string; displayName: string };
  to: { id: string; displayName: string };
}

/** A party as the other one sees it. */
export interface CallParty {
  /** The user's id (internal). */
  userId: string;
  /** The id calls reach and clients show: username, else number, else email. */
  id: string;
  displayName: string;
}

/** A call from its invite to its end. */
export interface ActiveCall {
  /** Made by the caller. */
  id: string;
  caller: CallParty & { device: CallDevice };
  callee: CallParty;
  /** The callee's devices it rang. */
  devices: CalleeDevice[];
  media: { audio: boolean; video: boolean };
  /** When the invite arrived (ms since the epoch). */
  startTime: number;
  /** When it was answered, or null. */
  answerTime: number | null;
  /** A transfer of this call under way (asked by one party, carried out by the other). */
  transfer?: PendingTransfer;
  /** The transfer this call carries out: it is the transferee's call to the target. */
  carries?: { callId: string; transferId: string; referredBy: { id: string; displayName: string } };
  /** Consultative transfer: the call this one replaces for the callee. */
  replaces?: string;
  /** While the call rings: the caller's offer and candidates, for a forward. */
  offer?: HeldOffer;
  /** The forwardings of this call (`call.forward`), oldest first; `callee` is the last `to`. */
  forwards?: CallForward[];
}

/** A transfer asked for with `call.transfer`, until the transferee's call to the target ends or is answered. */
export interface PendingTransfer {
  id: string;
  /** Which party asked (the other one is the transferee). */
  by: 'caller' | 'callee';
  /** The target user's id and public id. */
  targetUserId: string;
  targetId: string;
  /** Consultative: the transferrer's call with the target, ended too on success. */
  replaces: string | null;
  /** The transferee has placed the call to the target. */
  placed?: boolean;
}

/**
 * A socket subscribed to the `call` service, on whichever node holds it: a device an incoming
 * call rings.
 */
export interface ReachableDevice {
  userId: string;
  connId: string;
  correlator: string;
  /** It takes a second call while in one (`subscribe`'s `multiCall`). */
  multiCall: boolean;
  /** When its subscription expires (ms since the epoch): after that, it is not reachable. */
  expiresAt: number;
}

/** What {@link CallStore.change} does with a call: keep `next` (null: remove it), return `result`. */
export interface CallChange<R> {
  next: ActiveCall | null;
  result: R;
}

/** An event kept for a device that is away. */
export interface QueuedEvent {
  event: string;
  payload: Record<string, unknown>;
}

/** The live calls. */
export interface CallStore {
  /** Adds a call; false (and nothing changes) when a call with its id exists. */
  insert(call: ActiveCall): Promise<boolean>;
  /** A copy of the call, or undefined. */
  get(callId: string): Promise<ActiveCall | undefined>;
  /**
   * Reads and changes one call atomically: `decide` gets a copy and says what the call becomes
   * and what to return. Undefined (and `decide` is not called) when there is no such call.
   * A shared store may call `decide` again, on the newer call, when another node changed it
   * meanwhile: `decide` only computes, it does nothing else.
   */
  change<R>(callId: string, decide: (call: ActiveCall) => CallChange<R>): Promise<R | undefined>;
  /** Copies of the calls the user takes part in (as caller or callee). */
  ofUser(userId: string): Promise<ActiveCall[]>;
  /** Copies of every call. */
  all(): Promise<ActiveCall[]>;
  /** Keeps `event` for the device `key` until `expiresAt` (ms since the epoch). */
  enqueue(key: string, event: QueuedEvent, expiresAt: number): Promise<void>;
  /** Takes (and forgets) the events kept for `key` that have not expired at `now`, oldest first. */
  dequeue(key: string, now: number): Promise<QueuedEvent[]>;
  /** Records (or updates) a device reachable for calls. */
  setDevice(device: ReachableDevice): Promise<void>;
  /** Forgets a device (its socket closed or left the `call` service). */
  dropDevice(userId: string, connId: string): Promise<void>;
  /** The user's reachable devices whose subscription has not expired at `now`. */
  devicesOf(userId: string, now: number): Promise<ReachableDevice[]>;
}

/** The mailbox key of a device: its user and correlator. */
export const deviceKey = (userId: string, correlator: string): string => `${userId}\n${correlator}`;

const copy = <T>(value: T): T => structuredClone(value);

/** The in-process {@link CallStore}: one gateway node. */
export class MemoryCallStore implements CallStore {
  private readonly calls = new Map<string, ActiveCall>();
  private readonly users = new Map<string, Set<string>>();
  private readonly mailboxes = new Map<string, Array<QueuedEvent & { expiresAt: number }>>();
  private readonly devices = new Map<string, Map<string, ReachableDevice>>();

  async insert(call: ActiveCall): Promise<boolean> {
    if (this.calls.has(call.id)) return false;
    this.put(copy(call));
    return true;
  }

  async get(callId: string): Promise<ActiveCall | undefined> {
    const call = this.calls.get(callId);
    return call && copy(call);
  }

  async change<R>(
    callId: string,
    decide: (call: ActiveCall) => CallChange<R>,
  ): Promise<R | undefined> {
    const call = this.calls.get(callId);
    if (!call) return undefined;
    const { next, result } = decide(copy(call));
    this.drop(call);
    if (next) this.put(copy(next));
    return result;
  }

  async ofUser(userId: string): Promise<ActiveCall[]> {
    return [...(this.users.get(userId) ?? [])].map((id) => copy(this.calls.get(id)!));
  }

  async all(): Promise<ActiveCall[]> {
    return [...this.calls.values()].map(copy);
  }

  async enqueue(key: string, event: QueuedEvent, expiresAt: number): Promise<void> {
    const box = this.mailboxes.get(key) ?? [];
    box.push({ ...copy(event), expiresAt });
    this.mailboxes.set(key, box);
  }

  async dequeue(key: string, now: number): Promise<QueuedEvent[]> {
    const box = this.mailboxes.get(key) ?? [];
    this.mailboxes.delete(key);
    // Forget other devices' expired mail on the way, so the mailboxes cannot grow for ever.
    for (const [k, b] of this.mailboxes) {
      if (b.every((e) => e.expiresAt <= now)) this.mailboxes.delete(k);
    }
    return box.filter((e) => e.expiresAt > now).map(({ event, payload }) => ({ event, payload }));
  }

  async setDevice(device: ReachableDevice): Promise<void> {
    let mine = this.devices.get(device.userId);
    if (!mine) this.devices.set(device.userId, (mine = new Map()));
    mine.set(device.connId, { ...device });
  }

  async dropDevice(userId: string, connId: string): Promise<void> {
    const mine = this.devices.get(userId);
    mine?.delete(connId);
    if (mine && !mine.size) this.devices.delete(userId);
  }

  async devicesOf(userId: string, now: number): Promise<ReachableDevice[]> {
    const all = [...(this.devices.get(userId)?.values() ?? [])];
    for (const d of all) if (d.expiresAt <= now) await this.dropDevice(userId, d.connId);
    return all.filter((d) => d.expiresAt > now).map((d) => ({ ...d }));
  }

  /** How many calls, mailboxes and users with devices it holds (for tests that check nothing leaks). */
  get size(): { calls: number; mailboxes: number; devices: number } {
    return { calls: this.calls.size, mailboxes: this.mailboxes.size, devices: this.devices.size };
  }

  private put(call: ActiveCall): void {
    this.calls.set(call.id, call);
    for (const userId of new Set([call.caller.userId, call.callee.userId])) {
      let set = this.users.get(userId);
      if (!set) this.users.set(userId, (set = new Set()));
      set.add(call.id);
    }
  }

  private drop(call: ActiveCall): void {
    this.calls.delete(call.id);
    for (const userId of [call.caller.userId, call.callee.userId]) {
      const set = this.users.get(userId);
      set?.delete(call.id);
      if (set && !set.size) this.users.delete(userId);
    }
  }
}
