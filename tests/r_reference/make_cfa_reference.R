# Reference values for assetinv.cfa / invariance / ordinal / planning, computed with
# R lavaan 0.6 and psych (dev only; the tests never call R).
#
# Regenerate from the repository root (needs r-cran-lavaan, r-cran-psych,
# r-cran-psychtools, r-cran-jsonlite):
#
#   Rscript tests/r_reference/make_cfa_reference.R
#
# Writes the input data to tests/r_reference/data/ (hs1939.csv, hs1939_miss.csv,
# sample_baseline.csv; bfi.csv is written by make_reference.R) and the reference
# values to tests/r_reference/fixtures/{cfa,invariance,polychoric,planning}_*.json.
suppressPackageStartupMessages({
  library(lavaan); library(psych); library(psychTools); library(jsonlite)
})
root <- "tests/r_reference"
dir.create(file.path(root, "data"), showWarnings = FALSE, recursive = TRUE)
dir.create(file.path(root, "fixtures"), showWarnings = FALSE, recursive = TRUE)
wcsv <- function(df, name) {
  write.csv(df, file.path(root, "data", paste0(name, ".csv")), row.names = FALSE, na = "")
}
wjson <- function(x, name) {
  writeLines(toJSON(x, digits = NA, auto_unbox = TRUE, na = "null", pretty = TRUE),
             file.path(root, "fixtures", paste0(name, ".json")))
}
versions <- list(R = paste(R.version$major, R.version$minor, sep = "."),
                 lavaan = as.character(packageVersion("lavaan")),
                 psych = as.character(packageVersion("psych")),
                 psychTools = as.character(packageVersion("psychTools")))

syntax <- function(model) {
  paste(sprintf("%s =~ %s", names(model), sapply(model, paste, collapse = " + ")), collapse = "\n")
}
FIT <- c("chisq", "df", "pvalue", "cfi", "tli", "rmsea", "rmsea.ci.lower", "rmsea.ci.upper",
         "srmr", "logl", "unrestricted.logl", "baseline.chisq", "baseline.df", "ntotal", "npar")
fit_list <- function(fit) as.list(fitMeasures(fit, FIT))
pe_list <- function(fit) {
  pe <- parameterEstimates(fit, standardized = TRUE)
  keep <- c("lhs", "op", "rhs", "group", "est", "se", "std.all")
  keep <- intersect(keep, names(pe))
  as.list(pe[, keep])
}

cfa_ref <- function(data, model, name, group = NULL, ...) {
  fit <- cfa(syntax(model), data = data, estimator = "ML", missing = "fiml", group = group, ...)
  out <- list(model = model, converged = lavInspect(fit, "converged"),
              fit = fit_list(fit), params = pe_list(fit), versions = versions)
  wjson(out, name)
  invisible(fit)
}

# ---- data ----------------------------------------------------------------------
hs <- lavaan::HolzingerSwineford1939
hs_items <- paste0("x", 1:9)
wcsv(hs[, c("id", "school", "grade", hs_items)], "hs1939")
set.seed(20261201)
hsm <- hs[, c("id", "school", hs_items)]
for (v in hs_items) hsm[runif(nrow(hsm)) < 0.08, v] <- NA      # 8% MCAR per item
hsm[5, hs_items] <- NA                                           # one empty case (lavaan drops it)
wcsv(hsm, "hs1939_miss")

resp <- read.csv("tests/fixtures/v1_sample/responses.csv", check.names = FALSE)  # the 1.0.0 sample
base <- resp[resp$wave == "baseline", ]
rev_items <- c("EX04", "EX07", "LM04", "LM07", "CN04", "CN07", "OS04", "OS07")
doms <- c("EX", "LM", "CN", "OS")
items <- unlist(lapply(doms, function(d) sprintf("%s%02d", d, 1:8)))
for (v in rev_items) resp[[v]] <- 6 - resp[[v]]                  # reverse keys: 1 + 5 - x
wcsv(resp[, c("respondent_id", "school", "role", "wave", items)], "sample_reversed")
base <- resp[resp$wave == "baseline", ]

bfi <- psychTools::bfi
bfi_items <- colnames(bfi)[1:25]

# ---- CFA -------------------------------------------------------------------------
hs_model <- list(visual = c("x1", "x2", "x3"), textual = c("x4", "x5", "x6"),
                 speed = c("x7", "x8", "x9"))
