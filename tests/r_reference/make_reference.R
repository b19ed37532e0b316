# Reference values for assetinv.reliability, computed with R psych / multilevel.
#
# Regenerate (from the repository root; needs R with psych, psychTools,
# GPArotation, multilevel, jsonlite -- dev only, the tests never call R):
#
#   Rscript tests/r_reference/make_reference.R
#
# Writes the input datasets to tests/r_reference/data/*.csv and the reference
# values to tests/r_reference/fixtures/*.json (full double precision).
#   Rscript tests/r_reference/make_reference.R growth   # only the lme4/lmerTest part
#
# The growth and REML ICC references (lme4, lmerTest) are made by
# make_reference_growth.R, sourced at the end.
if (identical(commandArgs(TRUE), "growth")) {
  source("tests/r_reference/make_reference_growth.R")
  quit(save = "no")
}
suppressPackageStartupMessages({
  library(psych); library(psychTools); library(multilevel); library(jsonlite)
})
root <- "tests/r_reference"
dir.create(file.path(root, "data"), showWarnings = FALSE, recursive = TRUE)
dir.create(file.path(root, "fixtures"), showWarnings = FALSE, recursive = TRUE)

versions <- list(
  R = paste(R.version$major, R.version$minor, sep = "."),
  psych = as.character(packageVersion("psych")),
  psychTools = as.character(packageVersion("psychTools")),
  multilevel = as.character(packageVersion("multilevel")),
  GPArotation = as.character(packageVersion("GPArotation"))
)

wcsv <- function(df, name) {
  write.csv(df, file.path(root, "data", paste0(name, ".csv")), row.names = FALSE, na = "")
}
df_cols <- function(d) {
  d <- as.data.frame(d)
  out <- lapply(d, function(v) as.numeric(v))
  names(out) <- colnames(d)
  out
}

# ---- datasets ---------------------------------------------------------------
bfi <- psychTools::bfi
wcsv(cbind(id = seq_len(nrow(bfi)), bfi), "bfi")
spi_keys <- psychTools::spi.keys
spi_items <- unique(sub("-", "", c(spi_keys$Agree, spi_keys$Consc)))
spi <- psychTools::spi[, spi_items]
wcsv(cbind(id = seq_len(nrow(spi)), spi), "spi")
ability <- psychTools::ability
wcsv(cbind(id = seq_len(nrow(ability)), as.data.frame(ability)), "ability")
sat <- psychTools::sat.act
wcsv(cbind(id = seq_len(nrow(sat)), sat), "sat_act")

# seeded random nested data: respondents in schools, 8 Likert items, 2 reversed
set.seed(20260401)
n_school <- 60
sizes <- sample(c(1, 2, 3, 5:30), n_school, replace = TRUE)
school <- rep(sprintf("S%03d", seq_len(n_school)), sizes)
n <- length(school)
u <- rnorm(n_school, 0, 0.6)[match(school, sprintf("S%03d", seq_len(n_school)))]
theta <- u + rnorm(n)
lik <- function(z) pmin(5, pmax(1, round(3 + z)))
items <- sapply(1:8, function(j) {
  load <- c(0.9, 0.8, 0.7, -0.6, 0.8, 0.5, -0.7, 0.6)[j]
  lik(load * theta + rnorm(n, 0, 0.9))
})
colnames(items) <- sprintf("EX%02d", 1:8)
miss <- matrix(runif(n * 8) < 0.05, n, 8)
items[miss] <- NA
items[7, ] <- NA                    # one respondent answered nothing
items[school == "S010", "EX03"] <- NA  # one school skipped an item
rand <- data.frame(id = seq_len(n), school = school, items)
rand$score <- rowMeans(cbind(items[, -c(4, 7)], 6 - items[, c(4, 7)]), na.rm = TRUE)
wcsv(rand, "rand")
# a second random set whose observed range (2..5) is narrower than the scale
set.seed(7)
m <- 120
narrow <- matrix(sample(2:5, m * 6, replace = TRUE, prob = c(.2, .3, .3, .2)), m, 6)
narrow[, 2] <- pmin(5, pmax(2, narrow[, 1] + sample(-1:1, m, TRUE)))
narrow[, 3] <- pmin(5, pmax(2, 7 - narrow[, 1] + sample(-1:1, m, TRUE)))
narrow[runif(m * 6) < 0.04] <- NA
colnames(narrow) <- sprintf("N%d", 1:6)
wcsv(data.frame(id = seq_len(m), narrow), "narrow")

