# Feature matching as in feature_matching.py, ten times heavier. (docs/tuning.md, issue 36)
from pathlib import Path

_matching = Path(__file__).with_name("feature_matching.py")
exec(compile(_matching.read_text(), str(_matching), "exec"))
FM_WEIGHT = 10.0
