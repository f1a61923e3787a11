# One discriminator update and one generator update a batch, in the loop of
# discriminator_twice_a_batch.py: the ratio of two and two, in 0.7 of the time. (docs/tuning.md, issue 36)
from pathlib import Path

_loop = Path(__file__).with_name("discriminator_twice_a_batch.py")
exec(compile(_loop.read_text(), str(_loop), "exec"))
D_STEPS = 1
G_STEPS = 1