# ---- alpha ------------------------------------------------------------------
alpha_case <- function(name, dataset, x, keys = NULL, listwise = FALSE,
                       prereversed = NULL, scale = NULL) {
  x <- as.data.frame(x)
  if (listwise) x <- na.omit(x)
  a <- suppressWarnings(psych::alpha(x, keys = keys, warnings = FALSE))
  items <- colnames(x)
  tot <- as.list(a$total)
  names(tot) <- c("raw_alpha", "std_alpha", "g6_smc", "average_r", "signal_noise",
                  "ase", "mean", "sd", "median_r")
  drop <- a$alpha.drop
  colnames(drop) <- c("raw_alpha", "std_alpha", "g6_smc", "average_r",
                      "signal_noise", "alpha_se", "var_r", "med_r")[seq_len(ncol(drop))]
  if (!"alpha_se" %in% colnames(drop)) {}
  st <- a$item.stats
  colnames(st) <- c("n", "raw_r", "std_r", "r_cor", "r_drop", "mean", "sd")
  rf <- a$response.freq
  z <- qnorm(0.975)
  res <- list(
    name = name, dataset = dataset, items = items,
    reverse = if (is.null(keys)) character(0) else as.character(keys),
    nan_policy = if (listwise) "listwise" else "pairwise",
    prereversed = prereversed, scale = scale,
    total = tot,
    feldt = list(lower = a$feldt$lower.ci[[1]], estimate = a$feldt$alpha[[1]],
                 upper = a$feldt$upper.ci[[1]]),
    duhachek = list(lower = a$total$raw_alpha - 1.96 * a$total$ase,
                    estimate = a$total$raw_alpha,
                    upper = a$total$raw_alpha + 1.96 * a$total$ase),
    alpha_drop = df_cols(drop),
    item_stats = df_cols(st),
    response_freq = if (is.null(rf)) NULL else c(list(categories = colnames(rf)), df_cols(rf)),
    nvar = a$nvar
  )
  om <- tryCatch(suppressMessages(suppressWarnings(
    psych::omega(if (is.null(keys)) x else reverse.code(keys, x, mini = min(x, na.rm = TRUE), maxi = max(x, na.rm = TRUE)),
                 nfactors = 1, plot = FALSE))), error = function(e) NULL)
  if (!is.null(om) && ncol(x) > 2) {
    res$omega <- list(omega_tot = om$omega.tot, alpha = om$alpha, G6 = om$G6,
                      loadings = as.numeric(om$schmid$sl[, 1]),
                      u2 = as.numeric(om$schmid$sl[, "u2"]))
  }
  write_json(res, file.path(root, "fixtures", paste0("alpha_", name, ".json")),
             digits = NA, auto_unbox = TRUE, na = "null", null = "null", pretty = TRUE)
  invisible(res)
}
if (identical(commandArgs(TRUE), "v2")) {  # only the 2.0.0 sample's references (make_reference_v2.R)
  source("tests/r_reference/make_reference_v2.R")
  quit(save = "no")
}

alpha_case("bfi_A", "bfi", bfi[, paste0("A", 1:5)], keys = "A1")
alpha_case("bfi_C", "bfi", bfi[, paste0("C", 1:5)], keys = c("C4", "C5"))
alpha_case("bfi_E", "bfi", bfi[, paste0("E", 1:5)], keys = c("E1", "E2"))
alpha_case("bfi_N", "bfi", bfi[, paste0("N", 1:5)])
alpha_case("bfi_O", "bfi", bfi[, paste0("O", 1:5)], keys = c("O2", "O5"))
alpha_case("bfi_all", "bfi", bfi[, 1:25], keys = c("A1", "C4", "C5", "E1", "E2", "O2", "O5"))
alpha_case("bfi_C_listwise", "bfi", bfi[, paste0("C", 1:5)], keys = c("C4", "C5"), listwise = TRUE)
alpha_case("bfi_A2A3", "bfi", bfi[, c("A2", "A3")])
alpha_case("bfi_A_nokeys", "bfi", bfi[, paste0("A", 1:5)])
alpha_case("spi_Agree", "spi", spi[, sub("-", "", spi_keys$Agree)],
           keys = sub("-", "", grep("^-", spi_keys$Agree, value = TRUE)))
alpha_case("spi_Consc", "spi", spi[, sub("-", "", spi_keys$Consc)],
           keys = sub("-", "", grep("^-", spi_keys$Consc, value = TRUE)))
