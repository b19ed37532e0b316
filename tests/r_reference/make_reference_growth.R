# lme4 / lmerTest references for assetinv.change_over_time and the REML ICC(1)
# (dev only; the tests never call R). Sourced by make_reference.R, or run alone
# from the repository root:   Rscript tests/r_reference/make_reference.R growth
#
# The networks are simulated and scored by assetinv itself: run
# `PYTHONPATH=$PWD python tests/r_reference/make_growth_data.py` first (it writes
# tests/r_reference/data/growth_*.csv and growth_networks.json).
suppressPackageStartupMessages({
  library(lme4); library(lmerTest); library(psych); library(jsonlite)
})
root <- "tests/r_reference"
if (!file.exists(file.path(root, "data", "growth_networks.json")))
  stop("run `PYTHONPATH=$PWD python tests/r_reference/make_growth_data.py` first")
meta <- fromJSON(file.path(root, "data", "growth_networks.json"))

coef_row <- function(m, term = "followup") {
  cf <- summary(m)$coefficients
  list(estimate = cf[term, "Estimate"], se = cf[term, "Std. Error"],
       df = if ("df" %in% colnames(cf)) cf[term, "df"] else df.residual(m))
}
vc_list <- function(m) {
  v <- as.data.frame(VarCorr(m))
  lapply(split(v, seq_len(nrow(v))), function(r) list(grp = r$grp, var1 = r$var1, var2 = r$var2,
                                                       vcov = r$vcov, sdcor = r$sdcor))
}
# ICC(1) three ways on one score column: statsBy (nbar = N/G), one-way ANOVA with
# n0 = (N - sum n_j^2 / N) / (G - 1), and REML (lme4 VarCorr)
icc_three <- function(score, group) {
  ok <- !is.na(score); score <- score[ok]; group <- factor(group[ok])
  nj <- tabulate(group); G <- length(nj); N <- sum(nj)
  mj <- tapply(score, group, mean); m <- mean(score)
  msb <- sum(nj * (mj - m)^2) / (G - 1)
  msw <- sum((score - mj[group])^2) / (N - G)
  nbar <- N / G; n0 <- (N - sum(nj^2) / N) / (G - 1)
  fit <- lmer(score ~ 1 + (1 | group), REML = TRUE)
  v <- as.data.frame(VarCorr(fit))
  tau <- v$vcov[v$grp == "group"]; sig <- v$vcov[v$grp == "Residual"]
  list(n = N, n_groups = G, icc_statsby = (msb - msw) / (msb + (nbar - 1) * msw),
       icc_anova = (msb - msw) / (msb + (n0 - 1) * msw), n0 = n0,
       icc_reml = tau / (tau + sig), tau2 = tau, sigma2 = sig)
}

for (name in names(meta)) {
  info <- meta[[name]]
  d <- read.csv(file.path(root, "data", paste0("growth_", name, ".csv")), stringsAsFactors = FALSE)
  d$score <- d[[info$domain]]
  d$followup <- as.numeric(d$wave == "followup")
  d$respondent_id <- as.character(d$respondent_id)
  per <- table(paste(d$school, d$respondent_id))
  linked <- any(per > 1)
  rterm <- if (info$model == "slope") "(1 + followup | school)" else "(1 | school)"
  f <- as.formula(paste("score ~ followup +", rterm, if (linked) "+ (1 | school:respondent_id)" else ""))
  m <- lmer(f, data = d, REML = TRUE)
  schools <- list()
  for (s in sort(unique(d$school))) {
    ds <- d[d$school == s, ]
    if (sum(ds$followup == 0) < 5 || sum(ds$followup == 1) < 5) next
    if (any(table(ds$respondent_id) > 1)) {
      ms <- suppressMessages(lmer(score ~ followup + (1 | respondent_id), data = ds, REML = TRUE))
      schools[[s]] <- c(list(model = "respondent", theta = unname(getME(ms, "theta")), sigma = sigma(ms)),
                        coef_row(ms))
    } else {
      ms <- lm(score ~ followup, data = ds)
      cf <- summary(ms)$coefficients
      schools[[s]] <- list(model = "ols", estimate = cf["followup", 1], se = cf["followup", 2],
                           df = df.residual(ms))
    }
  }
  base <- d[d$followup == 0, ]
  res <- list(name = name, domain = info$domain, model = info$model, linked = linked,
              formula = paste(deparse(f), collapse = ""),
              network = coef_row(m), theta = unname(getME(m, "theta")), sigma = sigma(m),
              theta_names = names(getME(m, "theta")),
              varcorr = unname(vc_list(m)), loglik = as.numeric(logLik(m)),
              singular = isSingular(m), schools = schools,
              icc_baseline = icc_three(base$score, base$school))
  write_json(res, file.path(root, "fixtures", paste0("growth_", name, ".json")),
             digits = NA, auto_unbox = TRUE, na = "null", null = "null", pretty = TRUE)
}

