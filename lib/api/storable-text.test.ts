import { describe, expect, it } from "vitest";
import { isStorableText, toStorableJson, toStorableText, unstorableTextPath } from "./storable-text";

describe("storable text", () => {
  it("replaces NUL and unpaired surrogates with U+FFFD and keeps paired ones", () => {
    expect(toStorableText("a\u0000b")).toBe("a\uFFFDb");
    expect(toStorableText("x\uD800y\uDFFFz")).toBe("x\uFFFDy\uFFFDz");
    expect(toStorableText("\u0000\u0000")).toBe("\uFFFD\uFFFD");
    expect(toStorableText("clef \uD834\uDD1E")).toBe("clef \uD834\uDD1E");
    expect(isStorableText(toStorableText("\uDBFF\u0000\uD800"))).toBe(true);
  });

  it("makes every string and key of a JSON value storable, leaving numbers, nulls and a clean value as they are", () => {
    const clean = { a: [1, "two", null], b: { c: true } };
    expect(toStorableJson(clean)).toBe(clean);
    const dirty = { samples: [{ response: "ok\u0000", score: 1.5 }], ["k\u0000"]: null, n: 3 };
    const fixed = toStorableJson(dirty);
    expect(fixed).toEqual({ samples: [{ response: "ok\uFFFD", score: 1.5 }], ["k\uFFFD"]: null, n: 3 });
    expect(unstorableTextPath(fixed)).toBeNull();
    expect(dirty.samples[0]!.response).toBe("ok\u0000"); // a copy: the caller's value is untouched
  });
});
