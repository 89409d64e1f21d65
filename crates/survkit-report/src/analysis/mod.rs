//! One folder per analysis. Each owns its options (its part of the Spec), its Report
//! section types, the step that runs it on `Prepared`, its tables, its figures, its
//! methods/results sentences and its R code; [`ANALYSES`] lists them in Report order,
//! and the renderers (tables, figures, text, R script) walk that list.
//!
//! Adding an analysis: a new folder here implementing [`Analysis`], one line in
//! [`ANALYSES`], its section in `EndpointReport` and its run step in `run.rs`.
//! See docs/architecture.md.

pub mod cox;
pub mod survival;

use crate::figure::Figure;
use crate::figures::FigureContext;
use crate::rscript::RContext;
use crate::run::EndpointReport;
use crate::spec::Spec;
use crate::tables::{TableContext, TableOut};

/// What the renderers ask of each analysis, for one endpoint of a Report. Every
/// method reads the analysis' own section of the typed [`EndpointReport`].
pub(crate) trait Analysis: Sync {
    /// Appends this analysis' tables.
    fn tables(&self, cx: &TableContext, ep: &EndpointReport, out: &mut Vec<TableOut>);

    /// Draws the requested figure if it is one of this analysis' figures.
    fn figure(&self, cx: &FigureContext, ep: &EndpointReport) -> Option<Result<Figure, String>>;

    /// Appends this analysis' sentences of the methods paragraph.
    fn methods(&self, ep: &EndpointReport, spec: &Spec, s: &mut String);

    /// Appends this analysis' sentences of the results.
    fn results(&self, _ep: &EndpointReport, _spec: &Spec, _s: &mut String) {}

    /// Appends this analysis' part of the "Reproduce in R" script for one endpoint.
    fn r_code(&self, cx: &RContext, s: &mut String);
}

/// Every analysis, in the order of the Report's sections, tables and text.
pub(crate) const ANALYSES: &[&dyn Analysis] = &[&survival::Survival, &cox::Cox];
