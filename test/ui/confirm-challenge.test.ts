import { describe, expect, it } from 'vitest';
import { confirmQuestions } from '../../src/ui/onboarding/confirm-challenge';

const words = 'abandon ability able about above absent absorb abstract absurd abuse access accident'.split(
  ' ',
);

describe('confirmQuestions', () => {
  it('asks distinct positions in order, each with the right word among distinct choices', () => {
    for (let run = 0; run < 50; run++) {
      const questions = confirmQuestions(words);
      expect(questions).toHaveLength(3);
      const positions = questions.map((q) => q.position);
      expect(new Set(positions).size).toBe(3);
      expect([...positions].sort((a, b) => a - b)).toEqual(positions);
      for (const q of questions) {
        expect(q.choices).toHaveLength(4);
        expect(new Set(q.choices).size).toBe(4);
        expect(q.choices).toContain(words[q.position]);
      }
    }
  });

  it('copes with repeated words in a phrase', () => {
    const repeated = 'test test test test test test test test test test test junk'.split(' ');
    for (const q of confirmQuestions(repeated)) expect(q.choices).toContain(repeated[q.position]);
  });
});
