import { describe, expect, it, vi } from "vitest";
import { render, screen, within } from "@testing-library/react";
import userEvent from "@testing-library/user-event";
import { qk } from "../../api/endpoints";
import type { CustomField } from "../../api/types";
import { baseTicket } from "../../test/fixtures";
import { makeWrapper } from "../../test/wrapper";
import { TicketCustomFields } from "./CustomFields";

const base = { description: "", required: false, version: 1, created_at: "", updated_at: "" };
const fields: CustomField[] = [
  { ...base, id: "f1", number: 10001, name: "Tier", type: "select", projects: null, options: [{ id: "o1", value: "Gold" }, { id: "o2", value: "Silver" }] },
  { ...base, id: "f2", number: 10002, name: "Seats", type: "number", projects: ["WEB"], options: [] },
  { ...base, id: "f3", number: 10003, name: "Region", type: "text", projects: ["OPS"], options: [] },
  { ...base, id: "f4", number: 10004, name: "Owner", type: "user", projects: null, options: [] },
];
const members = { items: [{ user: { id: "u2", login: "bob", name: "Bob" }, role: "member", joined_at: "" }], next_cursor: null };
const ticket = { ...baseTicket, custom_fields: { "10001": "o2", "10002": 12, "10004": "u2" } };

function setup(canEdit: boolean, errors: Record<string, string> = {}) {
  const { qc, Wrapper } = makeWrapper();
  qc.setQueryData(qk.customFields("acme"), fields);
  qc.setQueryData(qk.members("acme"), members);
  const patch = vi.fn();
  render(<TicketCustomFields org="acme" ticket={ticket} canEdit={canEdit} patch={patch} errors={errors} />, { wrapper: Wrapper });
  return { patch, region: screen.getByRole("region", { name: "Custom fields" }) };
}

describe("TicketCustomFields", () => {
  it("shows a reader the project's fields as text, without any control", () => {
    const { region } = setup(false);
    expect(within(region).getByTestId("cf-10001")).toHaveTextContent("TierSilver");
    expect(within(region).getByTestId("cf-10002")).toHaveTextContent("Seats12");
    expect(within(region).getByTestId("cf-10004")).toHaveTextContent("OwnerBob (@bob)");
    expect(within(region).queryByText("Region")).toBeNull();
    expect(within(region).queryAllByRole("combobox")).toHaveLength(0);
    expect(within(region).queryAllByRole("textbox")).toHaveLength(0);
  });

  it("saves an editor's select and number, refusing what is not a number before sending", async () => {
    const user = userEvent.setup();
    const { patch, region } = setup(true);
    expect(within(region).getByLabelText("Owner")).toHaveValue("bob");
    await user.selectOptions(within(region).getByLabelText("Tier"), "Gold");
    expect(patch).toHaveBeenLastCalledWith({ custom_fields: { "10001": "o1" } });
    const seats = within(region).getByLabelText("Seats");
    await user.clear(seats);
    await user.type(seats, "lots{Enter}");
    expect(within(region).getByText("A number, such as 12 or 3.5.")).toBeInTheDocument();
    expect(seats).toHaveAttribute("aria-invalid", "true");
    expect(patch).toHaveBeenCalledTimes(1);
    await user.clear(seats);
    await user.type(seats, "12{Enter}");
    // Unchanged: nothing sent.
    expect(patch).toHaveBeenCalledTimes(1);
    await user.clear(seats);
    await user.type(seats, "15{Enter}");
    expect(patch).toHaveBeenLastCalledWith({ custom_fields: { "10002": 15 } });
    await user.selectOptions(within(region).getByLabelText("Owner"), "");
    expect(patch).toHaveBeenLastCalledWith({ custom_fields: { "10004": null } });
  });

  it("shows the API's 422 at its field", () => {
    const { region } = setup(true, { "10001": "`Tier` is required" });
    expect(within(region).getByLabelText("Tier")).toHaveAttribute("aria-invalid", "true");
    expect(within(region).getByText("`Tier` is required")).toBeInTheDocument();
  });
});
