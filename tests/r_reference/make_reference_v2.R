# Reference values on the 2.0.0 sample's teacher form at baseline (dev only; the tests never call R).
#
# Run from the repository root (after tests/r_reference/make_sample_v2.py wrote the data):
#
#   Rscript tests/r_reference/make_reference.R v2
#
# make_reference.R defines alpha_case() and then sources this file. Writes
#   fixtures/alpha_sample_v2_<domain>.json   psych::alpha (keys = the reverse-keyed items) and psych::omega
#   fixtures/cfa_sample_v2_teacher.json      lavaan cfa(estimator = "ML", missing = "fiml"), four
#                                            correlated domains, reverse-keyed items reversed (6 - x)
#   fixtures/polychoric_sample_v2_LM.json    psych::polychoric of the LM teacher items
suppressPackageStartupMessages({ library(lavaan); library(jsonlite) })
v2 <- read.csv(file.path(root, "data", "sample_v2_teacher.csv"), check.names = FALSE)
spec <- fromJSON(file.path(root, "data", "sample_v2_teacher.json"))
for (d in names(spec$model)) {
  its <- spec$model[[d]]
  keys <- intersect(spec$reverse, its)
  alpha_case(paste0("sample_v2_", d), "sample_v2_teacher", v2[, its], keys = if (length(keys)) keys else NULL)
}

rev <- v2
for (v in spec$reverse) rev[[v]] <- 6 - rev[[v]]
syntax <- paste(sprintf("%s =~ %s", names(spec$model), sapply(spec$model, paste, collapse = " + ")),
                collapse = "\n")
fit <- cfa(syntax, data = rev, estimator = "ML", missing = "fiml")
measures <- c("chisq", "df", "pvalue", "cfi", "tli", "rmsea", "rmsea.ci.lower", "rmsea.ci.upper",
              "srmr", "logl", "unrestricted.logl", "baseline.chisq", "baseline.df", "ntotal", "npar")
pe <- parameterEstimates(fit, standardized = TRUE)
out <- list(model = spec$model, reverse = spec$reverse, converged = lavInspect(fit, "converged"),
            fit = as.list(fitMeasures(fit, measures)),
            params = as.list(pe[, c("lhs", "op", "rhs", "est", "se", "std.all")]),
            versions = list(R = paste(R.version$major, R.version$minor, sep = "."),
                            lavaan = as.character(packageVersion("lavaan")),
                            psych = as.character(packageVersion("psych"))))
writeLines(toJSON(out, digits = NA, auto_unbox = TRUE, na = "null", pretty = TRUE),
           file.path(root, "fixtures", "cfa_sample_v2_teacher.json"))

lm_items <- spec$model[["LM"]]
pc <- polychoric(v2[, lm_items])
writeLines(toJSON(list(items = lm_items, rho = unclass(pc$rho), tau = unclass(pc$tau),
                       versions = out$versions), digits = NA, auto_unbox = TRUE, na = "null", pretty = TRUE),
           file.path(root, "fixtures", "polychoric_sample_v2_LM.json"))
cat("2.0.0 sample references written\n")
