# R3GAN's objective (Huang et al. 2024): the relativistic pairing loss of relativistic_pairing.py
# with R1 on the real images and R2 on the fakes, both of the notebook's weight. (docs/tuning.md, issue 36)
from pathlib import Path

_loss = Path(__file__).with_name("relativistic_pairing.py")
exec(compile(_loss.read_text(), str(_loss), "exec"))
R2_WEIGHT = 4.0
