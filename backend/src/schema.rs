//! Diesel definitions of the tables and views. Written by hand to match
//! `migrations/`; every query here runs in the tests.

diesel::table! {
    users (id) {
        id -> Uuid,
        login -> Text,
        name -> Text,
        email -> Nullable<Text>,
        github_id -> Nullable<Int8>,
        created_at -> Timestamptz,
        deleted_at -> Nullable<Timestamptz>,
        github_token -> Nullable<Text>,
        verified_emails -> Array<Text>,
        updated_at -> Timestamptz,
    }
}

diesel::table! {
    orgs (id) {
        id -> Uuid,
        slug -> Text,
        name -> Text,
        version -> Int4,
        created_at -> Timestamptz,
        updated_at -> Timestamptz,
        deleted_at -> Nullable<Timestamptz>,
    }
}

diesel::table! {
    memberships (org_id, user_id) {
        org_id -> Uuid,
        user_id -> Uuid,
        role -> Text,
        created_at -> Timestamptz,
    }
}

diesel::table! {
    workflows (id) {
        id -> Uuid,
        org_id -> Uuid,
        name -> Text,
        created_at -> Timestamptz,
    }
}

diesel::table! {
    statuses (id) {
        id -> Uuid,
        org_id -> Uuid,
        workflow_id -> Uuid,
        name -> Text,
        category -> Text,
        position -> Int4,
    }
}

diesel::table! {
    transitions (id) {
        id -> Uuid,
        org_id -> Uuid,
        workflow_id -> Uuid,
        from_status_id -> Uuid,
        to_status_id -> Uuid,
        name -> Text,
        allowed_roles -> Array<Text>,
    }
}

diesel::table! {
    projects (id) {
        id -> Uuid,
        org_id -> Uuid,
        key -> Text,
        name -> Text,
        description -> Text,
        workflow_id -> Uuid,
        ticket_counter -> Int4,
        version -> Int4,
        created_at -> Timestamptz,
        updated_at -> Timestamptz,
        archived_at -> Nullable<Timestamptz>,
        private -> Bool,
    }
}

diesel::table! {
    tickets (id) {
        id -> Uuid,
        org_id -> Uuid,
        project_id -> Uuid,
        number -> Int4,
        title -> Text,
        description -> Text,
        #[sql_name = "type"]
        kind -> Text,
        priority -> Int2,
        status_id -> Uuid,
        assignee_id -> Nullable<Uuid>,
        reporter_id -> Uuid,
        labels -> Array<Text>,
        due_date -> Nullable<Date>,
        version -> Int4,
        created_at -> Timestamptz,
        updated_at -> Timestamptz,
        resolved_at -> Nullable<Timestamptz>,
        deleted_at -> Nullable<Timestamptz>,
        sprint_id -> Nullable<Uuid>,
        rank -> Text,
        parent_id -> Nullable<Uuid>,
        story_points -> Nullable<Float8>,
        original_estimate -> Nullable<Int4>,
        start_date -> Nullable<Date>,
        /// Minutes logged in worklogs.
        time_spent -> Int4,
        /// Minutes.
        remaining_estimate -> Nullable<Int4>,
        /// The keys it had before moving to other projects, oldest first.
        moved_from -> Array<Text>,
        /// Custom field values by field id (`custom_fields::Values`).
        custom_fields -> Jsonb,
    }
}

diesel::table! {
    /// `tickets` joined with its project key, status, assignee and reporter (a view).
    ticket_views (id) {
        id -> Uuid,
        org_id -> Uuid,
        project_id -> Uuid,
        project_key -> Text,
        number -> Int4,
        // The view's `key` column (project key, '-', number) is left out: diesel's
        // 32-column limit; the row builds the key from its parts.
        title -> Text,
        description -> Text,
        #[sql_name = "type"]
        kind -> Text,
        priority -> Int2,
        status_id -> Uuid,
        status_name -> Text,
        status_category -> Text,
        assignee_id -> Nullable<Uuid>,
        assignee_login -> Nullable<Text>,
        assignee_name -> Nullable<Text>,
        reporter_id -> Uuid,
        reporter_login -> Text,
        reporter_name -> Text,
        labels -> Array<Text>,
        due_date -> Nullable<Date>,
        version -> Int4,
        created_at -> Timestamptz,
        updated_at -> Timestamptz,
        resolved_at -> Nullable<Timestamptz>,
        deleted_at -> Nullable<Timestamptz>,
        sprint_id -> Nullable<Uuid>,
        sprint_name -> Nullable<Text>,
        rank -> Text,
        parent_id -> Nullable<Uuid>,
        /// The live parent's key.
        parent_key -> Nullable<Text>,
        /// Live children, and those of them in a `done` status.
        children_total -> Int8,
        children_done -> Int8,
        story_points -> Nullable<Float8>,
        /// Minutes.
        original_estimate -> Nullable<Int4>,
        start_date -> Nullable<Date>,
        /// How many people watch it.
        watchers -> Int8,
        /// The names of its components, in name order.
        components -> Array<Text>,
        /// Minutes logged in worklogs.
        time_spent -> Int4,
        /// Minutes.
        remaining_estimate -> Nullable<Int4>,
        /// The keys it had before moving to other projects, oldest first.
        moved_from -> Array<Text>,
        /// Custom field values by field id (`custom_fields::Values`).
        custom_fields -> Jsonb,
    }
}

