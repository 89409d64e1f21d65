# R survival engine of `npm run bench`. Called by `survkit-bench all` as
#   Rscript bench/survival.R --task import|km|cox|page --file F --p P --reps N
# and prints one JSON line (times in seconds, warm-up run dropped).
#   import: data.table::fread (single thread, like survkit) when installed, else read.csv
#   km:     survfit(Surv(time, status) ~ arm) with its quartiles + survdiff (log-rank)
#   cox:    coxph(Surv(time, status) ~ x1 + ... + xp, ties = "efron")
#   page:   import + km + cox, as above
args <- commandArgs(trailingOnly = TRUE)
opt <- function(k) { i <- match(k, args); if (is.na(i)) NULL else args[i + 1] }
task <- opt("--task"); file <- opt("--file")
p <- as.integer(opt("--p")); reps <- max(1L, as.integer(opt("--reps")))

status_kb <- function(key) {
  l <- grep(paste0("^", key), readLines("/proc/self/status"), value = TRUE)
  if (length(l) == 0) return(NA)
  as.numeric(strsplit(trimws(sub(key, "", l)), " +")[[1]][1])
}
base_kb <- status_kb("VmRSS:")

suppressMessages(library(survival))
has_dt <- requireNamespace("data.table", quietly = TRUE)
if (has_dt) data.table::setDTthreads(as.integer(Sys.getenv("BENCH_R_THREADS", "1")))
reader <- if (has_dt) "data.table::fread" else "read.csv"
read <- function(f) {
  if (has_dt) data.table::fread(f, showProgress = FALSE) else read.csv(f)
}
covs <- paste0("x", seq_len(p))
cox_formula <- as.formula(paste("Surv(time, status) ~", paste(covs, collapse = " + ")))

km <- function(d) {
  fit <- survfit(Surv(time, status) ~ arm, data = d)
  q <- quantile(fit, c(0.25, 0.5, 0.75))
  survdiff(Surv(time, status) ~ arm, data = d)$chisq
}
cox <- function(d) {
  fit <- coxph(cox_formula, data = d, ties = "efron")
  list(loglik = fit$loglik[2], coef1 = unname(coef(fit)[1]))
}

cpu <- function() { pt <- proc.time(); pt[["user.self"]] + pt[["sys.self"]] }
runs <- function(f) {
  times <- numeric(0); cpus <- numeric(0); out <- NULL
  for (i in 0:reps) {
    c0 <- cpu(); t0 <- proc.time()[["elapsed"]]
    out <- f()
    dt <- proc.time()[["elapsed"]] - t0; dc <- cpu() - c0
    if (i > 0) { times <- c(times, dt); cpus <- c(cpus, dc) }
  }
  list(times = times, cpus = cpus, out = out)
}

if (task == "import") {
  r <- runs(function() nrow(read(file)))
} else if (task == "km") {
  d <- read(file)
  r <- runs(function() km(d))
} else if (task == "cox") {
  d <- read(file)
  r <- runs(function() cox(d))
} else if (task == "page") {
  r <- runs(function() { d <- read(file); km(d); cox(d)$loglik })
} else stop("unknown task ", task)

num <- function(x) formatC(x, digits = 17, format = "g")
check <- if (is.list(r$out)) {
  sprintf('{"loglik": %s, "coef1": %s}', num(r$out$loglik), num(r$out$coef1))
} else num(r$out)
cat(sprintf(
  '{"engine": "r", "version": "%s; survival %s; %s", "times": [%s], "cpu_times": [%s], "peak_rss_kb": %s, "base_rss_kb": %s, "check": %s}\n',
  R.version.string, format(packageVersion("survival")), reader,
  paste(num(r$times), collapse = ", "), paste(num(r$cpus), collapse = ", "), num(status_kb("VmHWM:")), num(base_kb), check))
