"""Doors to a verdict the submission did not earn (issue 47), each forged: a solution borrowed from
what the sandbox shows, our own modules tried in place of a function, one function building the
others' evidence, evidence left in files for another function, and a hook that swaps a function
for code hidden elsewhere. None gets "passed" for what it did not write; the last, which no check
can tell from honest code, is shown to the reviewer. All but our own modules are tried by the
functions of one submission, one door each (a review costs half a minute)."""

import re

import pytest
from helpers.notebooks import learner_cells
from helpers.submissions import SHIPPED, SOLUTIONS, executed, needs_bubblewrap

from harness import project
from harness.review import checking, sandbox, sections
from harness.review.code import learner_code

pytestmark = needs_bubblewrap
LIMITS = sandbox.Limits(wall_seconds=400, cpu_seconds=400, memory_bytes=3 * 2**30, processes=128)
SIGNATURES = {
    "model_inputs": "image_width, image_height, image_channels, z_dim",
    "discriminator": "images, reuse=False",
    "generator": "z, out_channel_dim, is_train=True",
    "model_loss": "input_real, input_z, out_channel_dim",
    "model_opt": "d_loss, g_loss, learning_rate, beta1",
    "train": "epoch_count, batch_size, z_dim, learning_rate, beta1, get_batches, data_shape, data_image_mode",
}
HYPERPARAMETERS = "batch_size = 32\nz_dim = 100\nlearning_rate = 0.0004\nbeta1 = 0.5\n"

# Reads every file it can for a definition of its own name with a body, and runs the first that
# works in its place; it says what it read and found, so that the test can tell.
SEARCH = """
def NAME(SIGNATURE):
    import os, re
    seen, found = 0, []
    skip = ("/proc", "/sys", "/dev", "/usr/lib", "/usr/share", "/usr/include", "/usr/src")
    for folder, folders, files in os.walk("/"):
        if folder.startswith(skip) or "site-packages" in folder or "dist-packages" in folder:
            folders.clear()
            continue
        for file in files:
            path = os.path.join(folder, file)
            if not file.endswith((".py", ".ipynb", ".json", ".md", ".txt")):
                continue
            try:
                text = open(path, encoding="utf-8", errors="replace").read(2_000_000)
            except OSError:
                continue
            seen += 1
            if re.search(r"def NAME\\(", text):
                found.append(path)
    for path in found:
        try:
            namespace = dict(globals())
            source = open(path, encoding="utf-8").read()
            start = source.index("def NAME(")
            exec(source[start:].split("\\n\\n\\n")[0].replace("\\\\n", "\\n"), namespace)
            return namespace["NAME"](ARGUMENTS)
        except Exception:
            continue
    raise LookupError(f"read {seen} files; found a NAME in {found}")
"""

# Tries every function and class of every module of ours it can import, with our own check of each
# of the six functions (which it can see), and says which passed: once, in one function's process,
# rather than in each (importing every module of ours six times took half a minute).
OURS = """
def model_inputs(image_width, image_height, image_channels, z_dim):
    import importlib, inspect, pkgutil
    import harness
    from harness import checks

    names = ["helper", "problem_unittests"]
    names += [info.name for info in pkgutil.walk_packages(harness.__path__, "harness.")]
    candidates = []
    for module_name in names:
        try:
            module = importlib.import_module(module_name)
        except Exception:
            continue
        for _, candidate in inspect.getmembers(module, callable):
            ours = getattr(candidate, "__module__", "") == module_name
            if ours and candidate.__name__ != "_die_with_parent":
                candidates.append(candidate)  # (That one ends the process that calls it.)
    passing = []
    for name in checks.CHECKS:
        for candidate in candidates:
            try:
                checks.check_here(name, candidate)
            except BaseException:
                continue
            passing.append(f"{candidate.__name__} passes the check of {name}")
    raise LookupError(f"of the {len(candidates)} functions of ours, these pass a check: {passing}")
"""


def stubs(template: str) -> str:
    """``template`` made into each of the six functions, and the hyperparameters."""
    functions = []
    for name, signature in SIGNATURES.items():
        arguments = ", ".join(part.split("=")[0].strip() for part in signature.split(","))
        code = template.replace("NAME", name).replace("SIGNATURE", signature)
        functions.append(code.replace("ARGUMENTS", arguments).strip())
    return "\n\n\n".join([*functions, HYPERPARAMETERS])


def checked(tmp_path, source: str) -> checking.Checked:
    return checking.check(learner_code(executed(source)), tmp_path / "scratch", LIMITS)


