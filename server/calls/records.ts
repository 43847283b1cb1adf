/**
 * Storing call records, for the gateway's own calls (`service.ts`) and for the SIP proxy's
 * (`sip-records.ts`) alike.
 */
import type { CallRecordEntry, Storage } from '../storage/types.js';
import type { PushOptions, WebSocketGateway } from '../ws/gateway.js';
import { wireCallRecord } from './routes.js';

/**
 * Stores call records, and tells each owner's devices of theirs at once (`callHistory:new`,
 * to the sockets `push` selects): a callee who was busy, or whose other device took the call,
 * has it without asking. A failure is logged: the call itself has ended either way.
 */
export async function storeCallRecords(
  deps: {
    storage: Storage;
    ws: WebSocketGateway;
    log: { error(details: Record<string, unknown>, message: string): void };
  },
  callId: string,
  records: CallRecordEntry[],
  push: PushOptions,
): Promise<void> {
  if (!records.length) return;
  try {
    await deps.storage.insertCallRecords(records);
  } catch (error) {
    deps.log.error({ err: error, callId }, 'the call records could not be stored');
    return;
  }
  for (const entry of records)
    void deps.ws
      .push([entry.userId], 'callHistory:new', { record: wireCallRecord(entry) }, push)
      .catch((error: unknown) =>
        deps.log.error({ err: error, callId }, 'callHistory:new could not be pushed'),
      );
}