diesel::table! {
    comments (id) {
        id -> Uuid,
        org_id -> Uuid,
        ticket_id -> Uuid,
        author_id -> Uuid,
        body -> Text,
        version -> Int4,
        created_at -> Timestamptz,
        updated_at -> Timestamptz,
        deleted_at -> Nullable<Timestamptz>,
    }
}

diesel::table! {
    /// `comments` joined with the author (a view).
    comment_views (id) {
        id -> Uuid,
        org_id -> Uuid,
        ticket_id -> Uuid,
        author_id -> Uuid,
        author_login -> Text,
        author_name -> Text,
        body -> Text,
        version -> Int4,
        created_at -> Timestamptz,
        updated_at -> Timestamptz,
        deleted_at -> Nullable<Timestamptz>,
    }
}

diesel::table! {
    api_tokens (id) {
        id -> Uuid,
        org_id -> Uuid,
        user_id -> Uuid,
        name -> Text,
        token_hash -> Bytea,
        created_at -> Timestamptz,
        last_used_at -> Nullable<Timestamptz>,
        expires_at -> Nullable<Timestamptz>,
        revoked_at -> Nullable<Timestamptz>,
        permissions -> Nullable<Array<Text>>,
    }
}

diesel::table! {
    audit_log (id) {
        id -> Uuid,
        org_id -> Uuid,
        actor_id -> Nullable<Uuid>,
        token_id -> Nullable<Uuid>,
        action -> Text,
        entity_type -> Text,
        entity_id -> Uuid,
        before -> Nullable<Jsonb>,
        after -> Nullable<Jsonb>,
        request_id -> Nullable<Text>,
        ip -> Nullable<Text>,
        created_at -> Timestamptz,
        /// The bulk request the entry belongs to (set from `app.bulk_id`).
        bulk_id -> Nullable<Uuid>,
        /// The import the entry belongs to (set from `app.import_id`).
        import_id -> Nullable<Uuid>,
    }
}

diesel::table! {
    sprints (id) {
        id -> Uuid,
        org_id -> Uuid,
        project_id -> Uuid,
        name -> Text,
        goal -> Text,
        state -> Text,
        start_date -> Nullable<Date>,
        end_date -> Nullable<Date>,
        started_at -> Nullable<Timestamptz>,
        completed_at -> Nullable<Timestamptz>,
        version -> Int4,
        created_at -> Timestamptz,
        updated_at -> Timestamptz,
    }
}

diesel::table! {
    /// The closed sprints a ticket was in when they were completed.
    ticket_sprints (org_id, ticket_id, sprint_id) {
        org_id -> Uuid,
        ticket_id -> Uuid,
        sprint_id -> Uuid,
    }
}

diesel::table! {
    sprint_scope_changes (id) {
        id -> Uuid,
        org_id -> Uuid,
        sprint_id -> Uuid,
        ticket_id -> Uuid,
        change -> Text,
        at -> Timestamptz,
    }
}

diesel::table! {
    /// Stored in the outward direction: `source` blocks / duplicates / clones / relates
    /// to `target`.
    ticket_links (id) {
        id -> Uuid,
        org_id -> Uuid,
        source_id -> Uuid,
        target_id -> Uuid,
        link_type -> Text,
        created_by -> Uuid,
        created_at -> Timestamptz,
    }
}

diesel::table! {
    ticket_watchers (org_id, ticket_id, user_id) {
        org_id -> Uuid,
        ticket_id -> Uuid,
        user_id -> Uuid,
        created_at -> Timestamptz,
    }
}

