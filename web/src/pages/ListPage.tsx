import { memo, useEffect, useMemo, useRef, useState } from "react";
import { useTitle } from "../app/useTitle";
import { Link, useLocation, useNavigate, useParams, useSearchParams } from "react-router";
import { useInfiniteQuery, useMutation, useQuery, useQueryClient } from "@tanstack/react-query";
import { useVirtualizer } from "@tanstack/react-virtual";
import { describeError } from "../api/client";
import { endpoints, exportUrl, qk, type ExportParams } from "../api/endpoints";
import { customFieldsQuery, hoverIntent, prefetchTicket } from "../api/hooks";
import type { CustomField, SavedFilter, Ticket, UserRef } from "../api/types";
import { columnFields, fieldsForProject, formatValue, keyOf, toggleColumn } from "../customFields/fields";
import { ErrorState } from "../app/ErrorState";
import { useCurrentOrg, useMe } from "../app/session";
import { rememberProject } from "../app/ui-context";
import { JqlBar, jqlErrorOf } from "../components/JqlBar";
import { PRIORITY_ICON, PRIORITY_LABEL, TYPE_ICON, TYPE_LABEL, plural, relativeTime, fullTime } from "../lib/format";
import { parseOrderBy, scopeQuery, toggleSort, userColumn } from "../lib/jql";
import { Avatar, Button, Checkbox, Dialog, Menu, Skeleton, TextField, useToast, type MenuEntry } from "../ui";

const PAGE = 100;
const ROW = 40;

const COLUMNS: Array<{ id: string; label: string; sort?: string; className: string }> = [
  { id: "key", label: "Key", sort: "key", className: "c-key" },
  { id: "type", label: "Type", sort: "type", className: "c-type" },
  { id: "title", label: "Title", sort: "summary", className: "c-title" },
  { id: "status", label: "Status", sort: "status", className: "c-status" },
  { id: "priority", label: "Priority", sort: "priority", className: "c-prio" },
  { id: "assignee", label: "Assignee", sort: "assignee", className: "c-assignee" },
  { id: "updated", label: "Updated", sort: "updated", className: "c-updated" },
];

