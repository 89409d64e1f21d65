//! Cox proportional-hazards regression (in progress).
