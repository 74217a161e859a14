import { lazy, Suspense, useState } from "react";
import { useMutation, useQuery, useQueryClient } from "@tanstack/react-query";
import { describeError, isApiError } from "../../api/client";
import { endpoints, qk } from "../../api/endpoints";
import { can, type Comment, type Page, type Role } from "../../api/types";
import { useMe } from "../../app/session";
import { MarkdownEditor } from "../../components/MarkdownEditor";
import { fullTime, relativeTime } from "../../lib/format";
import { Avatar, Button, Menu, SkeletonRows, useToast } from "../../ui";

const Markdown = lazy(() => import("../../components/Markdown"));

type Comments = Page<Comment>;

/** A ticket's comments, every page, oldest first (a ticket rarely has more than a few hundred). */
export function commentsQuery(org: string, ticketKey: string) {
  return {
    queryKey: qk.comments(org, ticketKey),
    queryFn: async (): Promise<Comments> => {
      const items: Comment[] = [];
      let cursor: string | null | undefined = null;
      for (let i = 0; i < 20; i++) {
        const page: Comments = await endpoints.comments(org, ticketKey, cursor);
        items.push(...page.items);
        cursor = page.next_cursor;
        if (!cursor) break;
      }
      return { items, next_cursor: cursor ?? null };
    },
    staleTime: 15_000,
  };
}

/** How many comments the ticket has (reads the same cache the comment list fills). */
export function useCommentCount(org: string, ticketKey: string): number | undefined {
  return useQuery(commentsQuery(org, ticketKey)).data?.items.filter((c) => !c.id.startsWith("pending-")).length;
}

