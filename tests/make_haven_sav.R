# Writes tests/fixtures/exports/haven_user_missing.sav the way R haven writes SPSS files:
# items as labelled_spss with value labels and user-missing codes (8 = Refused, 9 = No answer,
# declared with na_values), variable labels holding the item text, role as a labelled code.
# Run from the repository root:  Rscript tests/make_haven_sav.R   (needs r-cran-haven)
library(haven)
native <- read.csv("tests/fixtures/exports/native.csv", colClasses = "character")
inst_text <- read.csv("tests/fixtures/exports/items.csv", colClasses = "character")
items <- inst_text$id
out <- data.frame(resp = native$respondent_id, school = native$school, district = native$district,
                  stringsAsFactors = FALSE)
role_code <- c(teacher = 1, leader = 2, district = 3)
out$staff_role <- labelled_spss(unname(role_code[native$role]),
                                labels = c("Classroom teacher" = 1, "School leader" = 2, "District office" = 3),
                                label = "What is your role?")
for (k in seq_along(items)) {
  v <- as.numeric(native[[items[k]]])
  v[is.na(v)] <- ifelse(k %% 2 == 0, 8, 9)   # unanswered: Refused on even, No answer on odd items
  out[[sprintf("item_%02d", k)]] <- labelled_spss(
    v, labels = c("Strongly disagree" = 1, "Disagree" = 2, "Neither agree nor disagree" = 3,
                  "Agree" = 4, "Strongly agree" = 5, "Refused" = 8, "No answer" = 9),
    na_values = c(8, 9), label = inst_text$text[k])
}
write_sav(out, "tests/fixtures/exports/haven_user_missing.sav")
