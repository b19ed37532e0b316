# Writes tests/fixtures/exports_v2/haven_forms.sav the way R haven writes SPSS files, for an instrument
# 2.0.0 survey with role forms. Items are labelled_spss with their own scale's value labels (agreement,
# frequency or count) plus 9 = "Don't know / Not applicable"; on the first half of the items 9 is also
# declared user-missing (na_values = 9), as analysts often do in SPSS, on the others it is a plain labelled
# value, as Qualtrics' SPSS export writes it. Items a role was not asked are system-missing. Role and wave
# are labelled codes; variable labels hold the item text.
# Run from the repository root, after python tests/make_export_v2.py:
#   Rscript tests/make_haven_sav_v2.R   (needs r-cran-haven)
library(haven)
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