/** Comments, oldest first; create, edit and delete paint at once and roll back on failure. */
export function Comments({ org, ticketKey, role }: { org: string; ticketKey: string; role: Role | undefined }) {
  const qc = useQueryClient();
  const toast = useToast();
  const { data: me } = useMe();
  const key = qk.comments(org, ticketKey);
  const comments = useQuery(commentsQuery(org, ticketKey));
  const [draft, setDraft] = useState("");
  const [editing, setEditing] = useState<string | null>(null);
  const [editDraft, setEditDraft] = useState("");

  const historyChanged = () => void qc.invalidateQueries({ queryKey: qk.history(org, ticketKey) });
  const create = useMutation({
    mutationFn: (body: string) => endpoints.createComment(org, ticketKey, body),
    onSettled: historyChanged,
    onMutate: async (body) => {
      await qc.cancelQueries({ queryKey: key });
      const prev = qc.getQueryData<Comments>(key);
      const temp: Comment = {
        id: `pending-${Date.now()}`,
        author: me ? { id: me.id, login: me.login, name: me.name } : { id: "", login: "you", name: "You" },
        body,
        version: 0,
        created_at: new Date().toISOString(),
        updated_at: new Date().toISOString(),
      };
      qc.setQueryData<Comments>(key, (d) => ({ items: [...(d?.items ?? []), temp], next_cursor: d?.next_cursor ?? null }));
      setDraft("");
      return { prev, temp, body };
    },
    onError: (e, _b, ctx) => {
      if (ctx) {
        qc.setQueryData(key, ctx.prev);
        setDraft((d) => d || ctx.body);
      }
      if (!(isApiError(e) && e.status === 402)) toast.error(`Comment not posted: ${describeError(e)}`);
    },
    onSuccess: (c, _b, ctx) => {
      qc.setQueryData<Comments>(key, (d) => d && { ...d, items: d.items.map((x) => (x.id === ctx?.temp.id ? c : x)) });
    },
  });

  const edit = useMutation({
    mutationFn: ({ c, body }: { c: Comment; body: string }) => endpoints.editComment(org, ticketKey, c.id, body, c.version),
    onSettled: historyChanged,
    onMutate: ({ c, body }) => {
      const prev = qc.getQueryData<Comments>(key);
      qc.setQueryData<Comments>(key, (d) => d && { ...d, items: d.items.map((x) => (x.id === c.id ? { ...x, body } : x)) });
      setEditing(null);
      return { prev };
    },
    onError: (e, _v, ctx) => {
      if (ctx?.prev) qc.setQueryData(key, ctx.prev);
      if (isApiError(e) && e.status === 412) {
        toast.error("This comment was changed by someone else; it has been reloaded.");
        void qc.invalidateQueries({ queryKey: key });
      } else if (!(isApiError(e) && e.status === 402)) toast.error(`Edit not saved: ${describeError(e)}`);
    },
    onSuccess: (c) => qc.setQueryData<Comments>(key, (d) => d && { ...d, items: d.items.map((x) => (x.id === c.id ? c : x)) }),
  });

  const remove = useMutation({
    mutationFn: (c: Comment) => endpoints.deleteComment(org, ticketKey, c.id, c.version),
    onSettled: historyChanged,
    onMutate: (c) => {
      const prev = qc.getQueryData<Comments>(key);
      qc.setQueryData<Comments>(key, (d) => d && { ...d, items: d.items.filter((x) => x.id !== c.id) });
      return { prev };
    },
    onError: (e, _c, ctx) => {
      if (ctx?.prev) qc.setQueryData(key, ctx.prev);
      if (!(isApiError(e) && e.status === 402)) toast.error(`Not deleted: ${describeError(e)}`);
    },
  });

  const canComment = can(role, "comments.create");
  const moderate = can(role, "comments.moderate");
  const submit = () => { if (draft.trim()) create.mutate(draft); };

  return (
    <section aria-label="Comments" className="comments">
      {comments.isLoading ? <SkeletonRows rows={3} label="Loading comments" /> : null}
      {comments.isError ? <p className="error-text" role="alert">Could not load comments: {describeError(comments.error)}</p> : null}
      {comments.data && comments.data.items.length === 0 ? <p className="muted">No comments yet.</p> : null}
      <ol className="comment-list">
        {(comments.data?.items ?? []).map((c) => {
          const mine = me?.id === c.author.id;
          const pending = c.id.startsWith("pending-");
          const mayChange = canComment && (mine || moderate) && !pending;
          return (
            <li key={c.id} className="comment" data-pending={pending || undefined} aria-label={`Comment by ${c.author.name}`}>
              <Avatar login={c.author.login} name={c.author.name} size="lg" />
              <div className="comment-body grow">
                <div className="row-between">
                  <div className="row">
                    <strong>{c.author.name}</strong>
                    <span className="muted" title={fullTime(c.created_at)}>{pending ? "sending…" : relativeTime(c.created_at)}</span>
                    {c.updated_at !== c.created_at && !pending ? <span className="muted" title={fullTime(c.updated_at)}>(edited)</span> : null}
                  </div>
                  {mayChange ? (
                    <Menu label={`Actions for the comment by ${c.author.name}`} align="end" buttonClassName="btn btn-ghost btn-sm btn-icon"
                      buttonContent={<span aria-hidden="true">⋯</span>}
                      items={[
                        { label: "Edit comment", onSelect: () => { setEditing(c.id); setEditDraft(c.body); } },
                        { label: "Delete comment", onSelect: () => { if (window.confirm("Delete this comment?")) remove.mutate(c); } },
                      ]} />
                  ) : null}
                </div>
                {editing === c.id ? (
                  <div className="stack">
                    <MarkdownEditor label="Edit comment" value={editDraft} onChange={setEditDraft} autoFocus rows={4}
                      onSubmitShortcut={() => editDraft.trim() && edit.mutate({ c, body: editDraft })} />
                    <div className="row">
                      <Button size="sm" variant="primary" onClick={() => editDraft.trim() && edit.mutate({ c, body: editDraft })}>Save</Button>
                      <Button size="sm" onClick={() => setEditing(null)}>Cancel</Button>
                    </div>
                  </div>
                ) : (
                  <Suspense fallback={<p className="prewrap">{c.body}</p>}>
                    <Markdown source={c.body} />
                  </Suspense>
                )}
              </div>
            </li>
          );
        })}
      </ol>
      {canComment ? (
        <form className="stack comment-form" onSubmit={(e) => { e.preventDefault(); submit(); }}>
          <MarkdownEditor label="Add a comment" value={draft} onChange={setDraft} rows={4} placeholder="Write a comment… (Markdown)" onSubmitShortcut={submit} testId="comment-input" />
          <div><Button type="submit" variant="primary" disabled={!draft.trim()}>Comment</Button></div>
        </form>
      ) : <p className="muted">Your role can read comments but not write them.</p>}
    </section>
  );
}
