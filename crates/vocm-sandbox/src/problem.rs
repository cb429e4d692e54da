//! Refusals as RFC 7807 problem details: the status, the body and, for
//! throttling, the `Retry-After` header.

use axum::http::{HeaderValue, StatusCode, header};
use axum::response::{IntoResponse as _, Response};

use vocm_api::{FieldError, PROBLEM_JSON, Problem};

use super::clock;

/// A refused request (or a failed operation's `error`).
#[derive(Clone, Debug)]
pub struct ApiError {
    /// Boxed: errors travel in every `Result` of the handlers, and the
    /// happy path should not pay for their size.
    pub problem: Box<Problem>,
    /// Seconds, for 429.
    pub retry_after: Option<u64>,
}

impl ApiError {
    pub fn new(status: StatusCode, title: &str) -> ApiError {
        ApiError {
            problem: Box::new(Problem {
                status: status.as_u16(),
                title: title.to_owned(),
                ..Problem::default()
            }),
            retry_after: None,
        }
    }

    #[must_use]
    pub fn detail(mut self, detail: impl Into<String>) -> ApiError {
        self.problem.detail = Some(detail.into());
        self
    }

    #[must_use]
    pub fn error(
        mut self,
        field: Option<&str>,
        code: &str,
        message: impl Into<String>,
    ) -> ApiError {
        self.problem.errors.push(FieldError {
            field: field.map(str::to_owned),
            code: code.to_owned(),
            message: message.into(),
        });
        self
    }

    #[must_use]
    pub fn with_title(mut self, title: &str) -> ApiError {
        title.clone_into(&mut self.problem.title);
        self
    }

    #[must_use]
    pub fn retry_after(mut self, seconds: u64) -> ApiError {
        self.retry_after = Some(seconds.max(1));
        self
    }

    /// 400 with field errors, the reference's "Validation error".
    pub fn invalid(errors: Vec<FieldError>) -> ApiError {
        let mut e = ApiError::new(StatusCode::BAD_REQUEST, "Validation error");
        e.problem.errors = errors;
        e
    }

    /// 400 on one field.
    pub fn validation(field: &str, message: impl Into<String>) -> ApiError {
        ApiError::invalid(vec![field_error(field, "VALIDATION_ERROR", message)])
    }

    /// 400 with a code of its own (`INVALID_FILTER`, `SCROLL_EXPIRED`…).
    pub fn bad_request(
        title: &str,
        field: Option<&str>,
        code: &str,
        message: impl Into<String>,
    ) -> ApiError {
        ApiError::new(StatusCode::BAD_REQUEST, title).error(field, code, message)
    }

    pub fn not_found(what: &str, id: &str) -> ApiError {
        ApiError::new(StatusCode::NOT_FOUND, &format!("{what} not found")).error(
            None,
            "NOT_FOUND",
            format!("{what} not found: {id}"),
        )
    }

    pub fn conflict(field: &str, message: impl Into<String>) -> ApiError {
        let message = message.into();
        ApiError::new(StatusCode::CONFLICT, "Conflict")
            .detail(message.clone())
            .error(Some(field), "CONFLICT", message)
    }

    pub fn method_not_allowed(method: &str, path: &str) -> ApiError {
        ApiError::new(StatusCode::METHOD_NOT_ALLOWED, "Method Not Allowed").error(
            None,
            "BAD_REQUEST",
            format!("{method} is not allowed on {path}"),
        )
    }

    /// A transient server-side failure, as real APIs have them.
    pub fn unavailable(status: StatusCode) -> ApiError {
        let (title, code) = if status == StatusCode::SERVICE_UNAVAILABLE {
            ("Service unavailable", "SERVICE_UNAVAILABLE")
        } else {
            ("Internal Server Error", "UNKNOWN")
        };
        ApiError::new(status, title).error(None, code, "An unexpected error occurred; try again")
    }

    /// Why an operation failed for no fault of the client's.
    pub fn transient_failure() -> ApiError {
        ApiError::unavailable(StatusCode::SERVICE_UNAVAILABLE)
            .detail("A downstream service did not answer in time; submit the change again")
    }

    pub fn too_many_requests(message: &str, retry_after: u64) -> ApiError {
        ApiError::new(StatusCode::TOO_MANY_REQUESTS, "Too Many Requests")
            .detail("Rate limit exceeded")
            .error(None, "RATE_LIMIT_EXCEEDED", message)
            .retry_after(retry_after)
    }

    pub fn status(&self) -> StatusCode {
        StatusCode::from_u16(self.problem.status).unwrap_or(StatusCode::INTERNAL_SERVER_ERROR)
    }

    /// The problem as it travels: stamped with the request's path and the
    /// time.
    pub fn stamped(mut self, instance: &str) -> Problem {
        self.problem.instance = Some(instance.to_owned());
        self.problem.time = Some(clock::timestamp());
        *self.problem
    }

    pub fn into_response(self, instance: &str) -> Response {
        let status = self.status();
        let retry_after = self.retry_after;
        let body = serde_json::to_vec(&self.stamped(instance)).unwrap_or_default();
        let mut response = (status, body).into_response();
        let headers = response.headers_mut();
        headers.insert(header::CONTENT_TYPE, HeaderValue::from_static(PROBLEM_JSON));
        if let Some(seconds) = retry_after {
            headers.insert(header::RETRY_AFTER, HeaderValue::from(seconds));
        }
        response
    }
}

pub fn field_error(field: &str, code: &str, message: impl Into<String>) -> FieldError {
    FieldError {
        field: Some(field.to_owned()),
        code: code.to_owned(),
        message: message.into(),
    }
}
