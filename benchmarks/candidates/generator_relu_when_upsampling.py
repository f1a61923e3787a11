# Between the generator's slopes, the other way round from generator_relu_at_7x7.py: leaky ReLU at 0.1
# on its 7x7 layer, plain ReLU (DCGAN's) on its two transposed convolutions. (docs/tuning.md, issue 36)
from pathlib import Path

_network = Path(__file__).with_name("generator_relu_at_7x7.py")
exec(compile(_network.read_text(), str(_network), "exec"))
SLOPES = (0.1, 0.0, 0.0)
