import { Tally } from '@samtal/indicators';

/**
 * How a tally is stored in a rollup row (`bytea`): its [value, count] pairs, values ascending, as
 * unsigned LEB128 varints — the first value zigzag-encoded (it may be negative), then each value as
 * its distance from the one before, then its count. Sorted values lie close together, so a pair
 * takes two or three bytes instead of the sixteen of two float8s; a day of a city's first-response
 * minutes fits in a few kilobytes and PostgreSQL hands it over as one hex string, which Node turns
 * into bytes natively (no per-element text parsing, unlike an array column).
 */

class ByteWriter {
  private bytes = new Uint8Array(256);
  length = 0;

  varint(value: number): void {
    if (this.length + 10 > this.bytes.length) {
      const grown = new Uint8Array(this.bytes.length * 2);
      grown.set(this.bytes);
      this.bytes = grown;
    }
    // Arithmetic, not bitwise: values may exceed 32 bits.
    let v = value;
    while (v >= 0x80) {
      this.bytes[this.length++] = (v % 0x80) + 0x80;
      v = Math.floor(v / 0x80);
    }
    this.bytes[this.length++] = v;
  }

  result(): Buffer {
    return Buffer.from(this.bytes.buffer, 0, this.length);
  }
}

export function encodeTally(tally: Tally): Buffer {
  const out = new ByteWriter();
  let previous: number | null = null;
  for (const [value, count] of tally.entries()) {
    if (!Number.isSafeInteger(value))
      throw new RangeError(`a stored tally counts whole numbers, got ${value}`);
    out.varint(previous === null ? (value < 0 ? -2 * value - 1 : 2 * value) : value - previous);
    out.varint(count);
    previous = value;
  }
  return out.result();
}

/** Adds the stored tally `bytes` into `into` (no intermediate arrays: rollup reads add up thousands). */
export function addEncodedTally(into: Tally, bytes: Uint8Array): void {
  let i = 0;
  const varint = () => {
    let value = 0;
    let scale = 1;
    for (;;) {
      const byte = bytes[i++];
      if (byte === undefined) throw new RangeError('a stored tally ends inside a number');
      value += (byte & 0x7f) * scale;
      if (byte < 0x80) return value;
      scale *= 0x80;
    }
  };
  let value: number | null = null;
  while (i < bytes.length) {
    const step = varint();
    value = value === null ? (step % 2 === 1 ? -(step + 1) / 2 : step / 2) : value + step;
    into.add(value, varint());
  }
}

export function decodeTally(bytes: Uint8Array): Tally {
  const tally = new Tally();
  addEncodedTally(tally, bytes);
  return tally;
}
