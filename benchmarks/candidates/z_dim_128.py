# z_dim 128 instead of 100 (reviewed range 100 to 128): more directions in the noise, for the
# generator to keep the digits apart. (docs/tuning.md, issue 36)
z_dim = 128