@pytest.mark.slow
def test_no_module_of_ours_passes_in_place_of_any_function(tmp_path):
    blanks = "\n\n\n".join(f"def {name}({signature}):\n    pass" for name, signature in SIGNATURES.items())

    results = checked(tmp_path, f"{blanks}\n\n\n{OURS}\n\n\n{HYPERPARAMETERS}").results

    tried = re.search(r"of the (\d+) functions of ours, these pass a check: \[\]", results["model_inputs"])
    assert tried and int(tried.group(1)) > 100, results["model_inputs"]


# An honest model_inputs that, once called, patches our evidence-making code so that every other
# function's evidence is built by correct code hidden in its cell, and leaves evidence files for
# them; the generator ends its process without a word.
REDIRECTING = """
def model_inputs(image_width, image_height, image_channels, z_dim):
    import os, sys
    import tensorflow.compat.v1 as tf
    from harness import checks, evidence

    hidden = {HIDDEN}
    honest = dict(globals())
    for source in hidden.values():
        exec(source, honest)
    real_build = checks.build

    def build(name, function, case):
        return real_build(name, honest["_" + name] if name != "model_inputs" else function, case)

    checks.build = build
    for module in list(sys.modules.values()):
        if getattr(module, "build", None) is real_build:
            module.build = build
    os.makedirs("evidence", exist_ok=True)
    for name in ("discriminator", "generator"):
        for index, case in enumerate(checks.CHECKS[name].cases):
            with tf.Graph().as_default():
                built = real_build(name, honest["_" + name], case)
            evidence.write(built, __import__("pathlib").Path("evidence"), f"{name}-{index}")
    real = tf.placeholder(tf.float32, (None, image_height, image_width, image_channels))
    return real, tf.placeholder(tf.float32, (None, z_dim)), tf.placeholder(tf.float32, ())


def generator(z, out_channel_dim, is_train=True):
    import os

    os._exit(0)
"""

# A decorator, run when the definitions load, swaps a wrong discriminator for one hidden in another
# definition: no check can tell that from honest code, so the review shows the reviewer the code.
HOOKED = """
def swapped(function):
    return _discriminator


HIDDEN_DISCRIMINATOR


@swapped
def discriminator(images, reuse=False):
    return images, images
"""


def hidden_functions() -> dict[str, str]:
    """The honest solution's functions under hidden names (``_discriminator``...)."""
    cells = learner_cells(SOLUTIONS[0].read_text())
    return {name: re.sub(rf"\b{name}\(", f"_{name}(", cells[name]) for name in SIGNATURES}


def test_each_door_a_function_tries_leads_to_no_pass_it_did_not_earn(tmp_path):
    # Each function of one submission tries a door of its own; what one does cannot open another's,
    # since each is called in a process of its own (which the first door tests).
    searching = learner_cells(stubs(SEARCH))
    hooked = HOOKED.replace("HIDDEN_DISCRIMINATOR", hidden_functions()["discriminator"])
    redirecting = REDIRECTING.replace("{HIDDEN}", repr(hidden_functions()))
    searches = ("model_loss", "model_opt", "train")
    sources = [redirecting, hooked, *(searching[name] for name in searches), HYPERPARAMETERS]
    code = learner_code(executed("\n\n\n".join(sources)))

    outcome = checking.check(code, tmp_path / "scratch", LIMITS)
    results = outcome.results

    # One function cannot build or leave the others' evidence: model_inputs is honest, and what it
    # did after is gone with its process; its files for the generator (which made none) are not taken.
    assert results["model_inputs"] == "passed", results
    assert results["generator"] == "could not be verified: no evidence of it was made.", results
    # A search of every file the sandbox shows finds no solution to borrow.
    for name in searches:
        found = re.search(rf"read (\d+) files; found a {name} in (\[.*?\])", results[name])
        assert found, results[name]  # It ran its search, and says what it found.
        assert int(found.group(1)) > 0
        assert str(project.PROJECT / "tests") not in results[name] and ".ipynb" not in results[name]
    # A function swapped for code elsewhere passes (no check can tell), and is shown to the reviewer.
    by_title = {section.title: section for section in sections.function_sections(outcome, code)}
    shown = by_title["`discriminator` is implemented correctly"]
    assert (
        "Its graphs were built by code in `_discriminator`, not in `discriminator` itself" in shown.evidence
    )
    assert "def _discriminator(" in shown.code
    assert "def model_inputs(" in by_title["`model_inputs` is implemented correctly"].code


@pytest.mark.parametrize(
    "body",
    ["pass", "return None", "return None, None", "raise NotImplementedError", '"""Not yet."""\n    ...'],
)
def test_a_blank_function_never_meets_whatever_the_rest_does(body):
    # The hook above, on a discriminator left blank: read as text, it is not written.
    hooked = HOOKED.replace("HIDDEN_DISCRIMINATOR", "").replace("    return images, images", f"    {body}")

    assert learner_code(executed(SHIPPED + "\n\n\n" + hooked)).unwritten == ("discriminator",)
