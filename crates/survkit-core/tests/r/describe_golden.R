# Golden numbers for crates/survkit-core/tests/describe_against_r.rs (Table 1).
# R 4.2.2, survival 3.5-3. Run from the repository root:
#   Rscript crates/survkit-core/tests/r/describe_golden.R
# Writes crates/survkit-core/tests/fixtures/describe_golden.json: for each case the data
# as the Rust test gets it (level codes 0-based, group codes 0-based, NaN -> null) and
# R's results: chisq.test (default correct = TRUE), fisher.test, table counts;
# summary numbers (quantile type 7), t.test (Welch default), oneway.test (Welch and
# var.equal = TRUE), anova(aov), wilcox.test (default exact rule), kruskal.test.
# SMDs are written from their formulas (Austin 2009; Yang & Dalton 2012) evaluated in R.
library(jsonlite)
dd <- "tests/data"
rd <- function(name) read.csv(file.path(dd, paste0(name, ".csv")))
lung <- rd("lung")
colon <- rd("colon"); colon <- colon[colon$etype == 2, ]
pbc <- rd("pbc"); pbc <- pbc[!is.na(pbc$trt), ]

cat_cases <- list()
add_cat <- function(name, var, grp) {
  ok <- !is.na(grp)
  var <- var[ok]; grp <- grp[ok]
  lv <- sort(unique(var[!is.na(var)])); gl <- sort(unique(grp))
  v <- factor(var, levels = lv); g <- factor(grp, levels = gl)
  tab <- table(v, g)
  ch <- suppressWarnings(chisq.test(tab))
  fi <- tryCatch(fisher.test(tab, workspace = 2e8)$p.value, error = function(e) NULL)
  smd <- NULL
  if (length(gl) == 2) {
    p1 <- tab[, 1] / sum(tab[, 1]); p2 <- tab[, 2] / sum(tab[, 2])
    k <- length(lv)
    Tv <- (p1 - p2)[-1]
    S <- matrix(0, k - 1, k - 1)
    for (a in 1:(k - 1)) for (b in 1:(k - 1)) {
      S[a, b] <- if (a == b) (p1[a + 1] * (1 - p1[a + 1]) + p2[a + 1] * (1 - p2[a + 1])) / 2
                 else -(p1[a + 1] * p1[b + 1] + p2[a + 1] * p2[b + 1]) / 2
    }
    smd <- sqrt(drop(t(Tv) %*% MASS::ginv(S) %*% Tv))
  }
  cat_cases[[length(cat_cases) + 1]] <<- list(
    name = name,
    value = ifelse(is.na(var), NA, as.integer(v) - 1L),
    group = as.integer(g) - 1L, n_levels = length(lv), n_groups = length(gl),
    table = unname(lapply(seq_len(nrow(tab)), function(i) as.integer(tab[i, ]))),
    missing = as.integer(tapply(is.na(var), g, sum)),
    chisq = unname(ch$statistic), chisq_df = unname(ch$parameter), chisq_p = ch$p.value,
    yates = grepl("continuity", ch$method),
    expected_min = min(ch$expected),
    fisher_p = fi, smd = smd)
}
add_cat("lung ph.ecog by sex", lung$ph.ecog, lung$sex)
add_cat("lung inst<=3 by sex", ifelse(lung$inst <= 3, 1, 0), lung$sex)
add_cat("colon sex by rx", colon$sex, colon$rx)
add_cat("colon differ by rx", colon$differ, colon$rx)
add_cat("colon extent by rx", colon$extent, colon$rx)
add_cat("colon obstruct by sex", colon$obstruct, colon$sex)
add_cat("colon node4 by perfor", colon$node4, colon$perfor)
add_cat("pbc stage by trt", pbc$stage, pbc$trt)
add_cat("pbc edema by trt", pbc$edema, pbc$trt)
add_cat("pbc sex by trt", pbc$sex, pbc$trt)
add_cat("pbc ascites by trt", pbc$ascites, pbc$trt)
add_cat("pbc stage by edema", pbc$stage, pbc$edema)

# Hand tables (given as counts; expanded to rows for the summary).
add_tab <- function(name, m) {
  var <- rep(rep(seq_len(nrow(m)), ncol(m)), as.vector(m))
  grp <- rep(rep(seq_len(ncol(m)), each = nrow(m)), as.vector(m))
  add_cat(name, var, grp)
}
add_tab("tea tasting 2x2", matrix(c(3, 1, 1, 3), 2))
add_tab("perfect 2x2", matrix(c(10, 0, 0, 10), 2))
add_tab("sparse 3x4", matrix(c(2, 0, 1, 3, 1, 0, 0, 4, 2, 1, 1, 0), 3))
add_tab("Job satisfaction 4x4", matrix(c(1, 2, 1, 0, 3, 3, 6, 1, 10, 10, 14, 9, 6, 7, 12, 11), 4))
add_tab("symmetric 2x3", matrix(c(2, 2, 3, 3, 2, 2), 2))
add_tab("5x2 moderate", matrix(c(12, 8, 5, 3, 1, 7, 9, 10, 6, 4), 5))
# Strong association, tiny p (the hard case for the network algorithm; the tables of
# examples/fisher_timing.rs).
add_tab("2x5 associated N=625", matrix(c(73, 23, 22, 107, 33, 67, 44, 89, 55, 112), 2))

