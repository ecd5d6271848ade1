/**
 * The synthetic municipality's statistical model: volume over the year, week and day; the mix of
 * channels, categories and residents; and the disparities injected on purpose, so the equity
 * indicators have something true to find. docs/performance.md lists the same disparities.
 */

/** Relative call volume by local hour (a 12345-style double hump: mid-morning and mid-afternoon). */
export const HOURLY = [
  0.15, 0.08, 0.06, 0.05, 0.06, 0.15, 0.4, 1.1, 2.4, 3.2, 3.1, 2.7, 2.0, 2.5, 2.8, 2.6, 2.1, 1.5, 1.1, 0.9,
  0.8, 0.6, 0.4, 0.25,
];

/** ISO weekday 1 (Monday) … 7 (Sunday). */
export const WEEKDAY = [0, 1.18, 1.06, 1.02, 1.0, 0.92, 0.42, 0.38];

/** Seasonal factor by day of year: winter high, spring pothole peak, July holiday dip. */
export function seasonal(dayOfYear: number): number {
  const winter = 0.18 * Math.cos((2 * Math.PI * (dayOfYear - 20)) / 365);
  const spring = 0.3 * Math.exp(-(((dayOfYear - 100) / 18) ** 2));
  const july = -0.35 * Math.exp(-(((dayOfYear - 200) / 14) ** 2));
  return 1 + winter + spring + july;
}

export const CHANNELS = {
  items: ['web', 'phone', 'chat', 'email', 'app', 'open311', 'walk_in'],
  weights: [0.34, 0.3, 0.12, 0.1, 0.08, 0.04, 0.02],
} as const;
/** Channels with a live conversation: a contact row, and usually an answer on the spot. */
export const SYNCHRONOUS = new Set(['phone', 'chat', 'walk_in']);

/** Demo category codes → share of cases, handling factor (resolution effort), direct-answer share. */
export const CATEGORIES: Record<string, { share: number; effort: number; direct: number }> = {
  pothole: { share: 0.15, effort: 1.4, direct: 0.05 },
  streetlight: { share: 0.1, effort: 1.0, direct: 0.05 },
  'waste-collection': { share: 0.2, effort: 0.6, direct: 0.2 },
  'water-leak': { share: 0.05, effort: 0.3, direct: 0.02 },
  noise: { share: 0.1, effort: 1.8, direct: 0.1 },
  school: { share: 0.08, effort: 1.2, direct: 0.25 },
  'violence-support': { share: 0.01, effort: 0.8, direct: 0.0 },
  question: { share: 0.31, effort: 0.5, direct: 0.75 },
};

/**
 * Who brings inquiries. Each weight is the population share times a "propensity to contact"
 * (young adults contact the municipality less, older residents more), so `reach` shows
 * under-representation of 18–29 and over-representation of 45+ against the baseline.
 */
export const RESIDENTS = {
  gender: { items: ['woman', 'man', 'non_binary'], weights: [79_500 * 1.05, 80_000, 500 * 0.9] },
  age_band: {
    items: ['0-17', '18-29', '30-44', '45-64', '65+'],
    weights: [34_000 * 0.08, 26_000 * 0.55, 33_000 * 1.05, 38_000 * 1.3, 29_000 * 1.35],
  },
  district: {
    items: ['centrum', 'backby', 'skiljebo', 'hacksta'],
    weights: [30_000, 12_000, 9_000, 6_000],
  },
  language: { items: ['sv', 'en', 'ar', 'so', 'other'], weights: [0.75, 0.05, 0.09, 0.04, 0.07] },
};

/** Language baseline the demo tenant lacks (Västerås, rounded; home languages). */
export const LANGUAGE_BASELINE: [string, number][] = [
  ['sv', 120_000],
  ['en', 8_000],
  ['ar', 14_000],
  ['so', 6_000],
  ['other', 12_000],
];

/** Share of cases whose resident gave demographic answers, and of each answer given. */
export const PROFILE_SHARE = 0.55;
export const ANSWER_SHARE = 0.92;

/**
 * The injected disparities (multipliers on business-minute durations, shifted rating mixes).
 * Gender carries none on purpose: a correct equity report finds no gender gap.
 */
export const DISPARITY = {
  /** First response is slower for Somali and Arabic speakers (interpreter needed). */
  firstResponseByLanguage: { so: 2.5, ar: 1.6 } as Record<string, number>,
  /** On phone/chat, share answered on the spot (others get a call-back). */
  onTheSpotByLanguage: { so: 0.35, ar: 0.5 } as Record<string, number>,
  onTheSpot: 0.72,
  /** Bäckby's cases wait longer for a first response and for resolution. */
  firstResponseByDistrict: { backby: 1.8 } as Record<string, number>,
  resolutionByDistrict: { backby: 1.6, hacksta: 1.15 } as Record<string, number>,
  /** Ratings 1–5: residents 65+ are less satisfied. */
  ratings: [0.06, 0.07, 0.14, 0.33, 0.4],
  ratingsByAge: { '65+': [0.16, 0.14, 0.2, 0.28, 0.22] } as Record<string, number[]>,
  /** Dialogues: contributions from Somali and Arabic speakers are taken into account less often. */
  takenByLanguage: { so: 0.12, ar: 0.18 } as Record<string, number>,
  taken: 0.35,
  /** Dialogue participation propensity by age band (18–29 under-represented). */
  dialogueAge: [0.3, 0.4, 1.0, 1.2, 1.6],
};

/** Business minutes (median) before the first written answer and from there to resolution. */
export const FIRST_RESPONSE_MEDIAN = 150;
export const RESOLUTION_MEDIAN = 1500;

export const DESCRIPTIONS: Record<string, string[]> = {
  pothole: [
    'Stort hål i asfalten vid övergångsstället',
    'Pothole on the cycle path near the bridge',
    'Djupt hål i körbanan, bilar väjer',
  ],
  streetlight: [
    'Gatlyktan är trasig sedan en vecka',
    'Street light flickering all night',
    'Mörkt i gångtunneln',
  ],
  'waste-collection': [
    'Soptunnan har inte tömts',
    'Missed bin collection this week',
    'Matavfallet hämtades inte',
  ],
  'water-leak': ['Vatten sprutar upp ur marken', 'Water leaking from a hydrant', 'Läcka vid brunnen'],
  noise: ['Buller från byggarbetsplats på natten', 'Loud music every weekend', 'Fläkt som låter dygnet runt'],
  school: ['Fråga om förskoleplats', 'Question about school transport', 'Skolskjutsen kom inte'],
  'violence-support': ['Behöver stöd och råd', 'Need support, please call back'],
  question: ['Hur ansöker jag om bygglov?', 'When is the library open?', 'Var kan jag parkera?'],
};

export const STREETS = ['Stora gatan', 'Vasagatan', 'Kopparbergsvägen', 'Bäckbyvägen', 'Skultunavägen'];
