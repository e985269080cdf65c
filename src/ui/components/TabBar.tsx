/** The unlocked popup's sections as a row of buttons; the current one is marked `aria-current`. */
export function TabBar<T extends string>({
  tabs,
  current,
  onSelect,
}: {
  tabs: readonly { id: T; label: string }[];
  current: T;
  onSelect: (id: T) => void;
}) {
  return (
    <nav class="tabs" aria-label="Sections">
      {tabs.map((tab) => (
        <button
          key={tab.id}
          type="button"
          class="tab"
          aria-current={tab.id === current ? 'page' : undefined}
          onClick={() => onSelect(tab.id)}
        >
          {tab.label}
        </button>
      ))}
    </nav>
  );
}
