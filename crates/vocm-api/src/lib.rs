//! The provisioning API's wire contract, shared by the HTTP provider and
//! the sandbox: collections and their media types, operations, problem
//! details, pages and rate-limit headers. docs/api.md describes it field by
//! field; it follows 8x8's Administration API (developer.8x8.com), with the
//! extensions vocm needs clearly marked.
//!
//! Neither side imports the other: this module is all they share.

use serde::{Deserialize, Serialize};
use serde_json::Value;

/// The API key header.
pub const API_KEY_HEADER: &str = "x-api-key";

/// Rate-limit headers, on every response.
pub const RATE_LIMIT: &str = "x-ratelimit-limit";
pub const RATE_REMAINING: &str = "x-ratelimit-remaining";
pub const RATE_RESET: &str = "x-ratelimit-reset";

/// Largest and default page sizes.
pub const MAX_PAGE_SIZE: usize = 1000;
pub const DEFAULT_PAGE_SIZE: usize = 100;

/// Most operations in flight per account.
pub const MAX_OPERATIONS_IN_FLIGHT: usize = 10;

/// The media type of problem details (RFC 7807).
pub const PROBLEM_JSON: &str = "application/problem+json";

/// A collection of the API.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash)]
pub enum Collection {
    /// Reference: Site Management API.
    Sites,
    /// Reference: addresses (part of Site Management). Immutable: POST is
    /// synchronous and idempotent (the same address gives the same id),
    /// DELETE is synchronous and refused while a site or user uses it.
    Addresses,
    /// Reference: Phone Number Management API (read-only there). vocm
    /// extension: POST claims a number, PUT sets its `usage`.
    PhoneNumbers,
    /// Reference: User Management API.
    Users,
    /// Reference: Ring Group Management API.
    RingGroups,
    /// Extension: the account's settings (one resource, id `account`).
    Account,
    /// Extension: the device registry.
    Devices,
    /// Extension: the audio library.
    AudioFiles,
    /// Extension: auto attendants.
    AutoAttendants,
    /// Extension: the license inventory (read-only).
    Licenses,
    /// Extension: what vocm manages that a reference resource has no field
    /// for (a user's forwarding, internet fax and CRM, a ring group's
    /// no-answer delay, a number's usage), one entry per resource, kept
    /// beside it: `{id, resourceType, resourceId, fields}`. Reference
    /// paths never carry these.
    Extras,
    /// Extension: claiming a number (`POST`), which the reference cannot.
    NumberClaims,
}

impl Collection {
    pub const ALL: [Collection; 12] = [
        Collection::Account,
        Collection::Addresses,
        Collection::Sites,
        Collection::PhoneNumbers,
        Collection::Devices,
        Collection::AudioFiles,
        Collection::Users,
        Collection::RingGroups,
        Collection::AutoAttendants,
        Collection::Licenses,
        Collection::Extras,
        Collection::NumberClaims,
    ];

    /// Path under the base URL.
    #[must_use]
    pub fn path(self) -> &'static str {
        match self {
            Collection::Sites => "/sites",
            Collection::Addresses => "/addresses",
            Collection::PhoneNumbers => "/phone-numbers",
            Collection::Users => "/users",
            Collection::RingGroups => "/ring-groups",
            Collection::Account => "/vocm/account",
            Collection::Devices => "/vocm/devices",
            Collection::AudioFiles => "/vocm/audio-files",
            Collection::AutoAttendants => "/vocm/auto-attendants",
            Collection::Licenses => "/vocm/licenses",
            Collection::Extras => "/vocm/extras",
            Collection::NumberClaims => "/vocm/phone-numbers",
        }
    }

    /// The versioned media type: `Content-Type` of requests with a body,
    /// `Accept` of requests with a response body.
    #[must_use]
    pub fn media_type(self) -> &'static str {
        match self {
            Collection::Sites => "application/vnd.sites.v1+json",
            Collection::Addresses => "application/vnd.addresses.v1+json",
            Collection::PhoneNumbers => "application/vnd.phonenumbers.v1+json",
            Collection::Users => "application/vnd.users.v1+json",
            Collection::RingGroups => "application/vnd.ringgroups.v1+json",
            Collection::Account => "application/vnd.vocm-account.v1+json",
            Collection::Devices => "application/vnd.vocm-devices.v1+json",
            Collection::AudioFiles => "application/vnd.vocm-audiofiles.v1+json",
            Collection::AutoAttendants => "application/vnd.vocm-autoattendants.v1+json",
            Collection::Licenses => "application/vnd.vocm-licenses.v1+json",
            Collection::Extras => "application/vnd.vocm-extras.v1+json",
            Collection::NumberClaims => "application/vnd.vocm-phonenumbers.v1+json",
        }
    }

    /// The operation's `resourceType` for writes.
    #[must_use]
    pub fn resource_type(self) -> &'static str {
        match self {
            Collection::Sites => "SITE",
            Collection::Addresses => "ADDRESS",
            Collection::PhoneNumbers | Collection::NumberClaims => "PHONE_NUMBER",
            Collection::Users => "USER",
            Collection::RingGroups => "RING_GROUP",
            Collection::Account => "ACCOUNT",
            Collection::Devices => "DEVICE",
            Collection::AudioFiles => "AUDIO_FILE",
            Collection::AutoAttendants => "AUTO_ATTENDANT",
            Collection::Licenses => "LICENSE",
            Collection::Extras => "EXTRAS",
        }
    }

    /// Where a resource's id is in its JSON.
    #[must_use]
    pub fn id_pointer(self) -> &'static str {
        match self {
            Collection::Users => "/basicInfo/userId",
            Collection::PhoneNumbers | Collection::NumberClaims => "/phoneNumber",
            Collection::Licenses => "/name",
            _ => "/id",
        }
    }

    /// Whether the reference defines the collection (the others are vocm
    /// extensions).
    #[must_use]
    pub fn is_reference(self) -> bool {
        matches!(
            self,
            Collection::Sites
                | Collection::Addresses
                | Collection::PhoneNumbers
                | Collection::Users
                | Collection::RingGroups
        )
    }

    /// How the collection's lists page: the reference's sites by
    /// `pageNumber` (0-based), every other list by scroll id.
    #[must_use]
    pub fn pages_by_number(self) -> bool {
        self == Collection::Sites
    }

    /// The collection whose path is `path`.
    #[must_use]
    pub fn at(path: &str) -> Option<Collection> {
        Collection::ALL.into_iter().find(|c| c.path() == path)
    }
}

