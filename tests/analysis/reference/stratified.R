# Reference values for a stratified random sample with a finite population correction,
# calibrated to the kommun's age x gender table (post-stratification and raking), as the
# police's and SCB's postal surveys are weighted. Written for this project; run from the
# repository with: Rscript tests/analysis/reference/stratified.R tests/analysis/reference
suppressMessages(library(survey))
dir <- commandArgs(trailingOnly = TRUE)[1]
d <- read.csv(file.path(dir, "stratified_responses.csv"), stringsAsFactors = FALSE,
              encoding = "UTF-8")
pop <- read.csv(file.path(dir, "stratified_population.csv"), stringsAsFactors = FALSE)
strata <- read.csv(file.path(dir, "stratified_strata.csv"), stringsAsFactors = FALSE,
                   encoding = "UTF-8")
items <- setdiff(names(d), c("stratum", "age_band", "gender"))
d$N <- strata$population[match(d$stratum, strata$stratum)]
d$age_band <- factor(d$age_band); d$gender <- factor(d$gender)
# Weights N_h / r_h: the design weight N_h / n_h times the within-stratum nonresponse
# adjustment n_h / r_h.
des0 <- svydesign(id = ~1, strata = ~stratum, fpc = ~N, data = d)
ps <- postStratify(des0, ~age_band + gender,
                   data.frame(age_band = pop$age_band, gender = pop$gender, Freq = pop$count))
rk <- rake(des0, list(~age_band, ~gender),
           list(aggregate(cbind(Freq = count) ~ age_band, pop, sum),
                aggregate(cbind(Freq = count) ~ gender, pop, sum)),
           control = list(maxit = 100, epsilon = 1e-10))
one <- function(des, method) {
  out <- list()
  for (it in items) {
    x <- d[[it]]; ok <- !is.na(x) & x %in% 1:4
    des$variables$big <- ifelse(ok, as.numeric(x >= 3), 0)
    des$variables$score <- ifelse(ok, x, 0)
    sub <- subset(des, ok)
    m <- svymean(~big, sub); ci <- svyciprop(~big, sub, method = "logit")
    sc <- svymean(~score, sub)
    out[[length(out) + 1]] <- data.frame(method = method, group = "all", item = it, n = sum(ok),
      df = degf(sub), share = unname(coef(m)), se = unname(SE(m))[1],
      ci_low = unname(attr(ci, "ci")[1]), ci_high = unname(attr(ci, "ci")[2]),
      mean_score = unname(coef(sc)), mean_se = unname(SE(sc))[1])
    by <- svyby(~big, ~age_band, sub, svymean)
    bys <- svyby(~score, ~age_band, sub, svymean)
    for (i in seq_len(nrow(by))) {
      g <- as.character(by$age_band[i])
      out[[length(out) + 1]] <- data.frame(method = method, group = g, item = it, df = NA,
        n = sum(d$age_band == g & ok), share = by$big[i], se = by$se[i],
        mean_score = bys$score[i], mean_se = bys$se[i],
        ci_low = NA, ci_high = NA)
    }
  }
  out
}
rows <- rbind(do.call(rbind, one(ps, "poststratify")), do.call(rbind, one(rk, "rake")))
kish <- function(w) sum(w)^2 / sum(w^2)
rows$kish_n_eff <- ifelse(rows$method == "rake", kish(weights(rk)), kish(weights(ps)))
header <- paste0("# ", R.version.string, ", survey ", packageVersion("survey"))
con <- file(file.path(dir, "stratified_expected.csv"), "w", encoding = "UTF-8")
writeLines(header, con)
write.csv(rows, con, row.names = FALSE)
close(con)