diesel::table! {
    mentions (id) {
        id -> Uuid,
        org_id -> Uuid,
        ticket_id -> Uuid,
        comment_id -> Nullable<Uuid>,
        user_id -> Uuid,
        author_id -> Uuid,
        created_at -> Timestamptz,
    }
}

diesel::table! {
    components (id) {
        id -> Uuid,
        org_id -> Uuid,
        project_id -> Uuid,
        name -> Text,
        description -> Text,
        lead_id -> Nullable<Uuid>,
        version -> Int4,
        created_at -> Timestamptz,
        updated_at -> Timestamptz,
    }
}

diesel::table! {
    ticket_components (org_id, ticket_id, component_id) {
        org_id -> Uuid,
        ticket_id -> Uuid,
        component_id -> Uuid,
    }
}

diesel::joinable!(statuses -> workflows (workflow_id));
diesel::joinable!(projects -> workflows (workflow_id));
diesel::joinable!(tickets -> projects (project_id));
diesel::joinable!(sprints -> projects (project_id));

diesel::allow_tables_to_appear_in_same_query!(
    workflows,
    statuses,
    transitions,
    projects,
    tickets,
    ticket_views,
    comments,
    comment_views,
    api_tokens,
    audit_log,
    sprints,
    ticket_sprints,
    sprint_scope_changes,
    ticket_links,
    ticket_watchers,
    mentions,
    components,
    ticket_components,
);
diesel::allow_tables_to_appear_in_same_query!(components, users);
diesel::joinable!(memberships -> users (user_id));
diesel::joinable!(memberships -> orgs (org_id));
diesel::allow_tables_to_appear_in_same_query!(users, orgs, memberships, api_tokens);
diesel::allow_tables_to_appear_in_same_query!(audit_log, users);
diesel::allow_tables_to_appear_in_same_query!(comments, users);
diesel::allow_tables_to_appear_in_same_query!(mentions, users);

diesel::table! {
    saved_filters (id) {
        id -> Uuid,
        org_id -> Uuid,
        owner_id -> Uuid,
        name -> Text,
        jql -> Text,
        shared -> Bool,
        version -> Int4,
        created_at -> Timestamptz,
        updated_at -> Timestamptz,
    }
}

diesel::joinable!(saved_filters -> users (owner_id));
diesel::allow_tables_to_appear_in_same_query!(saved_filters, users);

diesel::table! {
    refresh_tokens (id) {
        id -> Uuid,
        family_id -> Uuid,
        user_id -> Uuid,
        token_hash -> Bytea,
        created_at -> Timestamptz,
        expires_at -> Timestamptz,
        rotated_at -> Nullable<Timestamptz>,
        revoked_at -> Nullable<Timestamptz>,
    }
}

diesel::table! {
    oauth_states (state_hash) {
        state_hash -> Bytea,
        pkce_verifier -> Text,
        redirect_to -> Text,
        created_at -> Timestamptz,
        expires_at -> Timestamptz,
    }
}

diesel::table! {
    login_links (token_hash) {
        token_hash -> Bytea,
        user_id -> Uuid,
        created_at -> Timestamptz,
        expires_at -> Timestamptz,
        used_at -> Nullable<Timestamptz>,
    }
}

diesel::table! {
    invitations (id) {
        id -> Uuid,
        org_id -> Uuid,
        github_login -> Nullable<Text>,
        email -> Nullable<Text>,
        role -> Text,
        token_hash -> Bytea,
        invited_by -> Uuid,
        created_at -> Timestamptz,
        expires_at -> Timestamptz,
        accepted_at -> Nullable<Timestamptz>,
        accepted_by -> Nullable<Uuid>,
        declined_at -> Nullable<Timestamptz>,
        revoked_at -> Nullable<Timestamptz>,
    }
}

diesel::joinable!(invitations -> users (invited_by));
diesel::allow_tables_to_appear_in_same_query!(invitations, users);
diesel::allow_tables_to_appear_in_same_query!(api_tokens, refresh_tokens);
// Billing (migration 000004). The billing crate queries these with bound SQL; the
// definitions here keep the schema in one readable place.
diesel::table! {
    billing_accounts (org_id) {
        org_id -> Uuid,
        plan -> Text,
        status -> Text,
        seats -> Nullable<Int4>,
        stripe_customer_id -> Nullable<Text>,
        stripe_subscription_id -> Nullable<Text>,
        current_period_end -> Nullable<Timestamptz>,
        past_due_since -> Nullable<Timestamptz>,
        state_as_of -> Nullable<Timestamptz>,
        updated_at -> Timestamptz,
    }
}

