import { afterEach, describe, expect, it, vi } from "vitest";
import { render, screen, waitFor } from "@testing-library/react";
import userEvent from "@testing-library/user-event";
import { json, mockFetch, problem } from "../test/fetchMock";
import { baseTicket } from "../test/fixtures";
import { makeWrapper } from "../test/wrapper";
import CreateTicketDialog, { parseLabels } from "./CreateTicketDialog";

afterEach(() => vi.unstubAllGlobals());

const projects = { items: [{ id: "p", key: "WEB", name: "Website", description: "", version: 1, created_at: "", updated_at: "", private: false, archived_at: null }], next_cursor: null };
const members = { items: [{ user: { id: "u2", login: "bob", name: "Bob" }, role: "member", joined_at: "" }], next_cursor: null };

describe("parseLabels", () => {
  it("splits on commas and spaces and drops duplicates", () => {
    expect(parseLabels(" frontend, ux  frontend,,a11y ")).toEqual(["frontend", "ux", "a11y"]);
  });
});

describe("CreateTicketDialog", () => {
  it("posts the ticket to the chosen project and closes", async () => {
    document.cookie = "trellis_csrf=tok; path=/";
    const user = userEvent.setup();
    const { calls } = mockFetch((c) => {
      if (c.url.includes("/projects?")) return json(200, projects);
      if (c.url.includes("/members")) return json(200, members);
      if (c.url.includes("/custom-fields")) return json(200, { items: [] });
      return json(201, { ...baseTicket, key: "WEB-9", title: "New thing" }, { ETag: '"1"' });
    });
    const onClose = vi.fn();
    const { Wrapper } = makeWrapper();
    render(<CreateTicketDialog org="acme" defaultProject="WEB" onClose={onClose} />, { wrapper: Wrapper });
    await user.type(screen.getByLabelText("Title"), "New thing");
    await user.selectOptions(screen.getByLabelText("Type"), "bug");
    await waitFor(() => expect(screen.getByRole("option", { name: "Bob (@bob)" })).toBeInTheDocument());
    await user.selectOptions(screen.getByLabelText("Assignee"), "bob");
    await user.type(screen.getByLabelText("Labels"), "ui, ux");
    await user.click(screen.getByRole("button", { name: "Create" }));
    await waitFor(() => expect(onClose).toHaveBeenCalled());
    const post = calls.find((c) => c.method === "POST")!;
    expect(post.url).toBe("/api/v1/orgs/acme/projects/WEB/tickets");
    expect(post.body).toEqual({ title: "New thing", type: "bug", priority: "medium", description: "", assignee: "bob", labels: ["ui", "ux"], due_date: null });
    expect(post.headers["x-csrf-token"]).toBe("tok");
  });

  it("requires a title and shows the server's field error in place", async () => {
    const user = userEvent.setup();
    mockFetch((c) => {
      if (c.url.includes("/projects?")) return json(200, projects);
      if (c.url.includes("/members")) return json(200, members);
      if (c.url.includes("/custom-fields")) return json(200, { items: [] });
      return problem(422, "validation", { field: "title", detail: "must be at most 500 characters (got 612)" });
    });
    const { Wrapper } = makeWrapper();
    render(<CreateTicketDialog org="acme" defaultProject="WEB" onClose={() => {}} />, { wrapper: Wrapper });
    await user.click(screen.getByRole("button", { name: "Create" }));
    expect(await screen.findByText("A title is required.")).toBeInTheDocument();
    await user.type(screen.getByLabelText("Title"), "x");
    await user.click(screen.getByRole("button", { name: "Create" }));
    expect(await screen.findByText("must be at most 500 characters (got 612)")).toBeInTheDocument();
    expect(screen.getByLabelText("Title")).toHaveAttribute("aria-invalid", "true");
  });

  it("asks for the project's required custom fields, then sends them with the optional ones given", async () => {
    const user = userEvent.setup();
    const base = { description: "", version: 1, created_at: "", updated_at: "" };
    const fields = {
      items: [
        { ...base, id: "f1", number: 10001, name: "Tier", type: "select", required: true, projects: null, options: [{ id: "o1", value: "Gold" }, { id: "o2", value: "Silver" }] },
        { ...base, id: "f2", number: 10002, name: "Seats", type: "number", required: false, projects: ["WEB"], options: [] },
        { ...base, id: "f3", number: 10003, name: "Region", type: "text", required: true, projects: ["OPS"], options: [] },
        { ...base, id: "f4", number: 10004, name: "Notes", type: "text", required: false, projects: null, options: [] },
      ],
    };
    const { calls } = mockFetch((c) => {
      if (c.url.includes("/projects?")) return json(200, projects);
      if (c.url.includes("/members")) return json(200, members);
      if (c.url.includes("/custom-fields")) return json(200, fields);
      return json(201, { ...baseTicket, key: "WEB-9", title: "Deal" }, { ETag: '"1"' });
    });
    const onClose = vi.fn();
    const { Wrapper } = makeWrapper();
    render(<CreateTicketDialog org="acme" defaultProject="WEB" onClose={onClose} />, { wrapper: Wrapper });
    await user.type(screen.getByLabelText("Title"), "Deal");
    await screen.findByLabelText("Tier");
    // Region belongs to another project.
    expect(screen.queryByLabelText("Region")).toBeNull();
    await user.type(screen.getByLabelText("Seats"), "many");
    await user.click(screen.getByRole("button", { name: "Create" }));
    expect(await screen.findByText("Tier is required.")).toBeInTheDocument();
    expect(screen.getByText("A number, such as 12 or 3.5.")).toBeInTheDocument();
    expect(calls.some((c) => c.method === "POST")).toBe(false);
    await user.selectOptions(screen.getByLabelText("Tier"), "Silver");
    await user.clear(screen.getByLabelText("Seats"));
    await user.type(screen.getByLabelText("Seats"), "12");
    await user.click(screen.getByRole("button", { name: "Create" }));
    await waitFor(() => expect(onClose).toHaveBeenCalled());
    const post = calls.find((c) => c.method === "POST")!;
    expect((post.body as { custom_fields: unknown }).custom_fields).toEqual({ "10001": "o2", "10002": 12 });
  });

  it("shows the API's 422 for a custom field at that field", async () => {
    const user = userEvent.setup();
    const fields = { items: [{ id: "f1", number: 10001, name: "Customer", description: "", type: "text", required: false, projects: null, options: [], version: 1, created_at: "", updated_at: "" }] };
    mockFetch((c) => {
      if (c.url.includes("/projects?")) return json(200, projects);
      if (c.url.includes("/members")) return json(200, members);
      if (c.url.includes("/custom-fields")) return json(200, fields);
      return problem(422, "validation", { field: "custom_fields.10001", detail: "must not contain control characters" });
    });
    const { Wrapper } = makeWrapper();
    render(<CreateTicketDialog org="acme" defaultProject="WEB" onClose={() => {}} />, { wrapper: Wrapper });
    await user.type(screen.getByLabelText("Title"), "x");
    await user.type(await screen.findByLabelText("Customer"), "Acme");
    await user.click(screen.getByRole("button", { name: "Create" }));
    expect(await screen.findByText("must not contain control characters")).toBeInTheDocument();
    expect(screen.getByLabelText("Customer")).toHaveAttribute("aria-invalid", "true");
  });
});
