# lme4 / lmerTest references for change_over_time with three or more waves (issue 17.5).
# Dev only; sourced by make_reference_growth.R. The networks come from
# `PYTHONPATH=$PWD python tests/r_reference/make_growth_data.py` (growth_waves.json).
# Tight optimiser tolerances so lme4 stops at the REML optimum itself.
ctrl <- lmerControl(optimizer = "nloptwrap",
                    optCtrl = list(xtol_abs = 1e-14, ftol_abs = 1e-15, xtol_rel = 1e-14, maxeval = 1e5),
                    check.conv.singular = "ignore")
wmeta <- fromJSON(file.path(root, "data", "growth_waves.json"))
terms_of <- function(m, terms) {
  cf <- summary(m)$coefficients
  lapply(setNames(terms, terms), function(tm) list(estimate = cf[tm, "Estimate"], se = cf[tm, "Std. Error"],
                                                    df = if ("df" %in% colnames(cf)) cf[tm, "df"]
                                                         else df.residual(m)))
}
for (name in names(wmeta)) {
  info <- wmeta[[name]]
  d <- read.csv(file.path(root, "data", paste0("growth_", name, ".csv")), stringsAsFactors = FALSE)
  d$score <- d[[info$domain]]
  d$wave <- factor(d$wave, levels = info$waves)
  d$t <- as.numeric(d$wave) - 1
  d$respondent_id <- as.character(d$respondent_id)
  linked <- any(table(paste(d$school, d$respondent_id)) > 1)
  rterm <- paste("+ (1 | school)", if (linked) "+ (1 | school:respondent_id)" else "")
  wterms <- paste0("wave", info$waves[-1])
  mw <- lmer(as.formula(paste("score ~ wave", rterm)), data = d, REML = TRUE, control = ctrl)
  mt <- lmer(as.formula(paste("score ~ t", rterm)), data = d, REML = TRUE, control = ctrl)
  schools <- list()
  for (s in sort(unique(d$school))) {
    ds <- d[d$school == s, ]
    if (min(table(factor(ds$wave, levels = info$waves))) < 5) next
    if (any(table(ds$respondent_id) > 1)) {
      sw <- suppressMessages(lmer(score ~ wave + (1 | respondent_id), data = ds, REML = TRUE, control = ctrl))
      stt <- suppressMessages(lmer(score ~ t + (1 | respondent_id), data = ds, REML = TRUE, control = ctrl))
      kind <- "respondent"
    } else {
      sw <- lm(score ~ wave, data = ds); stt <- lm(score ~ t, data = ds); kind <- "ols"
    }
    schools[[s]] <- list(model = kind, contrasts = terms_of(sw, wterms), trend = terms_of(stt, "t")$t,
                         singular = if (kind == "ols") FALSE else isSingular(sw) || isSingular(stt))
  }
  res <- list(name = name, domain = info$domain, waves = info$waves, linked = linked,
              network = list(contrasts = terms_of(mw, wterms), trend = terms_of(mt, "t")$t),
              varcorr_wave = unname(vc_list(mw)), varcorr_trend = unname(vc_list(mt)),
              loglik_wave = as.numeric(logLik(mw)), loglik_trend = as.numeric(logLik(mt)), schools = schools)
  write_json(res, file.path(root, "fixtures", paste0("waves_", name, ".json")),
             digits = NA, auto_unbox = TRUE, na = "null", null = "null", pretty = TRUE)
}
cat("multi-wave growth fixtures written\n")
