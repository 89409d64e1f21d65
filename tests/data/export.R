# Exports the public datasets shipped with R's survival package to CSV, unchanged,
# for golden tests and as examples. Run from the repo root:
#   Rscript tests/data/export.R
# R 4.2.2, survival 3.5-3 (Debian bookworm).
library(survival)
out <- "tests/data"
w <- function(d, name) write.csv(d, file.path(out, paste0(name, ".csv")), row.names = FALSE, na = "")
w(survival::lung, "lung")          # NCCTG advanced lung cancer; Loprinzi et al., J Clin Oncol 1994
w(survival::veteran, "veteran")    # VA lung cancer trial; Kalbfleisch & Prentice 1980
w(survival::ovarian, "ovarian")    # Edmonson et al., Cancer Treat Rep 1979
w(survival::aml, "aml")            # Miller 1997, acute myelogenous leukemia
w(survival::pbc, "pbc")            # Mayo Clinic PBC; Therneau & Grambsch 2000
w(survival::colon, "colon")        # Laurie et al., J Clin Oncol 1989 (adjuvant chemo)
w(survival::heart, "heart")        # Stanford heart transplant, counting-process form
w(survival::rats, "rats")          # Mantel et al. 1977, litter-matched rats
