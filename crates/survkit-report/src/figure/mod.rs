//! Figures rendered to SVG and PDF (in progress).
