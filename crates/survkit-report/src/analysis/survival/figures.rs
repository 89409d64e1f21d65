//! The survival section's figures: Kaplan–Meier curves with the number-at-risk table,
//! the Nelson–Aalen cumulative hazard, and log(−log S) against log time.

use crate::figure::{
    cumhaz_plot, km_plot, loglog_plot, CumhazPlot, Figure, KmCurve, KmPlot, LoglogPlot, StepCurve,
};
use crate::figures::{drawn, pts, pts_opt, FigureContext, FigureKind};
use crate::run::EndpointReport;
use crate::text::{curve_label, fin, fin_opt, p_phrase};

pub(crate) fn curves(ep: &EndpointReport, group_name: Option<&str>) -> Vec<KmCurve> {
    ep.survival
        .km
        .iter()
        .map(|c| {
            let f = &c.fit;
            let time = pts(&f.time);
            let censor_times = time
                .iter()
                .zip(&f.n_censor)
                .filter(|(_, &nc)| nc > 0.0)
                .map(|(&t, _)| t)
                .collect();
            KmCurve {
                label: curve_label(c, group_name),
                surv: pts(&f.surv),
                lower: pts_opt(&f.lower),
                upper: pts_opt(&f.upper),
                n_risk: pts(&f.n_risk),
                censor_times,
                median: fin_opt(f.median.estimate),
                time,
            }
        })
        .collect()
}

/// The survival figure asked for, or `None` when it is another analysis' figure.
pub(crate) fn figure(cx: &FigureContext, ep: &EndpointReport) -> Option<Result<Figure, String>> {
    let fig = match cx.req.kind {
        FigureKind::Km => {
            let mut p = KmPlot {
                curves: curves(ep, cx.group_name.as_deref()),
                time_unit: ep.time_unit.clone(),
                ..Default::default()
            };
            if let Some(t) = &cx.req.title {
                p.title = t.clone();
            }
            if let Some(x) = &cx.req.x_label {
                p.x_label = x.clone();
            }
            p.x_max = cx.req.x_max;
            p.x_tick = cx.req.x_tick;
            macro_rules! opt {
            ($($f:ident),*) => { $( if let Some(v) = cx.req.$f { p.$f = v; } )* };
        }
            opt!(
                show_ci,
                show_censor,
                show_risk_table,
                show_median_lines,
                one_minus_survival,
                monochrome
            );
            if cx.req.show_p.unwrap_or(true) {
                let mut lines = Vec::new();
                if let Some(t) = ep.survival.tests.first() {
                    lines.push(format!("Log-rank {}", p_phrase(fin(t.p))));
                }
                if !lines.is_empty() {
                    p.annotation = Some(lines.join("\n"));
                }
            }
            km_plot(&p, cx.size)
        }
        FigureKind::Cumhaz => {
            let cs = ep
                .survival
                .km
                .iter()
                .map(|c| StepCurve {
                    label: curve_label(c, cx.group_name.as_deref()),
                    time: pts(&c.fit.time),
                    value: pts(&c.fit.cumhaz),
                    lower: Vec::new(),
                    upper: Vec::new(),
                })
                .collect();
            let p = CumhazPlot {
                curves: cs,
                time_unit: ep.time_unit.clone(),
                x_max: cx.req.x_max,
                x_tick: cx.req.x_tick,
                monochrome: cx.req.monochrome.unwrap_or(false),
                ..Default::default()
            };
            cumhaz_plot(&p, cx.size)
        }
        FigureKind::Loglog => {
            let p = LoglogPlot {
                curves: curves(ep, cx.group_name.as_deref()),
                time_unit: ep.time_unit.clone(),
                monochrome: cx.req.monochrome.unwrap_or(false),
                ..Default::default()
            };
            loglog_plot(&p, cx.size)
        }
        _ => return None,
    };
    Some(fig.map_err(drawn))
}
