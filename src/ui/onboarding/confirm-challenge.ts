/**
 * The "confirm your phrase" check: a few random positions, each with the right
 * word and distractors taken from the same phrase (no word list in the popup).
 */

export interface ConfirmQuestion {
  /** 0-based position in the phrase. */
  position: number;
  choices: string[];
}

function cryptoRandom(bound: number): number {
  const buffer = new Uint32Array(1);
  // Rejection sampling keeps the choice uniform.
  const limit = Math.floor(0x1_0000_0000 / bound) * bound;
  do crypto.getRandomValues(buffer);
  while (buffer[0]! >= limit);
  return buffer[0]! % bound;
}

function shuffle<T>(items: T[], random: (bound: number) => number): T[] {
  const copy = [...items];
  for (let i = copy.length - 1; i > 0; i--) {
    const j = random(i + 1);
    [copy[i], copy[j]] = [copy[j]!, copy[i]!];
  }
  return copy;
}

export function confirmQuestions(
  words: string[],
  count = 3,
  choicesPerQuestion = 4,
  random: (bound: number) => number = cryptoRandom,
): ConfirmQuestion[] {
  const positions = shuffle(
    words.map((_, i) => i),
    random,
  )
    .slice(0, count)
    .sort((a, b) => a - b);
  return positions.map((position) => {
    const answer = words[position]!;
    const others = shuffle([...new Set(words.filter((w) => w !== answer))], random).slice(
      0,
      choicesPerQuestion - 1,
    );
    return { position, choices: shuffle([answer, ...others], random) };
  });
}