alpha_case("ability", "ability", ability)
alpha_case("rand", "rand", rand[, sprintf("EX%02d", 1:8)], keys = c("EX04", "EX07"))
alpha_case("rand_listwise", "rand", rand[, sprintf("EX%02d", 1:8)], keys = c("EX04", "EX07"), listwise = TRUE)
# narrow: data-range reversal (psych default) and scale-bound reversal (1..5)
alpha_case("narrow", "narrow", narrow, keys = "N3")
nr <- as.data.frame(narrow); nr$N3 <- 6 - nr$N3
alpha_case("narrow_scale15", "narrow", nr, prereversed = "N3", scale = c(1, 5))

# ---- statsBy ICC ------------------------------------------------------------
icc_case <- function(name, dataset, d, columns, group) {
  sb <- suppressWarnings(statsBy(d[, c(columns, group)], group = group))
  res <- list(name = name, dataset = dataset, columns = columns, group = group,
              icc1 = as.list(sb$ICC1[columns]), icc2 = as.list(sb$ICC2[columns]),
              f = as.list(sb$F[columns]))
  # group sizes and number of groups as statsBy counts them
  nn <- sb$n[, columns, drop = FALSE]
  res$n_groups <- as.list(colSums(!is.na(sb$mean[, columns, drop = FALSE])))
  res$mean_group_size <- as.list(colSums(nn) / colSums(nn > 0))
  write_json(res, file.path(root, "fixtures", paste0("icc_", name, ".json")),
             digits = NA, auto_unbox = TRUE, na = "null", pretty = TRUE)
}
icc_case("sat_act_education", "sat_act", sat, c("ACT", "SATV", "SATQ"), "education")
bfi_e <- bfi[!is.na(bfi$education), ]
icc_case("bfi_education", "bfi", bfi_e, paste0("A", 1:5), "education")
icc_case("rand_school", "rand", rand, c(sprintf("EX%02d", 1:8), "score"), "school")

# ---- rwg / rwg.j ------------------------------------------------------------
rwg_case <- function(name, dataset, d, columns, group, n_options) {
  ranvar <- (n_options^2 - 1) / 12
  rj <- rwg.j(d[, columns], d[[group]], ranvar = ranvar)
  single <- lapply(columns, function(cc) {
    r <- rwg(d[[cc]], d[[group]], ranvar = ranvar)
    list(group = as.character(r$grpid), n = r$gsize, rwg = r$rwg)
  })
  names(single) <- columns
  res <- list(name = name, dataset = dataset, columns = columns, group = group,
              n_options = n_options,
              rwg_j = list(group = as.character(rj$grpid), n = rj$gsize, rwg_j = rj$rwg.j),
              rwg = single)
  write_json(res, file.path(root, "fixtures", paste0("rwg_", name, ".json")),
             digits = NA, auto_unbox = TRUE, na = "null", pretty = TRUE)
}
rwg_case("rand_school", "rand", rand, sprintf("EX%02d", 1:8), "school", 5)
rwg_case("bfi_education", "bfi", bfi_e, paste0("A", 1:5), "education", 6)


# ---- alpha per school (the building block of the per-group tables) ----------
pre <- rand[, sprintf("EX%02d", 1:8)]
pre$EX04 <- 6 - pre$EX04; pre$EX07 <- 6 - pre$EX07
rows <- list()
for (s in sort(unique(rand$school))) {
  xs <- pre[rand$school == s, ]
  if (nrow(xs) < 3) next
  a <- tryCatch(suppressMessages(suppressWarnings(psych::alpha(xs, warnings = FALSE))),
                error = function(e) NULL)
  if (is.null(a)) next
  t <- a$total
  rows[[length(rows) + 1]] <- data.frame(school = s, n = nrow(xs), n_items = a$nvar,
    raw_alpha = t$raw_alpha, std_alpha = t$std.alpha, g6_smc = t[["G6(smc)"]],
    average_r = t$average_r, signal_noise = t[["S/N"]], ase = t$ase, mean = t$mean,
    sd = t$sd, median_r = t$median_r, feldt_lower = a$feldt$lower.ci[[1]],
    feldt_upper = a$feldt$upper.ci[[1]])
}
byg <- do.call(rbind, rows)
write_json(list(name = "rand_school", dataset = "rand", items = sprintf("EX%02d", 1:8),
                reverse = c("EX04", "EX07"), scale = c(1, 5), group = "school",
                table = byg),
           file.path(root, "fixtures", "alpha_by_group_rand_school.json"),
           digits = NA, auto_unbox = TRUE, na = "null", dataframe = "columns", pretty = TRUE)

write_json(versions, file.path(root, "fixtures", "versions.json"), auto_unbox = TRUE, pretty = TRUE)
cat("psych", versions$psych, "- fixtures written\n")

source("tests/r_reference/make_reference_growth.R")