diesel::table! {
    billing_stripe_ids (stripe_id) {
        stripe_id -> Text,
        org_id -> Uuid,
        kind -> Text,
        created_at -> Timestamptz,
    }
}

diesel::table! {
    billing_events (event_id) {
        event_id -> Text,
        org_id -> Uuid,
        #[sql_name = "type"]
        event_type -> Text,
        outcome -> Text,
        created -> Timestamptz,
        received_at -> Timestamptz,
    }
}

diesel::joinable!(billing_accounts -> orgs (org_id));
diesel::allow_tables_to_appear_in_same_query!(
    billing_accounts,
    billing_stripe_ids,
    billing_events,
    orgs
);

diesel::table! {
    project_members (org_id, project_id, user_id) {
        org_id -> Uuid,
        project_id -> Uuid,
        user_id -> Uuid,
        role -> Text,
        created_at -> Timestamptz,
    }
}

diesel::joinable!(project_members -> users (user_id));
diesel::allow_tables_to_appear_in_same_query!(project_members, users);
diesel::allow_tables_to_appear_in_same_query!(project_members, projects);

diesel::table! {
    attachments (id) {
        id -> Uuid,
        org_id -> Uuid,
        ticket_id -> Uuid,
        uploader_id -> Uuid,
        file_name -> Text,
        content_type -> Text,
        size_bytes -> Int8,
        object_key -> Text,
        state -> Text,
        confirm_by -> Timestamptz,
        created_at -> Timestamptz,
        confirmed_at -> Nullable<Timestamptz>,
        deleted_at -> Nullable<Timestamptz>,
        object_removed_at -> Nullable<Timestamptz>,
        removal_attempts -> Int4,
        next_removal_at -> Nullable<Timestamptz>,
        removal_error -> Nullable<Text>,
    }
}

diesel::joinable!(attachments -> users (uploader_id));
diesel::allow_tables_to_appear_in_same_query!(attachments, users);
diesel::allow_tables_to_appear_in_same_query!(attachments, audit_log);
diesel::allow_tables_to_appear_in_same_query!(attachments, comments);

diesel::table! {
    worklogs (id) {
        id -> Uuid,
        org_id -> Uuid,
        ticket_id -> Uuid,
        author_id -> Uuid,
        minutes -> Int4,
        started_at -> Timestamptz,
        comment -> Text,
        version -> Int4,
        created_at -> Timestamptz,
        updated_at -> Timestamptz,
        deleted_at -> Nullable<Timestamptz>,
    }
}
diesel::joinable!(worklogs -> users (author_id));
diesel::allow_tables_to_appear_in_same_query!(worklogs, users);
diesel::allow_tables_to_appear_in_same_query!(worklogs, tickets);

diesel::table! {
    idempotency_keys (org_id, principal_id, key) {
        org_id -> Uuid,
        principal_id -> Uuid,
        key -> Text,
        request_hash -> Bytea,
        status -> Int2,
        headers -> Jsonb,
        body -> Bytea,
        created_at -> Timestamptz,
        expires_at -> Timestamptz,
    }
}

diesel::table! {
    ticket_key_aliases (org_id, project_id, number) {
        org_id -> Uuid,
        project_id -> Uuid,
        number -> Int4,
        ticket_id -> Uuid,
        created_at -> Timestamptz,
    }
}
diesel::allow_tables_to_appear_in_same_query!(ticket_key_aliases, projects);
diesel::allow_tables_to_appear_in_same_query!(ticket_key_aliases, ticket_views);

diesel::table! {
    /// Search rows of custom field values (the key is the unique index's prefix).
    ticket_custom_values (org_id, ticket_id, field_id) {
        org_id -> Uuid,
        ticket_id -> Uuid,
        field_id -> Uuid,
        project_id -> Uuid,
        live -> Bool,
        option_id -> Nullable<Uuid>,
        value_text -> Nullable<Text>,
        value_num -> Nullable<Float8>,
        value_date -> Nullable<Date>,
        value_user -> Nullable<Uuid>,
    }
}

diesel::table! {
    /// The key (and numeric id) an imported ticket had in the tracker it came from.
    ticket_import_keys (org_id, source_key) {
        org_id -> Uuid,
        source_key -> Text,
        ticket_id -> Uuid,
        source_id -> Nullable<Text>,
        import_id -> Uuid,
        created_at -> Timestamptz,
    }
}
diesel::allow_tables_to_appear_in_same_query!(ticket_import_keys, tickets);
diesel::allow_tables_to_appear_in_same_query!(ticket_import_keys, projects);
