/**
 * Normalisation constants of the consonance score, computed by `computeReferenceStats()` over
 * `referenceChords()` (see consonance.ts); a test recomputes and compares them.
 */
type Stat = readonly [number, number];
const row = (m: number, sd: number): Stat => [m, sd];

export const REFERENCE_TABLE = {
  pairRoughness: row(0.08908748984019345, 0.07266596089428658),
  harmonicity: [
    row(1.0917651451769175, 0.17201153322009424),
    row(0.8933454880991514, 0.13849395986248242),
    row(0.7792951111073013, 0.10128099745876785),
    row(0.6936228931428836, 0.08009317946037067),
    row(0.6470912693764563, 0.06547413123724276),
  ],
  periodicity: [
    row(2.1219343936201507, 1.0442697809894128),
    row(3.46050299066677, 1.2639612005316025),
    row(4.450900722586727, 1.1037242592821035),
    row(5.182830682096022, 0.9033648821388481),
    row(5.668790772708204, 0.7607244153713503),
  ],
  tonalDissonance: [
    row(2.295, 1.4223132566351158),
    row(3.85, 2.360614326822577),
    row(5.38, 3.606327772124993),
    row(7.47, 4.133291666456652),
    row(9.135, 3.8310279299425622),
  ],
  score: row(0.1833345451852194, 0.9365309889273141),
} as const;
