/** Typed-data fields as a readable tree of names and values. */
const MAX_DEPTH = 8;

export function DataTree({ value, depth = 0 }: { value: unknown; depth?: number }) {
  if (value === null || typeof value !== 'object') return <span class="value">{String(value)}</span>;
  if (depth >= MAX_DEPTH) return <span class="value">…</span>;
  const entries = Array.isArray(value)
    ? value.map((item, i) => [String(i), item] as const)
    : Object.entries(value);
  return (
    <dl class="tree">
      {entries.map(([key, item]) => (
        <div key={key} class="tree-row">
          <dt>{key}</dt>
          <dd>
            <DataTree value={item} depth={depth + 1} />
          </dd>
        </div>
      ))}
    </dl>
  );
}
