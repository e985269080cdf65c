export function Welcome({ onCreate, onImport }: { onCreate: () => void; onImport: () => void }) {
  return (
    <main class="screen welcome">
      <h1>Cairn</h1>
      <p class="lead">A wallet and an end-to-end encrypted messenger for your Ethereum addresses.</p>
      <div class="actions">
        <button type="button" class="primary" onClick={onCreate}>
          Create a new wallet
        </button>
        <button type="button" onClick={onImport}>
          Import a wallet
        </button>
      </div>
    </main>
  );
}
