/**
 * The protocol benchmark's table and target lines (pure: no `@xmtp/*` import, so `run.ts` can
 * load it statically).
 */
import type { ProtocolResult, ProtocolRow } from './protocol-node.ts';
import { p90Note } from './stats.ts';
import type { Table } from './table.ts';

/** Issue 4 targets: Cairn ÷ xmtp-js. */
export const CONVERSATION_SPEEDUP_TARGET = 4;
export const SEND_SPEEDUP_TARGET = 1.5;

const LABELS: Record<ProtocolRow['operation'], string> = {
  'sign+encrypt': 'MessageV2 sign+encrypt',
  'decrypt+verify': 'MessageV2 decrypt+verify',
  conversation: '1,000-message conversation, decrypt+verify',
};

function size(bytes: number): string {
  return bytes >= 1024 ? `${bytes / 1024} KiB` : `${bytes} B`;
}

function perSecond(messages: number, ms: number): number {
  return (messages * 1000) / ms;
}

function rate(value: number): string {
  return `${Math.round(value).toLocaleString('en-US')}/s`;
}

function cell(row: ProtocolRow, side: 'cairn' | 'xmtp'): string {
  const { medianMs } = row[side];
  const r = rate(perSecond(row.messages, medianMs));
  return row.operation === 'conversation' ? `${(medianMs / 1000).toFixed(2)} s (${r})` : r;
}

/** Cairn's speed ÷ xmtp-js's (medians). */
export function speedup(row: ProtocolRow): number {
  return row.xmtp.medianMs / row.cairn.medianMs;
}

/** The table; `pinnedCpu` is the CPU the benchmark process ran on (undefined: not pinned). */
export function protocolTable(result: ProtocolResult, pinnedCpu: string | undefined): Table {
  const perMessageRuns = result.rows.find((r) => r.operation !== 'conversation')?.cairn.runs ?? 0;
  const conversationRuns = result.rows.find((r) => r.operation === 'conversation')?.cairn.runs ?? 0;
  return {
    title: `XMTP v2 messages in Node ${process.version}, one core: Cairn vs @xmtp/xmtp-js ${result.xmtpVersion} (medians)`,
    columns: [
      { header: 'operation' },
      { header: 'payload', align: 'right' },
      { header: 'Cairn', align: 'right' },
      { header: `xmtp-js ${result.xmtpVersion}`, align: 'right' },
      { header: 'Cairn ÷ xmtp-js', align: 'right' },
    ],
    rows: result.rows.map((row) => [
      LABELS[row.operation],
      size(row.payloadBytes),
      cell(row, 'cairn'),
      cell(row, 'xmtp'),
      `${speedup(row).toFixed(2)}×`,
    ]),
    notes: [
      'Fresh random identities and a shared conversation per side, built through each side’s own invitation path (Cairn Conversation.start / openSealedInvitation; xmtp-js InMemoryKeystore createInvite / saveInvites).',
      'sign+encrypt: Cairn Conversation.send vs xmtp-js ConversationV2.createMessage; decrypt+verify: Conversation.receive vs ConversationV2.decodeMessage, one message at a time on a warm conversation;',
      `${perMessageRuns} timed runs of 100 messages each, interleaved, after 1 warm-up.`,
      'Conversation: 1,000 messages alternating senders, read by one party from a freshly opened conversation (Cairn Conversation.restore + receive in order; xmtp-js new ConversationV2 + messages() over in-memory envelopes);',
      `${conversationRuns} timed runs after 1 warm-up; the time is the whole history (wall), the rate messages per second.`,
      'Payloads are opaque encoded-content bytes; neither side decodes content. Every result is checked (payload, sender), and one message each way through a mixed Cairn ↔ xmtp-js conversation is checked first.',
      'Cairn additionally checks sender_hmac and that the signer is the peer or self; xmtp-js checks neither.',
      `Cairn signs with a ${result.signingTable.window}-bit-window generator table, which the extension builds once per worker in a quiet moment after unlock; here it was built before timing, in ${result.signingTable.ms.toFixed(0)} ms. xmtp-js signs with its library’s default table.`,
      pinnedCpu === undefined
        ? 'NOT pinned to one CPU (no taskset): xmtp-js’s concurrent WebCrypto batch may use a second core.'
        : `The benchmark process ran pinned to CPU ${pinnedCpu} (taskset), so xmtp-js’s concurrent WebCrypto batch gains no second core.`,
      p90Note(perMessageRuns),
    ],
  };
}

/** Target lines for the summary: the worse of the two payloads per target. */
export function protocolTargetLines(result: ProtocolResult): string[] {
  const line = (operation: ProtocolRow['operation'], label: string, target: number) => {
    const rows = result.rows.filter((r) => r.operation === operation);
    if (rows.length === 0) return `${label} ≥ ${target}× xmtp-js: not measured`;
    const measured = rows.map((r) => `${size(r.payloadBytes)} ${speedup(r).toFixed(2)}×`).join(', ');
    const met = rows.every((r) => speedup(r) >= target);
    return `${label} ≥ ${target}× xmtp-js: ${measured} — ${met ? 'met' : 'NOT met'}`;
  };
  return [
    line('conversation', 'Conversation decrypt+verify', CONVERSATION_SPEEDUP_TARGET),
    line('sign+encrypt', 'MessageV2 sign+encrypt', SEND_SPEEDUP_TARGET),
  ];
}
