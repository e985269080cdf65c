/** Gossipsub topics of anchoring (src/chain/anchor-receipt.ts, src/relay/anchor-feed.ts). */

/** Where relays share the leaves of the messages they stored, as manifest pages. */
export const ANCHOR_LEAVES_TOPIC = '/cairn/1/anchor-leaves';
/** Where aggregators publish the receipts of confirmed batches. */
export const ANCHOR_RECEIPTS_TOPIC = '/cairn/1/anchor-receipts';
