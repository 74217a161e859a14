//! Newtype ids: a `TicketId` can never be passed where an `OrgId` is wanted.

/// Declares a UUIDv7 id newtype that maps to PostgreSQL `uuid` through diesel and
/// serialises as a plain UUID string. The calling crate needs `diesel`, `serde`,
/// `utoipa` and `uuid` as dependencies (the derives name them).
///
/// ```
/// tenancy::id_type!(
///     /// A widget's id.
///     WidgetId
/// );
/// let id = WidgetId::new();
/// assert_eq!(id.0.get_version_num(), 7);
/// ```
#[macro_export]
macro_rules! id_type {
    ($(#[$meta:meta])* $name:ident) => {
        $(#[$meta])*
        #[derive(
            Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord,
            ::serde::Serialize, ::serde::Deserialize,
            ::diesel::expression::AsExpression,
            ::diesel::deserialize::FromSqlRow,
            ::utoipa::ToSchema,
        )]
        #[diesel(sql_type = ::diesel::sql_types::Uuid)]
        #[serde(transparent)]
        #[schema(value_type = String, format = Uuid)]
        pub struct $name(pub ::uuid::Uuid);

        impl $name {
            /// A new time-ordered (v7) id.
            #[allow(clippy::new_without_default)]
            pub fn new() -> Self {
                Self(::uuid::Uuid::now_v7())
            }
        }

        impl ::std::fmt::Display for $name {
            fn fmt(&self, f: &mut ::std::fmt::Formatter<'_>) -> ::std::fmt::Result {
                ::std::fmt::Display::fmt(&self.0, f)
            }
        }

        impl ::diesel::serialize::ToSql<
            ::diesel::sql_types::Uuid,
            ::diesel::pg::Pg,
        > for $name {
            fn to_sql<'b>(
                &'b self,
                out: &mut ::diesel::serialize::Output<'b, '_, ::diesel::pg::Pg>,
            ) -> ::diesel::serialize::Result {
                <::uuid::Uuid as ::diesel::serialize::ToSql<
                    ::diesel::sql_types::Uuid,
                    ::diesel::pg::Pg,
                >>::to_sql(&self.0, out)
            }
        }

        impl ::diesel::deserialize::FromSql<
            ::diesel::sql_types::Uuid,
            ::diesel::pg::Pg,
        > for $name {
            fn from_sql(
                bytes: ::diesel::pg::PgValue<'_>,
            ) -> ::diesel::deserialize::Result<Self> {
                <::uuid::Uuid as ::diesel::deserialize::FromSql<
                    ::diesel::sql_types::Uuid,
                    ::diesel::pg::Pg,
                >>::from_sql(bytes)
                .map(Self)
            }
        }
    };
}

id_type!(
    /// An organization (tenant).
    OrgId
);
id_type!(
    /// A user: global, one GitHub identity, member of any number of orgs.
    UserId
);
