//! Every id of the backend's own tables, each a UUIDv7 newtype so one kind of id can
//! never be passed where another is wanted (tenancy keeps the ids it owns: orgs,
//! users, tokens, invitations). A leaf: it imports no feature.

tenancy::id_type!(
    /// A file attached to a ticket.
    AttachmentId
);
tenancy::id_type!(
    /// An audit entry.
    AuditId
);
tenancy::id_type!(
    /// A comment.
    CommentId
);
tenancy::id_type!(
    /// A saved filter.
    FilterId
);
tenancy::id_type!(
    /// A project.
    ProjectId
);
tenancy::id_type!(
    /// A sprint of a project.
    SprintId
);
tenancy::id_type!(
    /// A status within a workflow.
    StatusId
);
tenancy::id_type!(
    /// A ticket.
    TicketId
);
tenancy::id_type!(
    /// An allowed move between two statuses.
    TransitionId
);
tenancy::id_type!(
    /// A workflow.
    WorkflowId
);
tenancy::id_type!(
    /// A link between two tickets.
    LinkId
);
tenancy::id_type!(
    /// A component of a project.
    ComponentId
);
tenancy::id_type!(
    /// Time logged on a ticket.
    WorklogId
);
tenancy::id_type!(
    /// One bulk-change request (its audit entries carry it).
    BulkId
);
tenancy::id_type!(
    /// An organization's own ticket field.
    CustomFieldId
);
tenancy::id_type!(
    /// One option of a select or multi-select custom field.
    CustomOptionId
);
tenancy::id_type!(
    /// One import of a file (its tickets' audit entries and original keys carry it).
    ImportId
);
