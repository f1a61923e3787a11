# Three generator updates a batch instead of two, each on new noise: with one, the classifier is
# unsure of a fifth of the samples, with two of a sixth (docs/tuning.md, issue 36).
G_STEPS = 3