export default function ListPage() {
  const { key } = useParams();
  const project = key?.toUpperCase() ?? null;
  const { slug: org } = useCurrentOrg();
  const location = useLocation();
  const [params, setParams] = useSearchParams();
  const jql = params.get("jql") ?? "";
  const filterId = params.get("filter");
  const [draft, setDraft] = useState(jql);
  useEffect(() => setDraft(jql), [jql]);
  useEffect(() => { if (project) rememberProject(org, project); }, [org, project]);
  const showFilters = location.pathname.endsWith("/filters");

  const scoped = useMemo(() => (project ? scopeQuery(`project = ${project}`, jql) : null), [project, jql]);
  const effective = scoped ? scoped.jql : jql;

  const search = useInfiniteQuery({
    queryKey: qk.search(org, effective),
    queryFn: ({ pageParam }) => endpoints.search(org, { jql: effective, maxResults: PAGE, nextPageToken: pageParam }),
    initialPageParam: null as string | null,
    // Pages never change once fetched: skip deep-comparing thousands of rows on every page.
    structuralSharing: false,
    getNextPageParam: (last) => (last.isLast ? undefined : last.nextPageToken ?? undefined),
    staleTime: 15_000,
    placeholderData: (prev) => prev,
  });

  const rows = useMemo(() => search.data?.pages.flatMap((p) => p.issues) ?? [], [search.data]);
  const total = search.data?.pages[0]?.total ?? 0;
  const jqlError = search.error
    ? jqlErrorOf(search.error, scoped ? (c) => userColumn(scoped, c, jql) : undefined)
    : null;

  const run = (v: string) => {
    const next = new URLSearchParams(params);
    if (v.trim()) next.set("jql", v.trim());
    else next.delete("jql");
    setParams(next);
  };
  const sort = parseOrderBy(jql);

  // Custom fields as optional columns: `?cf=10001,10002`.
  const cfDefs = useQuery(customFieldsQuery(org));
  const cfParam = params.get("cf");
  const columns = useMemo(() => columnFields(cfDefs.data ?? [], cfParam, project), [cfDefs.data, cfParam, project]);
  const offered = useMemo(() => (project ? fieldsForProject(cfDefs.data ?? [], project) : cfDefs.data ?? []), [cfDefs.data, project]);
  const wantsPeople = columns.some((f) => f.type === "user");
  const members = useQuery({ queryKey: qk.members(org), queryFn: () => endpoints.members(org), staleTime: 60_000, enabled: wantsPeople });
  const people = useMemo(() => (members.data?.items ?? []).map((m) => m.user), [members.data]);
  const toggle = (f: CustomField) => {
    const next = new URLSearchParams(params);
    const v = toggleColumn(cfParam, f);
    if (v) next.set("cf", v);
    else next.delete("cf");
    setParams(next, { replace: true });
  };

  const title = project ? `${project} list` : showFilters ? "Saved filters" : "Issues";
  useTitle(title);

  return (
    <div className="list-page">
      <div className="page-header">
        <div>
          {project ? <div className="crumbs"><Link to={`/${org}/projects`}>Projects</Link> / {project}</div> : null}
          <h1>{title}</h1>
        </div>
        <div className="row">
          {project ? <Link className="btn btn-sm" to={`/${org}/projects/${project}/board${jql ? `?jql=${encodeURIComponent(jql)}` : ""}`}>Board view</Link> : null}
          {offered.length ? <ColumnsMenu offered={offered} shown={columns} onToggle={toggle} /> : null}
          <SavedFilters org={org} jql={jql} filterId={filterId} onOpen={(f) => setParams({ jql: f.jql, filter: f.id })} />
          <ExportMenu org={org} jql={effective} />
        </div>
      </div>
      {showFilters ? <FiltersTable org={org} /> : null}
      <JqlBar org={org} value={draft} onChange={setDraft} onSubmit={run} error={jqlError ? { ...jqlError, jql } : null}
        label={project ? `Search ${project} with JQL` : "Search with JQL"} busy={search.isFetching && !search.isFetchingNextPage} />
      <div className="list-summary row-between">
        <span aria-live="polite" data-testid="result-total">
          {search.isLoading ? "Searching…" : search.isError ? "" : `${plural(total, "ticket")}${rows.length < total ? ` · ${rows.length.toLocaleString()} loaded` : ""}`}
        </span>
        {sort ? <span className="muted">Sorted by {sort.field} {sort.dir === "DESC" ? "descending" : "ascending"}</span> : null}
      </div>
      {jqlError ? null : search.isError ? (
        <ErrorState error={search.error} what="the results" retry={() => void search.refetch()} />
      ) : (
        <ResultTable org={org} rows={rows} total={total} loading={search.isLoading}
          hasMore={!!search.hasNextPage} fetchingMore={search.isFetchingNextPage}
          loadMore={() => void search.fetchNextPage()} jql={jql} onSort={(f) => run(toggleSort(jql || "", f))}
          custom={columns} people={people} />
      )}
    </div>
  );
}

