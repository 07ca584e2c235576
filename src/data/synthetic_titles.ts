/**
 * Titles for synthetic movies, made from words that suit the movie's first genre, so a list of
 * recommendations reads like one ("The Midnight Orbit (1994)", "Dust of the Frontier (1971)"):
 * a glance shows whether the tastes a model found hang together. Repeated titles become sequels.
 */
import type { Rng } from './rng';

/** Adjectives and nouns per genre; every genre of ML1M_GENRES has an entry. */
const WORDS: Record<string, [string[], string[]]> = {
  Action: [['Final', 'Deadly', 'Iron', 'Rogue', 'Maximum', 'Hard', 'Lethal', 'Broken'], ['Strike', 'Target', 'Fury', 'Force', 'Impact', 'Vengeance', 'Payback', 'Siege']],
  Adventure: [['Lost', 'Hidden', 'Golden', 'Distant', 'Wild', 'Forgotten', 'Great', 'Sunken'], ['Island', 'Temple', 'Treasure', 'Voyage', 'Expedition', 'Kingdom', 'River', 'Map']],
  Animation: [['Little', 'Magic', 'Brave', 'Tiny', 'Happy', 'Clever', 'Silly', 'Flying'], ['Fox', 'Dragon', 'Robot', 'Penguin', 'Toy', 'Mouse', 'Balloon', 'Kite']],
  "Children's": [['Little', 'Secret', 'Lucky', 'Magic', 'Best', 'Muddy', 'Friendly', 'Summer'], ['Puppy', 'Treehouse', 'Pony', 'Friends', 'Garden', 'Adventure', 'Camp', 'Giant']],
  Comedy: [['Crazy', 'Big', 'Wedding', 'Lucky', 'Weekend', 'Awkward', 'Wild', 'Accidental'], ['Party', 'Roommates', 'Vacation', 'Mix-Up', 'Neighbours', 'Disaster', 'Trip', 'Honeymoon']],
  Crime: [['Dirty', 'Cold', 'Silent', 'Heavy', 'Crooked', 'Perfect', 'Last', 'Blind'], ['Money', 'Heist', 'Witness', 'Deal', 'Alibi', 'Racket', 'Contract', 'Score']],
  Documentary: [['True', 'Hidden', 'Inside', 'Wild', 'Untold', 'Deep', 'Living', 'Quiet'], ['Planet', 'Story', 'Ocean', 'Machine', 'Harvest', 'Voices', 'Frontier', 'Record']],
  Drama: [['Quiet', 'Long', 'Broken', 'Second', 'Distant', 'Simple', 'Bitter', 'Open'], ['Promise', 'Winter', 'Letters', 'Return', 'Harvest', 'Silence', 'Shore', 'Inheritance']],
  Fantasy: [['Enchanted', 'Crystal', 'Shadow', 'Elder', 'Forgotten', 'Silver', 'Endless', 'Hollow'], ['Sword', 'Realm', 'Crown', 'Spell', 'Tower', 'Prophecy', 'Forest', 'Throne']],
  'Film-Noir': [['Dark', 'Naked', 'Double', 'Cold', 'Lonely', 'Smoky', 'Crooked', 'Midnight'], ['City', 'Street', 'Alley', 'Rain', 'Dame', 'Detour', 'Lie', 'Shadow']],
  Horror: [['Bloody', 'Haunted', 'Dead', 'Silent', 'Cursed', 'Rotten', 'Hungry', 'Pale'], ['Night', 'House', 'Cellar', 'Scream', 'Swamp', 'Ritual', 'Mask', 'Harvest']],
  Musical: [['Singing', 'Golden', 'Dancing', 'Starlit', 'Broadway', 'Happy', 'Moonlit', 'Swinging'], ['Melody', 'Stage', 'Serenade', 'Rhythm', 'Chorus', 'Ballroom', 'Song', 'Parade']],
  Mystery: [['Missing', 'Locked', 'Secret', 'Vanishing', 'Ninth', 'Hidden', 'Silent', 'Black'], ['Key', 'Room', 'Clue', 'Guest', 'Portrait', 'Letter', 'Manor', 'Stranger']],
  Romance: [['Endless', 'Summer', 'Sweet', 'Paris', 'Second', 'Secret', 'First', 'Stolen'], ['Love', 'Heart', 'Kiss', 'Promise', 'Affair', 'Romance', 'Letters', 'Chance']],
  'Sci-Fi': [['Dark', 'Red', 'Final', 'Quantum', 'Silent', 'Distant', 'Artificial', 'Frozen'], ['Orbit', 'Planet', 'Signal', 'Colony', 'Horizon', 'Machine', 'Star', 'Eclipse']],
  Thriller: [['Deadly', 'Blind', 'Silent', 'Sudden', 'Last', 'Hidden', 'Fatal', 'Perfect'], ['Witness', 'Game', 'Pursuit', 'Hour', 'Trap', 'Stranger', 'Countdown', 'Edge']],
  War: [['Last', 'Long', 'Iron', 'Bloody', 'Far', 'Bitter', 'Burning', 'Forgotten'], ['Bridge', 'Front', 'Battalion', 'Beach', 'Hill', 'Convoy', 'Trenches', 'Line']],
  Western: [['Dusty', 'High', 'Lone', 'Wild', 'Red', 'Last', 'Silver', 'Dry'], ['Frontier', 'Canyon', 'Ranch', 'Trail', 'Gulch', 'Rider', 'Saloon', 'Creek']],
};
const NAMES = ['Jack', 'Mary', 'Sam', 'Rosa', 'Eddie', 'Clara', 'Frank', 'Nell', 'Harry', 'Joan', 'Walt', 'Ingrid'];

/** One title for a movie whose first genre is `genre`, with its year; `taken` counts titles already used. */
export function movieTitle(genre: string, year: number, rng: Rng, taken: Map<string, number>): string {
  const [adjs, nouns] = WORDS[genre] ?? WORDS.Drama;
  const adj = adjs[rng.int(adjs.length)], noun = nouns[rng.int(nouns.length)], other = nouns[rng.int(nouns.length)];
  const patterns = [
    `The ${adj} ${noun}`, `${adj} ${noun}`, other === noun ? `The ${noun}` : `${noun} of the ${adj} ${other}`,
    `${NAMES[rng.int(NAMES.length)]}'s ${noun}`, `${/^[AEIOU]/.test(adj) ? 'An' : 'A'} ${adj} ${noun}`, `${noun}`,
  ];
  let title = patterns[rng.int(patterns.length)];
  const seen = taken.get(title) ?? 0;
  taken.set(title, seen + 1);
  if (seen > 0) title += seen === 1 ? ' II' : seen === 2 ? ' III' : ` ${seen + 1}`;
  return `${title} (${year})`;
}
