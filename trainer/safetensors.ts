/**
 * The safetensors format, by hand: 8-byte little-endian header length, a JSON header
 * ({name: {dtype, shape, data_offsets}}, plus "__metadata__" of strings), then raw
 * little-endian tensor bytes. We write F32; we read F32, F16 and BF16 (as F32).
 */

/** The host's own byte order is the format's (x64, arm64): float32 data moves in bulk, not value by value. */
const hostIsLittleEndian = new Uint8Array(new Uint16Array([1]).buffer)[0] === 1;
export interface HostTensor {
  shape: number[];
  data: Float32Array;
}

interface HeaderEntry {
  dtype: string;
  shape: number[];
  data_offsets: [number, number];
}
export type SafetensorsHeader = Record<string, HeaderEntry> & { __metadata__?: Record<string, string> };

export function writeSafetensors(tensors: Record<string, HostTensor>, metadata: Record<string, string> = {}): Uint8Array {
  const header: Record<string, unknown> = { __metadata__: metadata };
  let offset = 0;
  const names = Object.keys(tensors);
  for (const name of names) {
    const { shape, data } = tensors[name];
    const size = shape.reduce((a, b) => a * b, 1);
    if (size !== data.length) throw new Error(`${name}: shape [${shape}] holds ${size} values, data has ${data.length}`);
    header[name] = { dtype: "F32", shape, data_offsets: [offset, offset + data.length * 4] };
    offset += data.length * 4;
  }
  let json = JSON.stringify(header);
  json += " ".repeat((8 - ((8 + json.length) % 8)) % 8); // data starts 8-byte aligned
  const headerBytes = new TextEncoder().encode(json);
  const out = new Uint8Array(8 + headerBytes.length + offset);
  const view = new DataView(out.buffer);
  view.setBigUint64(0, BigInt(headerBytes.length), true);
  out.set(headerBytes, 8);
  let pos = 8 + headerBytes.length;
  for (const name of names) {
    const { data } = tensors[name];
    if (hostIsLittleEndian) {
      out.set(new Uint8Array(data.buffer, data.byteOffset, data.byteLength), pos);
      pos += data.byteLength;
    } else {
      for (const v of data) {
        view.setFloat32(pos, v, true);
        pos += 4;
      }
    }
  }
  return out;
}

export function readSafetensorsHeader(bytes: Uint8Array): { header: SafetensorsHeader; dataStart: number } {
  const view = new DataView(bytes.buffer, bytes.byteOffset, bytes.byteLength);
  const n = Number(view.getBigUint64(0, true));
  if (8 + n > bytes.length) throw new Error(`safetensors header length ${n} exceeds the file (${bytes.length} bytes)`);
  const header = JSON.parse(new TextDecoder().decode(bytes.subarray(8, 8 + n))) as SafetensorsHeader;
  return { header, dataStart: 8 + n };
}

function f16ToF32(h: number): number {
  const sign = h & 0x8000 ? -1 : 1;
  const exp = (h >> 10) & 0x1f;
  const frac = h & 0x3ff;
  if (exp === 0) return sign * 2 ** -14 * (frac / 1024);
  if (exp === 31) return frac ? NaN : sign * Infinity;
  return sign * 2 ** (exp - 15) * (1 + frac / 1024);
}

const bf16Scratch = new DataView(new ArrayBuffer(4));
/** bfloat16 is the top half of a float32. */
function bf16ToF32(h: number): number {
  bf16Scratch.setUint32(0, h << 16);
  return bf16Scratch.getFloat32(0);
}

/**
 * The tensors as float32. An F32 tensor whose data sits 4-byte aligned in `bytes` (as every
 * writer aligns it) is a view into `bytes`, not a copy: a 0.5 GB checkpoint is not held twice.
 */
export function readSafetensors(bytes: Uint8Array): { tensors: Record<string, HostTensor>; metadata: Record<string, string> } {
  const { header, dataStart } = readSafetensorsHeader(bytes);
  const view = new DataView(bytes.buffer, bytes.byteOffset, bytes.byteLength);
  const tensors: Record<string, HostTensor> = {};
  for (const [name, entry] of Object.entries(header)) {
    if (name === "__metadata__") continue;
    const { dtype, shape, data_offsets: [begin, end] } = entry as HeaderEntry;
    const size = shape.reduce((a, b) => a * b, 1);
    const at = dataStart + begin;
    const width = { F32: 4, F16: 2, BF16: 2 }[dtype];
    if (!width) throw new Error(`${name}: dtype ${dtype} is not supported (F32, F16, BF16)`);
    if (end - begin !== size * width) throw new Error(`${name}: ${end - begin} bytes for shape [${shape}] of ${dtype}`);
    if (at + size * width > bytes.byteLength) throw new Error(`${name}: data_offsets run past the end of the file`);
    if (dtype === "F32" && hostIsLittleEndian) {
      const offset = bytes.byteOffset + at;
      tensors[name] = { shape, data: offset % 4 === 0 ? new Float32Array(bytes.buffer, offset, size) : new Float32Array(bytes.buffer.slice(offset, offset + 4 * size)) };
      continue;
    }
    const data = new Float32Array(size);
    for (let i = 0; i < size; i++) {
      if (dtype === "F32") data[i] = view.getFloat32(at + 4 * i, true);
      else if (dtype === "F16") data[i] = f16ToF32(view.getUint16(at + 2 * i, true));
      else data[i] = bf16ToF32(view.getUint16(at + 2 * i, true));
    }
    tensors[name] = { shape, data };
  }
  return { tensors, metadata: header.__metadata__ ?? {} };
}
