/**
 * A small deterministic avatar for an address: a mirrored 5×5 grid whose cells
 * and colours come from the address bytes, so two accounts are easy to tell apart.
 */
import type { Address } from 'viem';

const GRID = 5;

export function Identicon({ address, size = 32 }: { address: Address; size?: number }) {
  const hex = address.slice(2).toLowerCase();
  const byte = (i: number) => Number.parseInt(hex.slice((i * 2) % 40, ((i * 2) % 40) + 2), 16);
  const hue = Math.round((byte(0) / 255) * 360);
  const fg = `hsl(${hue} 65% 45%)`;
  const bg = `hsl(${(hue + 180) % 360} 40% 92%)`;
  const cells: preact.JSX.Element[] = [];
  for (let row = 0; row < GRID; row++) {
    for (let col = 0; col < Math.ceil(GRID / 2); col++) {
      if (byte(1 + row * 3 + col) % 2 === 0) continue;
      for (const x of new Set([col, GRID - 1 - col])) {
        cells.push(<rect key={`${row}-${x}`} x={x} y={row} width={1} height={1} fill={fg} />);
      }
    }
  }
  return (
    <svg class="identicon" width={size} height={size} viewBox={`0 0 ${GRID} ${GRID}`} aria-hidden="true">
      <rect width={GRID} height={GRID} fill={bg} />
      {cells}
    </svg>
  );
}
