import { describe, expect, it, vi } from "vitest";
import { render, screen } from "@testing-library/react";
import userEvent from "@testing-library/user-event";
import { MemoryRouter } from "react-router";
import { Menu } from "./Menu";

describe("Menu", () => {
  it("opens, moves with arrows, selects with Enter, closes with Escape", async () => {
    const user = userEvent.setup();
    const a = vi.fn();
    const b = vi.fn();
    render(
      <MemoryRouter>
        <Menu label="Move WEB-1 to…" items={[{ label: "In Progress", onSelect: a }, { label: "Done", onSelect: b, disabled: true, hint: "not allowed" }, { label: "To Do", onSelect: b }]} />
      </MemoryRouter>,
    );
    const button = screen.getByRole("button", { name: "Move WEB-1 to…" });
    expect(button).toHaveAttribute("aria-expanded", "false");
    await user.click(button);
    expect(button).toHaveAttribute("aria-expanded", "true");
    const items = await screen.findAllByRole("menuitem");
    expect(items[1]).toHaveAttribute("aria-disabled", "true");
    await vi.waitFor(() => expect(document.activeElement).toBe(items[0]));
    await user.keyboard("{ArrowDown}");
    expect(document.activeElement).toBe(items[2]); // skips the disabled one
    await user.keyboard("{ArrowUp}{Enter}");
    expect(a).toHaveBeenCalledTimes(1);
    expect(b).not.toHaveBeenCalled();
    await user.click(button);
    await screen.findAllByRole("menuitem");
    await user.keyboard("{Escape}");
    expect(screen.queryByRole("menu")).toBeNull();
    expect(document.activeElement).toBe(button);
  });
});
