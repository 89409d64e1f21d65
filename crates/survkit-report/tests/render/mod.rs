//! The one place the snapshot test calls the renderers, so that an API change of the
//! report layer changes this adapter and not the snapshots.

use survkit_report::figure::Figure;
use survkit_report::figures::{render, FigureRequest};
use survkit_report::{r_script, tables, Report, TableOut};

/// A Report ready to render.
pub struct Rendered<'a> {
    report: &'a Report,
}

impl<'a> Rendered<'a> {
    pub fn new(report: &'a Report) -> Self {
        Rendered { report }
    }

    pub fn tables(&self) -> Vec<TableOut> {
        tables(self.report)
    }

    pub fn figure(&self, req: &FigureRequest) -> Result<Figure, String> {
        render(self.report, req)
    }

    pub fn r_script(&self, file: &str) -> String {
        r_script(self.report, file)
    }
}

/// The aligned text form the CLI prints.
pub fn table_text(t: &TableOut) -> String {
    t.to_text()
}
