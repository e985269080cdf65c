/**
 * Generates `fixtures/xmtp-js-v2.json` from xmtp-js 13 once. The fixture is kept forever so the
 * formats never drift; regenerate only deliberately:
 *   CAIRN_GENERATE_FIXTURES=1 npx vitest run test/protocol/generate-fixtures.test.ts
 */
import { writeFileSync } from 'node:fs';
import { contact } from '@xmtp/proto';
import {
  ConversationV2,
  InMemoryKeystore,
  InMemoryPersistence,
  PrivateKeyBundleV1,
  SignedPublicKeyBundle,
  MessageV1 as XmtpMessageV1,
} from '@xmtp/xmtp-js';
import Long from 'long';
import { bytesToHex } from 'viem';
import { generatePrivateKey, privateKeyToAccount } from 'viem/accounts';
import { describe, it } from 'vitest';

async function identity() {
  const key = generatePrivateKey();
  const account = privateKeyToAccount(key);
  const signer = {
    getAddress: async () => account.address,
    signMessage: (m: string) => account.signMessage({ message: m }),
  };
  const v1 = await PrivateKeyBundleV1.generate(signer as never);
  const keystore = await InMemoryKeystore.create(v1, InMemoryPersistence.create());
  return {
    key,
    address: account.address,
    v1,
    keystore,
    signed: SignedPublicKeyBundle.fromLegacyBundle(v1.getPublicKeyBundle()),
  };
}

const hex = (b: Uint8Array) => bytesToHex(Uint8Array.from(b));

describe.skipIf(!process.env.CAIRN_GENERATE_FIXTURES)('generate xmtp-js fixtures', () => {
  it('writes fixtures/xmtp-js-v2.json', async () => {
    const alice = await identity();
    const bob = await identity();
    const createdNs = BigInt(Date.now()) * 1_000_000n;
    const invite = await alice.keystore.createInvite({
      recipient: bob.signed,
      createdNs: Long.fromString(createdNs.toString(), true),
      context: undefined,
      consentProof: undefined,
    });
    const topic = invite.conversation!.topic;
    const keyMaterial = alice.keystore.lookupTopic(topic)!.invitation!.aes256GcmHkdfSha256!.keyMaterial;
    const client = { keystore: alice.keystore, signedPublicKeyBundle: alice.signed, address: alice.address };
    const convo = new ConversationV2(client as never, topic, bob.address, new Date(), undefined, undefined);
    const v2Payload = new TextEncoder().encode('fixture: MessageV2 from xmtp-js 13');
    const v2 = await convo.createMessage(v2Payload, true, new Date(Number(createdNs / 1_000_000n) + 1000));
    const v1Payload = new TextEncoder().encode('fixture: MessageV1 from xmtp-js 13');
    const v1 = await XmtpMessageV1.encode(
      alice.keystore,
      v1Payload,
      alice.v1.getPublicKeyBundle(),
      bob.v1.getPublicKeyBundle(),
      new Date(Number(createdNs / 1_000_000n) + 2000),
    );
    const fixture = {
      generator: '@xmtp/xmtp-js 13.0.4 (test/protocol/generate-fixtures.test.ts)',
      alice: {
        address: alice.address,
        privateKeyBundleV1: hex(alice.v1.encode()),
        contactBundleV1: hex(
          contact.ContactBundle.encode({
            v1: { keyBundle: alice.v1.getPublicKeyBundle() },
            v2: undefined,
          }).finish(),
        ),
        contactBundleV2: hex(
          contact.ContactBundle.encode({ v1: undefined, v2: { keyBundle: alice.signed } }).finish(),
        ),
        signedPublicKeyBundle: hex(alice.signed.toBytes()),
      },
      bob: { address: bob.address, privateKeyBundleV1: hex(bob.v1.encode()) },
      invitation: {
        createdNs: createdNs.toString(),
        sealed: hex(invite.payload),
        topic,
        keyMaterial: hex(keyMaterial),
      },
      messageV2: { bytes: hex(v2.toBytes()), id: v2.id, payload: hex(v2Payload) },
      messageV1: { bytes: hex(v1.toBytes()), id: v1.id, payload: hex(v1Payload) },
    };
    writeFileSync(
      new URL('./fixtures/xmtp-js-v2.json', import.meta.url),
      `${JSON.stringify(fixture, null, 2)}\n`,
    );
  });
});
