import { describe, expect, test } from "vitest";
import { formatBytes } from "./format";

describe("formatBytes", () => {
  test("bytes below a kilobyte are whole bytes", () => {
    expect(formatBytes(0)).toBe("0 B");
    expect(formatBytes(1)).toBe("1 B");
    expect(formatBytes(1023)).toBe("1023 B");
  });
  test("one decimal, dropped when it is zero", () => {
    expect(formatBytes(1024)).toBe("1 KB");
    expect(formatBytes(1536)).toBe("1.5 KB");
    expect(formatBytes(48213)).toBe("47.1 KB");
    expect(formatBytes(2 * 1024 * 1024)).toBe("2 MB");
    expect(formatBytes(3 * 1024 * 1024 + 1)).toBe("3 MB");
    expect(formatBytes(100 * 1024 * 1024)).toBe("100 MB");
    expect(formatBytes(1024 ** 3)).toBe("1 GB");
    expect(formatBytes(1024 ** 4)).toBe("1 TB");
  });
  test("large values have no decimal", () => {
    expect(formatBytes(123.45 * 1024 * 1024)).toBe("123 MB");
  });
  test("a value that would round up to 1024 of a unit moves to the next unit", () => {
    expect(formatBytes(1024 * 1024 - 1)).toBe("1 MB");
  });
  test("nonsense is empty", () => {
    expect(formatBytes(-1)).toBe("");
    expect(formatBytes(Number.NaN)).toBe("");
  });
});
