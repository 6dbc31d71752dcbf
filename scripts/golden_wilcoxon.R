# Golden p-values of the one-sided Wilcoxon rank-sum test (metrics.md §5.1) from R's
# wilcox.test(a, b, alternative = "greater" / "less", exact = FALSE, correct = TRUE).
#
# Writes tests/golden/wilcoxon.txt: one case per line, fields separated by ';':
#   name; a values (space-separated); b values; p_greater; p_less
# Every number is printed with 17 significant digits, so it reads back as the same float64.
#
# Run from the repository root:  Rscript scripts/golden_wilcoxon.R   (Debian r-base-core)

set.seed(20261203)
fmt <- function(v) paste(sprintf("%.17g", v), collapse = " ")
cases <- list(
  # Heavy ties: few distinct integer levels, unequal sizes.
  heavy_ties = list(a = sample(0:3, 40, replace = TRUE), b = sample(0:4, 25, replace = TRUE)),
  # Zero-inflated expression-like values rounded to one decimal (ties at 0 and elsewhere).
  zero_inflated = list(a = round(pmax(0, rnorm(80, 1, 1.5)), 1), b = round(pmax(0, rnorm(33, 0.4, 1.5)), 1)),
  # Very unequal sizes, continuous.
  unequal_sizes = list(a = rnorm(5, 0.8), b = rnorm(60)),
  unequal_sizes_rev = list(a = rnorm(70, -0.2), b = rnorm(3)),
  # Moderate shift, no ties.
  shifted = list(a = rnorm(200, 0.3), b = rnorm(150)),
  # Complete separation: the far tail of the normal (p near 1e-18).
  separated = list(a = 100 + seq_len(50), b = seq_len(50)),
  separated_ties = list(a = rep(c(10, 11), each = 30), b = rep(c(1, 2, 3), each = 20)),
  # sigma = 0: every value equal (R's z is -Inf / +Inf, both p-values 1).
  sigma_zero = list(a = rep(2.5, 7), b = rep(2.5, 4)),
  # Two values each, one shared.
  tiny = list(a = c(1, 2), b = c(2, 3))
)
lines <- character(0)
for (name in names(cases)) {
  a <- cases[[name]]$a
  b <- cases[[name]]$b
  pg <- suppressWarnings(wilcox.test(a, b, alternative = "greater", exact = FALSE, correct = TRUE)$p.value)
  pl <- suppressWarnings(wilcox.test(a, b, alternative = "less", exact = FALSE, correct = TRUE)$p.value)
  lines <- c(lines, paste(name, fmt(a), fmt(b), sprintf("%.17g", pg), sprintf("%.17g", pl), sep = ";"))
}
header <- sprintf("# scripts/golden_wilcoxon.R, %s: name;a;b;p_greater;p_less", R.version.string)
writeLines(c(header, lines), "tests/golden/wilcoxon.txt")
