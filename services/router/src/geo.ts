/**
 * Point-in-polygon for GeoJSON district boundaries (WGS84, [longitude, latitude] pairs) and the
 * great-circle distance used for duplicate detection. Districts are small, so planar ray casting on
 * degrees is exact enough; a point on an edge may fall either side, which routing tolerates.
 */
type Ring = [number, number][];

export interface Boundary {
  type: 'Polygon' | 'MultiPolygon';
  coordinates: unknown;
}

function inRing(ring: Ring, lon: number, lat: number): boolean {
  let inside = false;
  for (let i = 0, j = ring.length - 1; i < ring.length; j = i++) {
    const [xi, yi] = ring[i]!;
    const [xj, yj] = ring[j]!;
    if (yi > lat !== yj > lat && lon < ((xj - xi) * (lat - yi)) / (yj - yi) + xi) inside = !inside;
  }
  return inside;
}

/** Inside the outer ring and outside every hole. */
function inPolygon(rings: Ring[], lon: number, lat: number): boolean {
  const [outer, ...holes] = rings;
  if (!outer || !inRing(outer, lon, lat)) return false;
  return !holes.some((hole) => inRing(hole, lon, lat));
}

export function containsPoint(boundary: Boundary, latitude: number, longitude: number): boolean {
  if (boundary.type === 'Polygon') return inPolygon(boundary.coordinates as Ring[], longitude, latitude);
  return (boundary.coordinates as Ring[][]).some((polygon) => inPolygon(polygon, longitude, latitude));
}

const EARTH_RADIUS_METRES = 6_371_008.8;
const rad = (deg: number) => (deg * Math.PI) / 180;

/** Haversine distance in metres. */
export function distanceMetres(
  a: { latitude: number; longitude: number },
  b: { latitude: number; longitude: number },
): number {
  const dLat = rad(b.latitude - a.latitude);
  const dLon = rad(b.longitude - a.longitude);
  const h =
    Math.sin(dLat / 2) ** 2 + Math.cos(rad(a.latitude)) * Math.cos(rad(b.latitude)) * Math.sin(dLon / 2) ** 2;
  return 2 * EARTH_RADIUS_METRES * Math.asin(Math.min(1, Math.sqrt(h)));
}
