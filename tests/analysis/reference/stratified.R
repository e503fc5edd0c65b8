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
# inside: the domain (all respondents by default). A domain is a subset of the calibrated
# design, so the weights and the variance still use every respondent.
one <- function(des, method, inside = TRUE) {
  out <- list()
  for (it in items) {
    x <- d[[it]]; ok <- !is.na(x) & x %in% 1:4 & inside
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
      # svyciprop(method = "logit") by hand: its glm fails on the smallest subsets (an
      # estimate of 0 for a share of 0.2), the Wald interval on the logit scale does not.
      p <- by$big[i]
      half <- qt(0.975, degf(subset(sub, age_band == g))) * by$se[i] / (p * (1 - p))
      gci <- plogis(qlogis(p) + c(-1, 1) * half)
      out[[length(out) + 1]] <- data.frame(method = method, group = g, item = it, df = NA,
        n = sum(d$age_band == g & ok), share = by$big[i], se = by$se[i],
        mean_score = bys$score[i], mean_se = bys$se[i],
        ci_low = gci[1], ci_high = gci[2])
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
# Domain estimates: the women of the sample, and the same answers as an open round (one
# stratum, no finite population correction, equal starting weights).
women <- d$gender == "kvinna"
d$one <- 1
open0 <- svydesign(id = ~1, weights = ~one, data = d)
ops <- postStratify(open0, ~age_band + gender,
                    data.frame(age_band = pop$age_band, gender = pop$gender, Freq = pop$count))
domain <- rbind(do.call(rbind, one(ps, "poststratify", women)),
                do.call(rbind, one(rk, "rake", women)),
                do.call(rbind, one(ops, "open", women)))
con <- file(file.path(dir, "stratified_domain_expected.csv"), "w", encoding = "UTF-8")
writeLines(header, con)
write.csv(domain, con, row.names = FALSE)
close(con)
