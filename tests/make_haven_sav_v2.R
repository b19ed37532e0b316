# Writes tests/fixtures/exports_v2/haven_forms.sav and haven_tagged.dta the way R haven writes SPSS and Stata files, for an instrument
# 2.0.0 survey with role forms. Items are labelled_spss with their own scale's value labels (agreement,
# frequency, count or share) plus 9 = "Don't know / Not applicable"; on the first half of the items 9 is also
# declared user-missing (na_values = 9), as analysts often do in SPSS, on the others it is a plain labelled
# value, as Qualtrics' SPSS export writes it. Items a role was not asked are system-missing. Role and wave
# are labelled codes; variable labels hold the item text.
# Run from the repository root, after python tests/make_export_v2.py:
#   Rscript tests/make_haven_sav_v2.R   (needs r-cran-haven)
library(haven)
# ReadStat writes the current time into each file's header; pin it so that a rerun gives the same bytes
# (as tests/make_export_v2.py does for the files it writes).
pin_time <- function(path) {
  b <- readBin(path, "raw", file.info(path)$size)
  if (rawToChar(b[1:4]) %in% c("$FL2", "$FL3")) {  # SPSS: creation date (9) and time (8) at byte 93
    b[93:109] <- charToRaw("01 Sep 2500:00:00")
  } else {  # Stata 117+: <timestamp>, a length byte, "dd Mon yyyy hh:mm"
    k <- grepRaw("<timestamp>", b, fixed = TRUE) + nchar("<timestamp>")
    stopifnot(as.integer(b[k]) == 17)
    b[(k + 1):(k + 17)] <- charToRaw("01 Sep 2025 00:00")
  }
  writeBin(b, path)
}
native <- read.csv("tests/fixtures/exports_v2/native.csv", colClasses = "character")
meta <- read.csv("tests/fixtures/exports_v2/items.csv", colClasses = "character")
out <- data.frame(ResponseId = native$respondent_id, school = native$school, district = native$district,
                  stringsAsFactors = FALSE)
role_code <- c(teacher = 1, leader = 2, district = 3)
out$staff_role <- labelled_spss(unname(role_code[native$role]),
                                labels = c("Classroom teacher" = 1, "School leader" = 2, "District office" = 3),
                                label = "What is your role?")
wave_code <- c(baseline = 1, followup = 2)
out$wave <- labelled_spss(unname(wave_code[native$wave]), labels = c("baseline" = 1, "followup" = 2),
                          label = "Survey wave")
half <- ceiling(nrow(meta) / 2)
for (k in seq_len(nrow(meta))) {
  parts <- strsplit(strsplit(meta$labels[k], ";", fixed = TRUE)[[1]], "=", fixed = TRUE)
  labs <- setNames(as.numeric(vapply(parts, `[`, "", 1)), vapply(parts, `[`, "", 2))
  v <- as.numeric(native[[meta$id[k]]])
  out[[meta$id[k]]] <- if (k <= half) {
    labelled_spss(v, labels = labs, na_values = 9, label = meta$text[k])
  } else {
    labelled_spss(v, labels = labs, label = meta$text[k])
  }
}
out$duration <- as.numeric(native$duration_sec)
write_sav(out, "tests/fixtures/exports_v2/haven_forms.sav")
pin_time("tests/fixtures/exports_v2/haven_forms.sav")

# The same answers as a Stata file, the way haven writes one: Don't know as the tagged missing value .a
# (labelled "Don't know"); one answer in seven (on a diagonal of rows and items) is replaced by .b ("Refused"),
# which is missing.
st <- out
for (k in seq_len(nrow(meta))) {
  v <- as.numeric(native[[meta$id[k]]])
  dk <- !is.na(v) & v == 9
  x <- ifelse(dk, tagged_na("a"), v)
  refused <- which(!is.na(v) & !dk & (seq_along(v) + k) %% 7 == 0)
  x[refused] <- tagged_na("b")
  parts <- strsplit(strsplit(meta$labels[k], ";", fixed = TRUE)[[1]], "=", fixed = TRUE)
  labs <- setNames(as.numeric(vapply(parts, `[`, "", 1)), vapply(parts, `[`, "", 2))
  labs <- labs[labs != 9]
  st[[meta$id[k]]] <- labelled(x, labels = c(labs, "Don't know" = tagged_na("a"), "Refused" = tagged_na("b")),
                               label = meta$text[k])
}
write_dta(st, "tests/fixtures/exports_v2/haven_tagged.dta")
pin_time("tests/fixtures/exports_v2/haven_tagged.dta")