function ResultTable({
  org, rows, total, loading, hasMore, fetchingMore, loadMore, jql, onSort, custom, people,
}: {
  org: string;
  rows: Ticket[];
  total: number;
  loading: boolean;
  hasMore: boolean;
  fetchingMore: boolean;
  loadMore: () => void;
  jql: string;
  onSort: (field: string) => void;
  custom: CustomField[];
  people: UserRef[];
}) {
  const scroller = useRef<HTMLDivElement>(null);
  const sort = parseOrderBy(jql);
  const count = hasMore ? rows.length + 1 : rows.length;
  const virtual = useVirtualizer({
    count,
    getScrollElement: () => scroller.current,
    estimateSize: () => ROW,
    overscan: 8,
  });
  const items = virtual.getVirtualItems();
  const last = items[items.length - 1];
  useEffect(() => {
    if (last && last.index >= rows.length - 30 && hasMore && !fetchingMore) loadMore();
  }, [last, rows.length, hasMore, fetchingMore, loadMore]);

  if (loading) {
    return <div className="result-table" role="status" aria-label="Loading results">{Array.from({ length: 8 }, (_, i) => <div key={i} className="result-row"><Skeleton height="1rem" /></div>)}</div>;
  }
  if (rows.length === 0) {
    return <div className="state"><h2>No tickets match</h2><p>Try a broader query, or clear it to see everything.</p></div>;
  }

  return (
    <div className="result-table" role="table" aria-label="Search results" aria-rowcount={total + 1}>
      <div role="rowgroup" className="result-head">
        <div role="row" className="result-row result-row-head" aria-rowindex={1}>
          {[...COLUMNS, ...custom.map((f) => ({ id: `cf-${f.number}`, label: f.name, sort: `cf[${f.number}]`, className: "c-cf" }))].map((c) => {
            const active = sort && c.sort && sort.field === c.sort;
            return (
              <div key={c.id} role="columnheader" className={`cell ${c.className}`}
                aria-sort={active ? (sort!.dir === "ASC" ? "ascending" : "descending") : undefined}>
                {c.sort ? (
                  <button type="button" className="sort-btn" onClick={() => onSort(c.sort!)}>
                    {c.label}
                    <span aria-hidden="true" className="sort-ind">{active ? (sort!.dir === "ASC" ? "▲" : "▼") : ""}</span>
                    <span className="visually-hidden">, sort</span>
                  </button>
                ) : c.label}
              </div>
            );
          })}
        </div>
      </div>
      <div ref={scroller} className="result-scroll" role="rowgroup" data-testid="result-scroll">
        <div style={{ height: virtual.getTotalSize(), position: "relative" }}>
          {items.map((vi) => {
            const t = rows[vi.index];
            const style = { position: "absolute" as const, top: 0, left: 0, right: 0, height: ROW, transform: `translateY(${vi.start}px)` };
            if (!t) {
              return <div key="more" role="row" className="result-row" style={style} aria-rowindex={vi.index + 2}><div role="cell" className="cell muted">Loading more…</div></div>;
            }
            return <ResultRow key={t.key} org={org} t={t} index={vi.index} start={vi.start} custom={custom} people={people} />;
          })}
        </div>
      </div>
    </div>
  );
}

const ResultRow = memo(function ResultRow({ org, t, index, start, custom, people }: { org: string; t: Ticket; index: number; start: number; custom: CustomField[]; people: UserRef[] }) {
  const navigate = useNavigate();
  const qc = useQueryClient();
  const hover = useMemo(() => hoverIntent(() => prefetchTicket(qc, org, t)), [qc, org, t]);
  const style = { position: "absolute" as const, top: 0, left: 0, right: 0, height: ROW, transform: `translateY(${start}px)` };
  return (
    <div role="row" className="result-row" style={style} aria-rowindex={index + 2} tabIndex={0} data-nav-item
      data-testid={`row-${t.key}`}
      onClick={(e) => { if (!(e.target as HTMLElement).closest("a")) navigate(`/${org}/tickets/${t.key}`); }}
      onKeyDown={(e) => { if (e.key === "Enter" && e.target === e.currentTarget) navigate(`/${org}/tickets/${t.key}`); }}
      {...hover} onFocus={() => prefetchTicket(qc, org, t)}>
      <div role="cell" className="cell c-key mono"><Link to={`/${org}/tickets/${t.key}`} tabIndex={-1}>{t.key}</Link></div>
      <div role="cell" className="cell c-type"><span className={`type-icon type-${t.type}`} aria-hidden="true">{TYPE_ICON[t.type]}</span> <span className="type-label">{TYPE_LABEL[t.type]}</span></div>
      <div role="cell" className="cell c-title truncate" title={t.title}>{t.title}</div>
      <div role="cell" className="cell c-status"><span className={`status-pill cat-${t.status.category}`}>{t.status.name}</span></div>
      <div role="cell" className="cell c-prio"><span className={`prio prio-${t.priority}`} aria-hidden="true">{PRIORITY_ICON[t.priority]}</span> {PRIORITY_LABEL[t.priority]}</div>
      <div role="cell" className="cell c-assignee">{t.assignee ? <><Avatar login={t.assignee.login} name={t.assignee.name} /> <span className="truncate">{t.assignee.name}</span></> : <span className="muted">Unassigned</span>}</div>
      <div role="cell" className="cell c-updated muted" title={fullTime(t.updated_at)}>{relativeTime(t.updated_at)}</div>
      {custom.map((f) => {
        const shown = formatValue(f, t.custom_fields?.[keyOf(f)], people);
        return <div key={f.id} role="cell" className="cell c-cf" title={shown || undefined} data-testid={`cell-${t.key}-cf-${f.number}`}><span className="truncate">{shown}</span></div>;
      })}
    </div>
  );
});

