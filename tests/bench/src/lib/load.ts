import autocannon from 'autocannon';

/** The inquiry every intake benchmark posts (~560 bytes, a pothole in Västerås with a contact). */
export const INQUIRY = {
  serviceCode: 'pothole',
  description:
    'Det finns ett stort och djupt hål i asfalten vid övergångsstället utanför skolan på Vasagatan. ' +
    'Cyklister väjer ut i körbanan och en bil körde i hålet i morse. Kan ni laga det innan helgen? Tack!',
  location: { lat: 59.6113, long: 16.5451, address: 'Vasagatan 12, Västerås' },
  attributes: { size: 'large' },
  contact: { name: 'Karin Andersson', email: 'karin.andersson@example.se' },
  language: 'sv',
  channel: 'web',
};
export const INQUIRY_JSON = JSON.stringify(INQUIRY);

export interface LoadResult {
  rps: number;
  p50: number;
  p99: number;
  non2xx: number;
  errors: number;
  total: number;
}

/** Closed-loop load with autocannon in this process (one thread), like ../shared/bench. */
export async function postLoad(
  url: string,
  seconds: number,
  connections: number,
  headers: Record<string, string> = {},
): Promise<LoadResult> {
  const r = await autocannon({
    url,
    method: 'POST',
    headers: { 'content-type': 'application/json', ...headers },
    body: INQUIRY_JSON,
    connections,
    pipelining: 1,
    duration: seconds,
  });
  return {
    rps: r.requests.total / r.duration,
    p50: r.latency.p50,
    p99: r.latency.p99,
    non2xx: r.non2xx,
    errors: r.errors + r.timeouts,
    total: r.requests.total,
  };
}
