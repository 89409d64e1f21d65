//! Test of proportional hazards from scaled Schoenfeld residuals (in progress).
