import { describe, expect, it } from "vitest";
import { defaultSnapshotName } from "./default-name";

describe("the snapshot form's default name", () => {
  const today = new Date("2026-11-28T15:42:00Z");

  it("is the day's date while no snapshot has that name", () => {
    expect(defaultSnapshotName({ existingNames: [], today })).toBe("snapshot 2026-11-28");
    expect(defaultSnapshotName({ existingNames: ["snapshot 2026-11-27", "reward data"], today })).toBe("snapshot 2026-11-28");
  });

  it("counts on from the second snapshot of a day, so two in one day differ", () => {
    const first = defaultSnapshotName({ existingNames: [], today });
    const second = defaultSnapshotName({ existingNames: [first], today });
    expect(second).toBe("snapshot 2026-11-28 (2)");
    expect(defaultSnapshotName({ existingNames: [first, second], today })).toBe("snapshot 2026-11-28 (3)");
  });

  it("takes the first free number when one was renamed or is missing", () => {
    expect(defaultSnapshotName({ existingNames: ["snapshot 2026-11-28", "snapshot 2026-11-28 (3)"], today })).toBe("snapshot 2026-11-28 (2)");
    expect(defaultSnapshotName({ existingNames: ["snapshot 2026-11-28", "snapshot 2026-11-28 (2)", "snapshot 2026-11-28 (3)"], today })).toBe("snapshot 2026-11-28 (4)");
  });
});