/** Which custom fields show as columns (the whole org's on the issues page, the project's in its list). */
function ColumnsMenu({ offered, shown, onToggle }: { offered: CustomField[]; shown: CustomField[]; onToggle: (f: CustomField) => void }) {
  const items: MenuEntry[] = [
    { kind: "label", label: "Custom fields as columns" },
    ...offered.map((f): MenuEntry => {
      const on = shown.some((x) => x.id === f.id);
      return { label: `${on ? "Hide" : "Show"} ${f.name}`, onSelect: () => onToggle(f), testId: `column-${f.number}` };
    }),
  ];
  return <Menu label="Columns" items={items} align="end" testId="columns-menu" />;
}

function SavedFilters({ org, jql, filterId, onOpen }: { org: string; jql: string; filterId: string | null; onOpen: (f: SavedFilter) => void }) {
  const qc = useQueryClient();
  const toast = useToast();
  const { data: me } = useMe();
  const filters = useQuery({ queryKey: qk.filters(org), queryFn: () => endpoints.filters(org), staleTime: 30_000 });
  const [dialog, setDialog] = useState<null | { mode: "save" } | { mode: "rename"; filter: SavedFilter }>(null);
  const [name, setName] = useState("");
  const [shared, setShared] = useState(false);
  const [error, setError] = useState<string | null>(null);
  const current = filters.data?.items.find((f) => f.id === filterId) ?? null;
  const mine = (f: SavedFilter) => f.owner_id === me?.id;

  const save = useMutation({
    mutationFn: async () => {
      if (dialog?.mode === "rename") return endpoints.updateFilter(org, dialog.filter.id, { name: name.trim(), shared }, dialog.filter.version);
      return endpoints.createFilter(org, { name: name.trim(), jql, shared });
    },
    onSuccess: (f) => {
      void qc.invalidateQueries({ queryKey: qk.filters(org) });
      toast.success(dialog?.mode === "rename" ? `Renamed to “${f.name}”.` : `Saved “${f.name}”.`);
      setDialog(null);
      if (dialog?.mode === "save") onOpen(f);
    },
    onError: (e) => setError(describeError(e)),
  });
  const update = useMutation({
    mutationFn: (f: SavedFilter) => endpoints.updateFilter(org, f.id, { jql }, f.version),
    onSuccess: (f) => { void qc.invalidateQueries({ queryKey: qk.filters(org) }); toast.success(`Updated “${f.name}” with this query.`); },
    onError: (e) => toast.error(describeError(e)),
  });
  const remove = useMutation({
    mutationFn: (f: SavedFilter) => endpoints.deleteFilter(org, f.id, f.version),
    onSuccess: () => { void qc.invalidateQueries({ queryKey: qk.filters(org) }); toast.success("Filter deleted."); },
    onError: (e) => toast.error(describeError(e)),
  });

  const items: MenuEntry[] = [
    { kind: "label", label: "Open a saved filter" },
    ...(filters.data?.items ?? []).map((f): MenuEntry => ({
      label: <span className="row"><span>{f.id === filterId ? "✓ " : ""}{f.name}</span>{f.shared ? <span className="badge">shared</span> : null}</span>,
      onSelect: () => onOpen(f),
    })),
    ...((filters.data?.items.length ?? 0) === 0 ? [{ kind: "label", label: "No saved filters yet" } as MenuEntry] : []),
    { kind: "separator" },
    { label: "Save current query as…", onSelect: () => { setName(""); setShared(false); setError(null); setDialog({ mode: "save" }); } },
    ...(current && mine(current)
      ? ([
          { label: `Update “${current.name}” with this query`, onSelect: () => update.mutate(current), disabled: current.jql === jql },
          { label: `Rename “${current.name}”…`, onSelect: () => { setName(current.name); setShared(current.shared); setError(null); setDialog({ mode: "rename", filter: current }); } },
          { label: `Delete “${current.name}”`, onSelect: () => { if (window.confirm(`Delete the filter “${current.name}”?`)) remove.mutate(current); } },
        ] as MenuEntry[])
      : []),
    { kind: "separator" },
    { label: "Manage filters", href: `/${org}/filters` },
  ];

  return (
    <>
      {current ? <span className="badge badge-accent" data-testid="current-filter">Filter: {current.name}</span> : null}
      <Menu label="Saved filters" align="end" items={items} testId="saved-filters" />
      <Dialog open={dialog !== null} onClose={() => setDialog(null)} title={dialog?.mode === "rename" ? "Rename filter" : "Save filter"}
        footer={<><Button onClick={() => setDialog(null)}>Cancel</Button><Button variant="primary" type="submit" form="filter-form" disabled={save.isPending}>Save</Button></>}>
        <form id="filter-form" className="stack" onSubmit={(e) => { e.preventDefault(); if (name.trim()) save.mutate(); else setError("A name is required."); }}>
          <TextField label="Name" value={name} onChange={(e) => setName(e.target.value)} autoFocus required error={error ?? undefined} />
          {dialog?.mode === "save" ? <p className="muted">Query: <code>{jql || "(everything)"}</code></p> : null}
          <Checkbox label="Share with everyone in the organization" checked={shared} onChange={(e) => setShared(e.target.checked)} />
        </form>
      </Dialog>
    </>
  );
}

