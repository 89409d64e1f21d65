//! Survival section of the Report (in progress).