cfa_ref(hs, hs_model, "cfa_hs1939")
cfa_ref(hsm, hs_model, "cfa_hs1939_miss")
bfi_model <- list(A = paste0("A", 1:5), C = paste0("C", 1:5), E = paste0("E", 1:5),
                  N = paste0("N", 1:5), O = paste0("O", 1:5))
cfa_ref(bfi, bfi_model, "cfa_bfi")
sample_model <- setNames(lapply(doms, function(d) sprintf("%s%02d", d, 1:8)), doms)
cfa_ref(base, sample_model, "cfa_sample_baseline")

# ---- invariance (multi-group) -----------------------------------------------------
inv_ref <- function(data, model, group, name) {
  out <- list(model = model, group = group, versions = versions)
  eqs <- list(configural = "", metric = "loadings",
              scalar = c("loadings", "intercepts"))
  for (lev in names(eqs)) {
    fit <- cfa(syntax(model), data = data, estimator = "ML", missing = "fiml",
               group = group, group.equal = eqs[[lev]])
    out[[lev]] <- list(converged = lavInspect(fit, "converged"), fit = fit_list(fit),
                       params = pe_list(fit), groups = lavInspect(fit, "group.label"))
  }
  wjson(out, name)
}
inv_ref(hs, hs_model, "school", "invariance_hs1939_school")
inv_ref(hsm, hs_model, "school", "invariance_hs1939_miss_school")

# ---- polychoric, ordinal alpha and omega ---------------------------------------------
poly_ref <- function(x, name) {
  pc <- polychoric(x)
  R <- unclass(pc$rho)
  om <- omega(R, nfactors = 1, n.obs = nrow(x), plot = FALSE)
  al <- alpha(R)
  wjson(list(items = colnames(x), rho = R, tau = unclass(pc$tau),
             ordinal_alpha = al$total$std.alpha, ordinal_omega = om$omega.tot,
             versions = versions), name)
}
poly_ref(bfi[, bfi_items], "polychoric_bfi")
poly_ref(base[, sprintf("EX%02d", 1:8)], "polychoric_sample_EX")
poly_ref(base[, sprintf("CN%02d", 1:8)], "polychoric_sample_CN")
# psych's pairwise-threshold branch (global = FALSE): one item never reaches the top category,
# and sparse tables with empty cells (the 0.5 continuity correction)
set.seed(20261202)
z <- MASS::mvrnorm(300, rep(0, 4), matrix(c(1, .6, .5, .4, .6, 1, .5, .3, .5, .5, 1, .45, .4, .3, .45, 1), 4))
ord <- as.data.frame(apply(z, 2, function(v) as.integer(cut(v, c(-Inf, -1.3, -0.4, 0.4, 1.6, Inf)))))
colnames(ord) <- paste0("q", 1:4)
ord$q4[ord$q4 == 5] <- 4
ord$q2[sample(300, 20)] <- NA
wcsv(ord, "ordinal_pairwise")
poly_ref(ord, "polychoric_pairwise")
# one pair's cell probabilities (psych's polyBinBvn) to check the bivariate normal
tau <- polychoric(bfi[, c("A1", "A2")])$tau
wjson(list(rho = 0.3, rc = unname(tau[1, ]), cc = unname(tau[2, ]),
           P = psych:::polyBinBvn(0.3, tau[1, ], tau[2, ])), "polychoric_bvn")

# ---- planning: detectable change (power.t.test) -----------------------------------
pt <- lapply(c(5, 8, 12, 20, 40), function(n) {
  list(n = n, sd = 0.6, delta = power.t.test(n = n, sd = 0.6, sig.level = 0.05,
                                              power = 0.8, type = "two.sample")$delta)
})
wjson(list(power_t = pt, versions = versions), "planning_power")
# the sample, one domain at a time: teachers vs leaders, baseline vs follow-up (as notebook 08)
staff <- resp[resp$role %in% c("teacher", "leader"), ]
for (d in doms) {
  m <- setNames(list(sprintf("%s%02d", d, 1:8)), d)
  inv_ref(staff, m, "role", paste0("invariance_sample_", d, "_role"))
  inv_ref(resp, m, "wave", paste0("invariance_sample_", d, "_wave"))
}
cat("done\n")
