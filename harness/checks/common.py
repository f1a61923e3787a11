"""What the checks share: their failure, calling the learner's function, and reading a graph.

Every failure is a ``CheckFailed`` whose message is for the learner: what is wrong and how to fix it.
"""

import functools

import numpy as np
import tensorflow.compat.v1 as tf

from harness.messages import first_line, learner_line, not_written_yet

RNG_SEED = 0
Z_DIM = 100


class CheckFailed(AssertionError):
    """Your function does not do what the notebook asks; the message says what to change."""


class NotWrittenYet(CheckFailed):
    """A function of the exercise still has its blank body."""


def require(condition, message):
    """Fails with ``message`` unless ``condition``."""
    if not condition:
        raise CheckFailed(message)


def function_name(function):
    """The name of the learner's function, through functools.partial."""
    function = function.func if isinstance(function, functools.partial) else function
    return getattr(function, "__name__", None) or type(function).__name__


def unwritten(result):
    """True for what a blank exercise returns: None, or a tuple of Nones."""
    if isinstance(result, (tuple, list)):
        return len(result) > 0 and all(value is None for value in result)
    return result is None


def require_written(*functions):
    """Stops with a message for the learner when one of ``functions`` still has its blank body.

    A blank body (only a docstring, comments and ``return None``) refers to no name at all.

    Raises:
        NotWrittenYet: Naming the first blank function.
    """
    for function in functions:
        code = getattr(function, "__code__", None)
        if code is not None and not code.co_names:
            raise NotWrittenYet(not_written_yet(function.__name__))


def call(description, function, *args, returns=True):
    """Calls your function; an error inside it becomes a failure naming it and your line.

    With ``returns``, a result of None (or Nones) says the function is not written yet.
    """
    name = function_name(function)
    try:
        result = function(*args)
    except CheckFailed:
        raise
    except Exception as error:
        hint = ""
        text = str(error)
        if "uninitialized" in text:
            hint = (
                " Run sess.run(tf.global_variables_initializer()) inside the session, after building the "
                "model and before training."
            )
        elif "Trying to share variable" in text:
            hint = (
                " The network was called on inputs of different shapes: real and generated images must "
                "have the same size and number of channels (pass out_channel_dim on to the generator)."
            )
        elif "does not exist" in text or "already exists" in text:
            hint = (
                " This is about sharing weights: use tf.variable_scope(name, reuse=reuse) so that "
                "the first call creates the variables and later calls reuse them."
            )
        elif "reset_default_graph" in text:
            hint = (
                " Remove tf.reset_default_graph() from your function: the notebook gives each training "
                "run a new graph of its own."
            )
        raise CheckFailed(
            f"Your `{name}` raised {type(error).__name__}: {first_line(error)}{learner_line(error)}. "
            f"It was called as {description}.{hint}"
        ) from error
    if returns and unwritten(result):
        raise NotWrittenYet(f"{description} returned {result!r}: {not_written_yet(name)}")
    return result


def run(sess, fetches, feed, description):
    try:
        return sess.run(fetches, feed_dict=feed)
    except tf.errors.OpError as error:
        raise CheckFailed(
            f"Running {description} failed: {first_line(error)}{learner_line(error)}. Check that no size "
            "is fixed in your graph: the batch size must stay open (None or -1)."
        ) from error


def assign(sess, values: list[tuple[tf.Variable, np.ndarray]]) -> None:
    """Sets each variable to its array (``values``: pairs), in one session call: ``Variable.load``
    runs a call for each, and on a generator's graph a call costs as much as a small training step."""
    feeds, together, apart = {}, [], []
    for variable, value in values:
        initial = variable.initializer.inputs[1]  # The tensor Variable.load feeds.
        if initial in feeds:  # Two variables started from one tensor: it cannot take two values.
            apart.append((variable, value))
        else:
            feeds[initial] = value
            together.append(variable.initializer)
    sess.run(together, feeds)
    for variable, value in apart:
        variable.load(value, sess)


def require_tf_v1(tf_module):
    require(
        hasattr(tf_module, "placeholder") and hasattr(tf_module, "variable_scope"),
        f"The second argument should be the TensorFlow module your functions use, "
        f"tensorflow.compat.v1 (imported as tf); got {getattr(tf_module, '__name__', tf_module)!r}.",
    )


def as_tensor(value, description):
    require(
        isinstance(value, tf.Tensor),
        f"{description} should be a tensor, got {type(value).__name__} ({value!r}).",
    )
    return value


def pair(result, description, names):
    require(
        isinstance(result, (tuple, list)) and len(result) == 2,
        f"{description} should return two tensors, ({names}); got {result!r}.",
    )
    return [as_tensor(value, f"{name} from {description}") for value, name in zip(result, names.split(", "))]


def variable_names(graph):
    return sorted(v.name for v in graph.get_collection(tf.GraphKeys.GLOBAL_VARIABLES))


SHAPE_ONLY = {"Shape", "ShapeN", "Size", "Rank", "ZerosLike", "OnesLike"}


def depends_on(tensor, source):
    """Whether the values of ``tensor`` are computed from ``source`` (reading its shape does not count)."""
    seen, pending = set(), [tensor.op]
    while pending:
        op = pending.pop()
        if op is source.op:
            return True
        if op in seen or op.type in SHAPE_ONLY:
            continue
        seen.add(op)
        pending.extend(t.op for t in op.inputs)
    return False


def producer(tensor):
    """The op that computes ``tensor``, looking through renaming (Identity) ops."""
    op = tensor.op
    while op.type == "Identity":
        op = op.inputs[0].op
    return op


def sigmoid(x):
    return 1 / (1 + np.exp(-x))


def label(value):
    """A label for a message, with no '-0.00'."""
    return f"{0.0 if abs(value) < 0.005 else value:.2f}"


def as_failure(error: Exception, name: str) -> CheckFailed:
    """What the learner reads for an error inside a check of their function ``name``: the error and
    their line, never a traceback through our code."""
    from harness.training import TrainingDiverged

    if isinstance(error, CheckFailed):
        return error
    if isinstance(error, TrainingDiverged):
        return CheckFailed(f"Training your {name} diverged: {error}")
    return CheckFailed(
        f"The check of your `{name}` could not run it: {type(error).__name__}: "
        f"{first_line(error)}{learner_line(error)}."
    )