function FiltersTable({ org }: { org: string }) {
  const filters = useQuery({ queryKey: qk.filters(org), queryFn: () => endpoints.filters(org) });
  const navigate = useNavigate();
  if (filters.isError) return <ErrorState error={filters.error} what="saved filters" />;
  return (
    <section className="panel filters-panel" aria-label="Saved filters list">
      {filters.data && filters.data.items.length === 0 ? <p className="muted" style={{ padding: "var(--space-3)" }}>No saved filters yet. Run a query, then “Saved filters → Save current query as…”.</p> : null}
      {filters.data && filters.data.items.length > 0 ? (
        <div className="table-wrap" tabIndex={0} role="region" aria-label="Saved filters table">
          <table className="table">
            <thead><tr><th scope="col">Name</th><th scope="col">Query</th><th scope="col">Sharing</th><th scope="col"><span className="visually-hidden">Actions</span></th></tr></thead>
            <tbody>
              {filters.data.items.map((f) => (
                <tr key={f.id}>
                  <td>{f.name}</td>
                  <td><code>{f.jql || "(everything)"}</code></td>
                  <td>{f.shared ? "Shared" : "Private"}</td>
                  <td><Button size="sm" onClick={() => navigate(`/${org}/issues?jql=${encodeURIComponent(f.jql)}&filter=${f.id}`)}>Open<span className="visually-hidden"> {f.name}</span></Button></td>
                </tr>
              ))}
            </tbody>
          </table>
        </div>
      ) : null}
    </section>
  );
}

/** Downloads every ticket of the current query (not only the loaded rows) from `GET /export`. */
function ExportMenu({ org, jql }: { org: string; jql: string }) {
  const download = (p: Omit<ExportParams, "jql">) => window.location.assign(exportUrl(org, { jql, ...p }));
  const items: MenuEntry[] = [
    { kind: "label", label: "Every ticket of this query" },
    { label: "CSV", hint: "spreadsheets, Jira", onSelect: () => download({ format: "csv" }), testId: "export-csv" },
    { label: "CSV for Excel", hint: "with a byte order mark", onSelect: () => download({ format: "csv", bom: true }) },
    { label: "JSON", onSelect: () => download({ format: "json" }), testId: "export-json" },
  ];
  return <Menu label="Export" items={items} align="end" testId="export-menu" />;
}