cont_cases <- list()
add_cont <- function(name, x, grp) {
  ok <- !is.na(grp); x <- x[ok]; grp <- grp[ok]
  gl <- sort(unique(grp)); g <- factor(grp, levels = gl)
  summ <- function(v) {
    m <- sum(is.na(v)); v <- v[!is.na(v)]
    q <- quantile(v, c(0.25, 0.5, 0.75), type = 7, names = FALSE)
    list(n = length(v), missing = m, mean = mean(v), sd = sd(v), median = q[2],
         q1 = q[1], q3 = q[3], min = min(v), max = max(v))
  }
  skew <- function(v) { v <- v[!is.na(v)]; n <- length(v); m <- mean(v)
    m2 <- mean((v - m)^2); m3 <- mean((v - m)^3); m3 / m2^1.5 * sqrt(n * (n - 1)) / (n - 2) }
  d <- data.frame(x = x, g = g)
  out <- list(name = name, value = x, group = as.integer(g) - 1L, n_groups = length(gl),
              groups = lapply(levels(g), function(l) summ(x[g == l])), overall = summ(x),
              skew_overall = skew(x), skew_groups = sapply(levels(g), function(l) skew(x[g == l]), USE.NAMES = FALSE))
  ow <- tryCatch(oneway.test(x ~ g, data = d), error = function(e) NULL)
  oe <- tryCatch(oneway.test(x ~ g, data = d, var.equal = TRUE), error = function(e) NULL)
  av <- anova(aov(x ~ g, data = d))
  kw <- kruskal.test(x ~ g, data = d)
  if (!is.null(ow))
    out$welch_anova <- list(f = unname(ow$statistic), df1 = unname(ow$parameter[1]), df2 = unname(ow$parameter[2]), p = ow$p.value)
  # oneway.test(var.equal = TRUE) refuses a group of 1; aov does not (same F otherwise).
  out$anova <- list(f = av[["F value"]][1], df1 = av$Df[1], df2 = av$Df[2], p = av[["Pr(>F)"]][1],
                    oneway_f = if (!is.null(oe)) unname(oe$statistic), oneway_p = if (!is.null(oe)) oe$p.value)
  out$kruskal <- list(h = unname(kw$statistic), df = unname(kw$parameter), p = kw$p.value)
  if (length(gl) == 2) {
    a <- x[g == gl[1]]; b <- x[g == gl[2]]
    tt <- t.test(a, b)
    wt <- suppressWarnings(wilcox.test(a, b))
    a <- a[!is.na(a)]; b <- b[!is.na(b)]
    out$welch_t <- list(estimate = unname(tt$estimate[1] - tt$estimate[2]), t = unname(tt$statistic),
                        df = unname(tt$parameter), p = tt$p.value, lower = tt$conf.int[1], upper = tt$conf.int[2],
                        se = tt$stderr)
    ties <- length(unique(c(a, b))) < length(c(a, b))
    out$wilcoxon <- list(w = unname(wt$statistic), p = wt$p.value,
                         exact = length(a) < 50 && length(b) < 50 && !ties)
    out$smd <- (mean(a) - mean(b)) / sqrt((var(a) + var(b)) / 2)
  }
  cont_cases[[length(cont_cases) + 1]] <<- out
}
add_cont("lung age by sex", lung$age, lung$sex)
add_cont("lung wt.loss by sex", lung$wt.loss, lung$sex)
add_cont("lung meal.cal by sex", lung$meal.cal, lung$sex)
add_cont("lung age by ph.ecog", lung$age, lung$ph.ecog)
add_cont("colon age by rx", colon$age, colon$rx)
add_cont("colon nodes by rx", colon$nodes, colon$rx)
add_cont("colon nodes by sex", colon$nodes, colon$sex)
add_cont("pbc bili by trt", pbc$bili, pbc$trt)
add_cont("pbc albumin by trt", pbc$albumin, pbc$trt)
add_cont("pbc chol by trt", pbc$chol, pbc$trt)
add_cont("pbc protime by stage", pbc$protime, pbc$stage)
set.seed(14)
add_cont("normal 20 vs 25 no ties", c(round(rnorm(20, 10, 2), 6), round(rnorm(25, 11, 3), 6)), rep(1:2, c(20, 25)))
add_cont("normal 49 vs 49 no ties", c(round(rnorm(49, 0, 1), 8), round(rnorm(49, 0.3, 1), 8)), rep(1:2, c(49, 49)))
add_cont("hand 3 vs 4", c(1.1, 2.2, 3.3, 0.5, 4.4, 5.5, 6.6), c(1, 1, 1, 2, 2, 2, 2))
add_cont("hand 4 vs 3 with ties", c(1, 2, 2, 3, 2, 3, 5), c(1, 1, 1, 1, 2, 2, 2))
add_cont("hand 3 groups", c(5, 3, 8, 1, 9, 2, 7, 7, 4, 6), c(1, 2, 3, 1, 2, 3, 1, 2, 3, 3))

writeLines(toJSON(list(categorical = cat_cases, continuous = cont_cases), digits = NA,
                  auto_unbox = TRUE, null = "null", na = "null"),
           "crates/survkit-core/tests/fixtures/describe_golden.json")