/// Reference: a ring group's member changes, alone (`POST
/// /ring-groups/{id}/update-members`, answered with an operation).
pub const UPDATE_MEMBERS: &str = "update-members";
pub const UPDATE_MEMBERS_MEDIA_TYPE: &str = "application/vnd.ringgroups.update-members.v1+json";

/// Extension: what a server offers beyond the reference. `GET` answers
/// [`Discovery`]; a server without it (`404`) offers the reference only.
pub const DISCOVERY_PATH: &str = "/vocm";
pub const DISCOVERY_MEDIA_TYPE: &str = "application/vnd.vocm-discovery.v1+json";

/// What `GET /vocm` answers.
#[derive(Clone, Debug, Default, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct Discovery {
    /// The extension collections' paths the server serves.
    #[serde(default)]
    pub extensions: Vec<String>,
    /// Whether `PUT /users/{id}` is implemented (the reference documents
    /// it but says v1.0 does not implement it).
    #[serde(default)]
    pub user_updates: bool,
}

/// The operations endpoint.
pub const OPERATIONS_PATH: &str = "/operations";
pub const OPERATIONS_MEDIA_TYPE: &str = "application/vnd.operations.v1+json";

/// The state of an operation.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "SCREAMING_SNAKE_CASE")]
pub enum OperationStatus {
    Pending,
    InProgress,
    Completed,
    Failed,
    /// A status this client does not know (the reference's change policy
    /// calls new enum values non-breaking): polled again.
    #[serde(other)]
    Unknown,
}

impl OperationStatus {
    #[must_use]
    pub fn is_finished(self) -> bool {
        matches!(self, OperationStatus::Completed | OperationStatus::Failed)
    }
}

/// A link.
#[derive(Clone, Debug, Default, PartialEq, Eq, Serialize, Deserialize)]
pub struct Link {
    pub href: String,
}

/// An operation's links.
#[derive(Clone, Debug, Default, PartialEq, Eq, Serialize, Deserialize)]
pub struct OperationLinks {
    #[serde(rename = "self")]
    pub self_: Link,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub resource: Option<Link>,
}

/// An asynchronous change: what a write answers with (202), and what
/// `GET /operations/{operationId}` returns.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct Operation {
    pub operation_id: String,
    pub status: OperationStatus,
    #[serde(default)]
    pub resource_type: String,
    /// `CREATE`, `UPDATE` or `DELETE`.
    #[serde(default)]
    pub operation_type: String,
    /// Set when known: at once for updates and deletes, on completion for
    /// creates.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub resource_id: Option<String>,
    #[serde(default)]
    pub created_time: String,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub completed_time: Option<String>,
    /// Why a `FAILED` operation failed.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub error: Option<Problem>,
    #[serde(rename = "_links", default)]
    pub links: OperationLinks,
}

/// One field-level error of a problem.
#[derive(Clone, Debug, Default, PartialEq, Eq, Serialize, Deserialize)]
pub struct FieldError {
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub field: Option<String>,
    pub code: String,
    pub message: String,
}

/// An error response (RFC 7807 problem details).
#[derive(Clone, Debug, Default, PartialEq, Eq, Serialize, Deserialize)]
pub struct Problem {
    pub status: u16,
    pub title: String,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub detail: Option<String>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub instance: Option<String>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub time: Option<String>,
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub errors: Vec<FieldError>,
}

/// A page's position in a scroll.
#[derive(Clone, Debug, Default, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct Pagination {
    #[serde(default)]
    pub page_size: usize,
    /// The page's number, on lists paged by number (sites).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub page_number: Option<usize>,
    #[serde(default)]
    pub has_more: bool,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub next_scroll_id: Option<String>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub filter: Option<String>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub sort: Option<String>,
}

/// A page's links.
#[derive(Clone, Debug, Default, PartialEq, Eq, Serialize, Deserialize)]
pub struct PageLinks {
    #[serde(rename = "self")]
    pub self_: Link,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub next: Option<Link>,
}

/// A page of a list. Resources are kept as JSON: fields vocm does not
/// manage must travel untouched. Only `data` is required: the reference's
/// own examples leave out `_links`, and a list without `pagination` is one
/// page.
#[derive(Clone, Debug, Default, PartialEq, Serialize, Deserialize)]
pub struct Page {
    #[serde(default)]
    pub data: Vec<Value>,
    #[serde(default)]
    pub pagination: Pagination,
    #[serde(rename = "_links", default, skip_serializing_if = "Option::is_none")]
    pub links: Option<PageLinks>,
}
