import { describe, expect, it } from "vitest";
import { render } from "@testing-library/react";
import Markdown from "./Markdown";

describe("Markdown sanitising", () => {
  it("never turns raw HTML into elements", () => {
    const { container } = render(
      <Markdown source={'Hello <script>window.pwned = 1</script> and <img src=x onerror="window.pwned=2"> **bold** <b onclick="x()">b</b>'} />,
    );
    expect(container.querySelector("script")).toBeNull();
    expect(container.querySelector("img")).toBeNull();
    expect(container.querySelector("[onerror]")).toBeNull();
    expect(container.querySelector("[onclick]")).toBeNull();
    expect(container.querySelector("strong")?.textContent).toBe("bold");
    expect((window as unknown as { pwned?: number }).pwned).toBeUndefined();
  });

  it("drops javascript: links", () => {
    const { container } = render(<Markdown source={"[click](javascript:alert(1)) [ok](https://example.com)"} />);
    const links = Array.from(container.querySelectorAll("a"));
    expect(links.map((a) => a.getAttribute("href") ?? "")).not.toContain("javascript:alert(1)");
    expect(links.some((a) => a.getAttribute("href") === "https://example.com")).toBe(true);
    expect(links.every((a) => a.getAttribute("rel")?.includes("noopener"))).toBe(true);
  });

  it("renders images as links, not <img>", () => {
    const { container } = render(<Markdown source={"![diagram](https://evil.example/track.png)"} />);
    expect(container.querySelector("img")).toBeNull();
    expect(container.querySelector("a")?.textContent).toBe("diagram");
  });

  it("renders GitHub-flavoured Markdown", () => {
    const { container } = render(<Markdown source={"- [x] done\n\n| a | b |\n|---|---|\n| 1 | 2 |"} />);
    expect(container.querySelector("table")).not.toBeNull();
    expect(container.querySelector("input[type=checkbox]")).not.toBeNull();
  });
});
