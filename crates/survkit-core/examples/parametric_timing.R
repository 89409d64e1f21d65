# Writes the seeded cohort for examples/parametric_timing.rs and times survreg on it.
#   Rscript crates/survkit-core/examples/parametric_timing.R target/parametric_cohort.csv
# R 4.2.2, survival 3.5-3. Elapsed seconds, median of 3 (system.time).
library(survival)
args <- commandArgs(trailingOnly = TRUE)
path <- if (length(args)) args[1] else "target/parametric_cohort.csv"
set.seed(13)
n <- 1e5; p <- 5
X <- matrix(rnorm(n * p), n, p, dimnames = list(NULL, paste0("x", 1:p)))
eta <- 5 + X %*% rep(0.1, p)
w <- log(-log(runif(n)))
t <- exp(eta + w / 1.5)
cens <- 400 * runif(n)
d <- data.frame(time = pmin(t, cens), status = as.integer(t <= cens), X)
write.csv(d, path, row.names = FALSE)
cat("n =", n, "p =", p, "events =", sum(d$status), "\n")
for (dist in c("exponential", "weibull", "lognormal", "loglogistic")) {
  tm <- numeric(3)
  for (r in 1:3) tm[r] <- system.time(f <- survreg(Surv(time, status) ~ ., data = d, dist = dist))[["elapsed"]]
  cat(sprintf("%-12s elapsed %.3f s  loglik %.6f  iterations %d\n", dist, median(tm), f$loglik[2], f$iter))
}
