# Batches of 32 instead of 16 (reviewed range 16 to 64): half the steps, each on twice the images.
# (docs/tuning.md, issue 36)
batch_size = 32
