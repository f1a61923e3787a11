# Two discriminator updates a batch, as in discriminator_twice_a_batch.py, and one generator update
# instead of two: the discriminator ahead, for about a tenth more time. (docs/tuning.md, issue 36)
from pathlib import Path

_loop = Path(__file__).with_name("discriminator_twice_a_batch.py")
exec(compile(_loop.read_text(), str(_loop), "exec"))
G_STEPS = 1