# REML ICC(1) on the seeded nested set used by the statsBy fixtures (schools of 1-30)
rand <- read.csv(file.path(root, "data", "rand.csv"), stringsAsFactors = FALSE)
icc_ref <- list(rand_score = icc_three(rand$score, rand$school),
                rand_EX01 = icc_three(rand$EX01, rand$school))
write_json(icc_ref, file.path(root, "fixtures", "reml_icc_methods.json"),
           digits = NA, auto_unbox = TRUE, na = "null", pretty = TRUE)
write_json(list(R = paste(R.version$major, R.version$minor, sep = "."),
                lme4 = as.character(packageVersion("lme4")),
                lmerTest = as.character(packageVersion("lmerTest"))),
           file.path(root, "fixtures", "versions_lme4.json"), auto_unbox = TRUE, pretty = TRUE)
cat("lme4", as.character(packageVersion("lme4")), "- growth fixtures written\n")
source(file.path(root, "make_reference_waves.R"))

# ---- omega total on random bfi subsets and constructed Heywood cases ----------
bfi <- read.csv(file.path(root, "data", "bfi.csv"))
set.seed(20261101)
items <- paste0(rep(c("A", "C", "E", "N", "O"), each = 5), 1:5)
cases <- list()
for (k in 1:24) {
  p <- sample(3:8, 1)
  cases[[length(cases) + 1]] <- list(name = sprintf("bfi_subset_%02d", k), items = sort(sample(items, p)))
}
# Heywood: a near-copy of an item (about 3% of answers moved by one point)
hw <- bfi[, c("id", "A2", "A3", "A4", "A5", "N1", "N2", "N3")]
bump <- function(v, share) { i <- which(!is.na(v) & runif(length(v)) < share)
  v[i] <- pmin(6, pmax(1, v[i] + sample(c(-1, 1), length(i), TRUE))); v }
hw$A2b <- bump(hw$A2, 0.03); hw$N1b <- bump(hw$N1, 0.02); hw$N1c <- bump(hw$N1, 0.05)
write.csv(hw, file.path(root, "data", "heywood.csv"), row.names = FALSE, na = "")
hcases <- list(list(name = "hw_A", items = c("A2", "A2b", "A3", "A4")),
               list(name = "hw_A5", items = c("A2", "A2b", "A3", "A4", "A5")),
               list(name = "hw_N", items = c("N1", "N1b", "N2", "N3")),
               list(name = "hw_N2", items = c("N1", "N1b", "N1c", "N2")),
               list(name = "hw_N3", items = c("N1", "N1c", "N2", "N3")))
om_case <- function(cs, d, dataset) {
  x <- d[, cs$items]
  om <- suppressMessages(suppressWarnings(psych::omega(x, nfactors = 1, plot = FALSE)))
  u2 <- as.numeric(om$schmid$sl[, "u2"])
  list(name = cs$name, dataset = dataset, items = cs$items, omega_tot = om$omega.tot,
       u2 = u2, loadings = as.numeric(om$schmid$sl[, 1]),
       heywood = min(u2) < 0.01 || max(abs(om$schmid$sl[, 1])) > 0.999)
}
omega_ref <- c(lapply(cases, om_case, d = bfi, dataset = "bfi"),
               lapply(hcases, om_case, d = hw, dataset = "heywood"))
write_json(omega_ref, file.path(root, "fixtures", "omega_check.json"),
           digits = NA, auto_unbox = TRUE, na = "null", pretty = TRUE)
