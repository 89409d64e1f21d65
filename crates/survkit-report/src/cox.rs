//! Cox section of the Report (in progress).
