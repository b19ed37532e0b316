# lavaan MLR references (dev-only; CI does not need R): robust standard errors and Yuan-Bentler
# (Mplus) scaled fit measures of cfa(..., estimator = "MLR", missing = "fiml").
# Run from the repository root:  Rscript tests/r_reference/make_reference_mlr.R
# Reads tests/r_reference/data/hs1939_miss.csv and bfi.csv (written by make_cfa_reference.R /
# make_reference.R); writes tests/r_reference/fixtures/mlr_*.json.
suppressPackageStartupMessages({ library(lavaan); library(jsonlite) })
root <- "tests/r_reference"
FIT <- c("chisq", "df", "pvalue", "chisq.scaled", "chisq.scaling.factor", "pvalue.scaled", "cfi.scaled",
         "tli.scaled", "rmsea.scaled", "baseline.chisq.scaled", "baseline.chisq.scaling.factor", "ntotal")
syntax <- function(model) {
  paste(sprintf("%s =~ %s", names(model), sapply(model, paste, collapse = " + ")), collapse = "\n")
}
mlr_ref <- function(data, model, name, group = NULL) {
  fit <- cfa(syntax(model), data = data, estimator = "MLR", missing = "fiml", group = group)
  pe <- parameterEstimates(fit)
  keep <- intersect(c("lhs", "op", "rhs", "group", "est", "se"), names(pe))
  out <- list(model = model, group = if (is.null(group)) NA else group,
              converged = lavInspect(fit, "converged"),
              fit = as.list(unclass(fitMeasures(fit, FIT))), params = as.list(pe[, keep]),
              versions = list(R = paste(R.version$major, R.version$minor, sep = "."),
                              lavaan = as.character(packageVersion("lavaan"))))
  writeLines(toJSON(out, digits = NA, auto_unbox = TRUE, na = "null", pretty = TRUE),
             file.path(root, "fixtures", paste0(name, ".json")))
}
hs <- read.csv(file.path(root, "data", "hs1939_miss.csv"))
hs_model <- list(visual = c("x1", "x2", "x3"), textual = c("x4", "x5", "x6"), speed = c("x7", "x8", "x9"))
mlr_ref(hs, hs_model, "mlr_hs1939")
mlr_ref(hs, hs_model, "mlr_hs1939_school", group = "school")
bfi <- read.csv(file.path(root, "data", "bfi.csv"))
bfi_model <- list(A = paste0("A", 1:5), C = paste0("C", 1:5), E = paste0("E", 1:5),
                  N = paste0("N", 1:5), O = paste0("O", 1:5))
mlr_ref(bfi, bfi_model, "mlr_bfi")

# the 2.0.0 sample's teacher form at baseline (written by tests/r_reference/make_sample_v2.py):
# four correlated domains, reverse-keyed items reversed (6 - x), as cfa_sample_v2_teacher.json
v2 <- read.csv(file.path(root, "data", "sample_v2_teacher.csv"), check.names = FALSE)
spec <- fromJSON(file.path(root, "data", "sample_v2_teacher.json"))
for (v in spec$reverse) v2[[v]] <- 6 - v2[[v]]
mlr_ref(v2, spec$model, "mlr_sample_v2_teacher")

# missing = "listwise": lavaan uses the expected information for ML standard errors (the observed one
# for MLR) and no mean structure (SRMR without means)
lw_ref <- function(data, model, name, estimator) {
  fit <- cfa(syntax(model), data = data, estimator = estimator, missing = "listwise")
  pe <- parameterEstimates(fit)
  measures <- c("chisq", "df", "cfi", "tli", "rmsea", "srmr",
                if (estimator == "MLR") c("chisq.scaled", "chisq.scaling.factor", "cfi.scaled"))
  out <- list(model = model, estimator = estimator, fit = as.list(unclass(fitMeasures(fit, measures))),
              params = as.list(pe[, c("lhs", "op", "rhs", "est", "se")]),
              versions = list(lavaan = as.character(packageVersion("lavaan"))))
  writeLines(toJSON(out, digits = NA, auto_unbox = TRUE, na = "null", pretty = TRUE),
             file.path(root, "fixtures", paste0(name, ".json")))
}
lw_ref(hs, hs_model, "cfa_hs1939_listwise_ML", "ML")
lw_ref(hs, hs_model, "cfa_hs1939_listwise_MLR", "MLR")
