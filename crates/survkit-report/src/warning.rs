//! Statistical caveats carried in the Report, next to the number they concern.

use serde::{Deserialize, Serialize};

/// A caveat: the number was computed, but read it with care.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Warning {
    /// Stable machine-readable code, e.g. `few-events-per-variable`, `not-converged`.
    pub code: String,
    /// What happened and what to do, in words a clinician understands.
    pub message: String,
    /// What the warning concerns, e.g. `cox`, `cox.term:age`, `km:group=2`, `tests`.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub context: Option<String>,
}

impl Warning {
    /// A warning with a code, a message and what it concerns.
    pub fn new(code: &str, message: impl Into<String>, context: Option<String>) -> Self {
        Warning {
            code: code.to_string(),
            message: message.into(),
            context,
        }
    }
}
