# Expected Gray's test numbers from cmprsk::cuminc (its $Tests: stat, pv, df per cause),
# for tests/competing_gray_against_r.rs. Run from the repository root:
#   Rscript crates/survkit-core/tests/competing/gray_golden.R
# R 4.2.2, cmprsk 2.2-11, jsonlite. Writes gray_golden.json beside this script.
library(survival)
library(cmprsk)
library(jsonlite)
dir <- "crates/survkit-core/tests/competing"
source(file.path(dir, "cohorts.R"))
arr <- function(x) I(as.vector(x))

gray_case <- function(name, d, K, strata = FALSE, rho = 0, data_ref = NULL) {
  ci <- if (strata) cuminc(d$time, d$cause, d$group, d$stratum, rho = rho)
        else cuminc(d$time, d$cause, d$group, rho = rho)
  tst <- ci$Tests
  list(name = name, n_causes = K, stratified = strata, rho = rho,
       data = if (is.null(data_ref)) list(time = arr(d$time), cause = arr(d$cause),
         group = arr(d$group), stratum = arr(d$stratum)) else data_ref,
       expected = lapply(seq_len(nrow(tst)), function(i) list(cause = as.integer(rownames(tst)[i]),
         stat = tst[i, "stat"], pv = tst[i, "pv"], df = tst[i, "df"])))
}

syn <- synthetic()
m <- transform(mgus2_cr(), group = sex, stratum = as.integer(age >= 70))
two <- syn[syn$group < 2, ]
tiny <- data.frame(time = c(1, 2, 3, 4, 5, 6, 7, 8), cause = c(1, 2, 1, 0, 2, 1, 0, 2),
                   group = c(0, 1, 0, 1, 0, 1, 0, 1), stratum = 0)
cases <- list(
  gray_case("synthetic, three groups", syn, 2),
  gray_case("synthetic, two groups", two, 2),
  gray_case("synthetic, three groups, stratified", syn, 2, strata = TRUE),
  gray_case("synthetic, three groups, rho = 1", syn, 2, rho = 1),
  gray_case("tiny", tiny, 2),
  gray_case("mgus2 by sex", m, 2, data_ref = list(csv = "mgus2.csv", group = "sex")),
  gray_case("mgus2 by sex, stratified by age >= 70", m, 2, strata = TRUE,
            data_ref = list(csv = "mgus2.csv", group = "sex", stratum = "age>=70")),
  gray_case("mgus2 by sex, rho = 0.5", m, 2, rho = 0.5,
            data_ref = list(csv = "mgus2.csv", group = "sex"))
)
writeLines(toJSON(cases, digits = NA, auto_unbox = TRUE, null = "null", na = "null"),
           file.path(dir, "gray_golden.json"))
