"""Checks for the functions you write in dlnd_face_generation.ipynb.

Each check builds a small graph with your function, runs it in a session on small batches and
looks at what it computes: values, gradients, which variables exist and which change. Any
correct implementation passes (other layer counts, other activations, dense or convolutional
output layers); a failing check says what is wrong and how to fix it.

Call them right after writing each function, as the notebook does:
``test_model_inputs(model_inputs)``, ``test_discriminator(discriminator, tf)``,
``test_generator(generator, tf)``, ``test_model_loss(model_loss)``,
``test_model_opt(model_opt, tf)`` and ``test_train(train)``.
"""

import functools
import inspect
import os
from unittest import mock

# tf.compat.v1.layers needs the legacy Keras; it must be chosen before TensorFlow loads.
os.environ.setdefault("TF_USE_LEGACY_KERAS", "1")
os.environ.setdefault("TF_ENABLE_ONEDNN_OPTS", "1")  # As the notebook: the fast CPU kernels.

import numpy as np

from harness.quiet import native_log_lines_hidden

# Imported first in a notebook, TensorFlow's C++ start-up lines would reach the cell in red.
with native_log_lines_hidden():
    import tensorflow.compat.v1 as tf

from harness.messages import first_line, learner_line, show_briefly
from harness.training import Run, TrainingDiverged

_RNG_SEED = 0
_Z_DIM = 100
# The last outcome of each check in this session, by function name ("passed" or why not), for the
# notebook's self-review before submitting.
RESULTS: dict[str, str] = {}
# What train fed its graph in its last check: ``{"real": (low, high), "noise": (low, high, std)}``,
# for the reviewer's notes on train in the self-review.
TRAIN_FEEDS: dict[str, tuple] = {}


class CheckFailed(AssertionError):
    """Your function does not do what the notebook asks; the message says what to change."""


class NotWrittenYet(CheckFailed):
    """A function of the exercise still has its blank body."""


# In Jupyter a failed check shows its message (which names your line), not our traceback.
show_briefly(CheckFailed, TrainingDiverged)


def _require(condition, message):
    if not condition:
        raise CheckFailed(message)


def _name_of(function):
    function = function.func if isinstance(function, functools.partial) else function
    return getattr(function, "__name__", None) or type(function).__name__


def _check(check):
    """Runs a check in a graph of its own and prints 'Tests Passed' as the original did.

    Whatever goes wrong inside becomes a CheckFailed that names the function and the learner's
    line: a check never ends in a traceback from inside this file.
    """

    name = check.__name__.removeprefix("test_")

    @functools.wraps(check)
    def run(function, *args, **kwargs):
        RESULTS[name] = "did not finish"
        try:
            # TensorFlow's C++ core logs as it optimises some graphs ("remapper failed"): not the
            # learner's business. Their own prints and our messages go through Python, not hidden.
            with tf.Graph().as_default(), native_log_lines_hidden():
                result = check(function, *args, **kwargs)
        except CheckFailed as failure:
            RESULTS[name] = f"failed: {failure}"
            raise
        except TrainingDiverged as error:
            RESULTS[name] = "failed: training diverged"
            raise CheckFailed(f"Training your {_name_of(function)} diverged: {error}") from None
        except Exception as error:
            RESULTS[name] = f"failed: {type(error).__name__}"
            raise CheckFailed(
                f"The check of your `{_name_of(function)}` could not run it: {type(error).__name__}: "
                f"{first_line(error)}{learner_line(error)}."
            ) from error
        RESULTS[name] = "passed"
        print("Tests Passed")
        return result

    return run


def _unwritten(result):
    """True for what a blank exercise returns: None, or a tuple of Nones."""
    if isinstance(result, (tuple, list)):
        return len(result) > 0 and all(value is None for value in result)
    return result is None


def _blank_message(name):
    return (
        f"{name} is not written yet. Replace `# TODO: Implement Function` in its cell with your code; its "
        "docstring says what to return."
    )


def require_written(*functions):
    """Stops with a message for the learner when one of ``functions`` still has its blank body.

    A blank body (only a docstring, comments and ``return None``) refers to no name at all.

    Raises:
        NotWrittenYet: Naming the first blank function.
    """
    for function in functions:
        code = getattr(function, "__code__", None)
        if code is not None and not code.co_names:
            raise NotWrittenYet(_blank_message(function.__name__))


def _call(description, function, *args, returns=True):
    """Calls your function; an error inside it becomes a failure naming it and your line.

    With ``returns``, a result of None (or Nones) says the function is not written yet.
    """
    name = _name_of(function)
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
    if returns and _unwritten(result):
        raise NotWrittenYet(f"{description} returned {result!r}: {_blank_message(name)}")
    return result


def _run(sess, fetches, feed, description):
    try:
        return sess.run(fetches, feed_dict=feed)
    except tf.errors.OpError as error:
        raise CheckFailed(
            f"Running {description} failed: {first_line(error)}{learner_line(error)}. Check that no size "
            "is fixed in your graph: the batch size must stay open (None or -1)."
        ) from error


def _require_tf_v1(tf_module):
    _require(
        hasattr(tf_module, "placeholder") and hasattr(tf_module, "variable_scope"),
        f"The second argument should be the TensorFlow module your functions use, "
        f"tensorflow.compat.v1 (imported as tf); got {getattr(tf_module, '__name__', tf_module)!r}.",
    )


def _as_tensor(value, description):
    _require(
        isinstance(value, tf.Tensor),
        f"{description} should be a tensor, got {type(value).__name__} ({value!r}).",
    )
    return value


def _pair(result, description, names):
    _require(
        isinstance(result, (tuple, list)) and len(result) == 2,
        f"{description} should return two tensors, ({names}); got {result!r}.",
    )
    return [_as_tensor(value, f"{name} from {description}") for value, name in zip(result, names.split(", "))]


def _variable_names(graph):
    return sorted(v.name for v in graph.get_collection(tf.GraphKeys.GLOBAL_VARIABLES))


_SHAPE_ONLY = {"Shape", "ShapeN", "Size", "Rank", "ZerosLike", "OnesLike"}


def _depends_on(tensor, source):
    """Whether the values of ``tensor`` are computed from ``source`` (reading its shape does not count)."""
    seen, pending = set(), [tensor.op]
    while pending:
        op = pending.pop()
        if op is source.op:
            return True
        if op in seen or op.type in _SHAPE_ONLY:
            continue
        seen.add(op)
        pending.extend(t.op for t in op.inputs)
    return False


def _producer(tensor):
    """The op that computes ``tensor``, looking through renaming (Identity) ops."""
    op = tensor.op
    while op.type == "Identity":
        op = op.inputs[0].op
    return op


def _sigmoid(x):
    return 1 / (1 + np.exp(-x))


def _label(value):
    """A label for a message, with no '-0.00'."""
    return f"{0.0 if abs(value) < 0.005 else value:.2f}"


@_check
def test_model_inputs(model_inputs):
    """Checks that model_inputs returns float32 placeholders of the right shapes, in order."""
    for width, height, channels, z_dim in ((28, 28, 3, 100), (32, 32, 1, 64)):
        description = f"model_inputs({width}, {height}, {channels}, {z_dim})"
        with tf.Graph().as_default():
            result = _call(description, model_inputs, width, height, channels, z_dim)
            _require(
                isinstance(result, (tuple, list)) and len(result) == 3,
                f"{description} should return three tensors, (real images, z, learning rate); "
                f"got {result!r}.",
            )
            names = ("real images", "z", "learning rate")
            for value, name in zip(result, names):
                _require(
                    isinstance(value, tf.Tensor),
                    f"The {name} input is a {type(value).__name__}, not a placeholder: create it with "
                    "tf.placeholder(...) so that values can be fed to it.",
                )
            tensors = list(result)
            ranks = [t.shape.ndims for t in tensors]
            _require(
                ranks[:2] != [2, 4],
                f"{description} returned z before the real images: return (real images, z, learning rate).",
            )
            for tensor, name in zip(tensors, names):
                _require(
                    tensor.op.type in ("Placeholder", "PlaceholderWithDefault"),
                    f"The {name} input is a {tensor.op.type} op, not a placeholder: create it with "
                    "tf.placeholder(...) so that values can be fed to it.",
                )
                _require(
                    tensor.dtype == tf.float32,
                    f"The {name} placeholder has dtype {tensor.dtype.name}; use tf.float32.",
                )
            real, z, learning_rate = tensors
            for tensor, name, expected in (
                (real, "real images", [None, height, width, channels]),
                (z, "z", [None, z_dim]),
            ):
                shape = tensor.shape.as_list() if tensor.shape.ndims is not None else None
                _require(
                    shape is not None and len(shape) == len(expected),
                    f"The {name} placeholder has shape {shape}; expected {expected} (rank {len(expected)}).",
                )
                _require(
                    shape[0] is None,
                    f"The {name} placeholder fixes the batch size to {shape[0]}: use None as the first "
                    "dimension so that any batch size can be fed.",
                )
                _require(
                    shape == expected,
                    f"The {name} placeholder has shape {shape}; expected {expected} for {description}.",
                )
            _require(
                learning_rate.shape.ndims in (None, 0),
                f"The learning rate placeholder has shape {learning_rate.shape}; it should be a "
                "scalar: tf.placeholder(tf.float32, (), name='learning_rate').",
            )


def _check_network_variables(graph, scope, description):
    created = _variable_names(graph)
    _require(created, f"{description} created no variables: the network needs trainable layers.")
    outside = [name for name in created if not name.startswith(f"{scope}/")]
    _require(
        not outside,
        f"{description} created variables outside the '{scope}' scope: {outside}. Create every layer "
        f"inside `with tf.variable_scope('{scope}', reuse=...):` so that the optimizer can find them.",
    )


def _check_reuse(graph, before, description, scope):
    new = sorted(set(_variable_names(graph)) - set(before))
    _require(
        not new,
        f"{description} created new variables instead of reusing the first call's: {new}. Open the scope "
        f"with tf.variable_scope('{scope}', reuse=...) and build the layers with tf.layers functions "
        "(a Keras layer object, such as tf.keras.layers.Dense(...), makes new weights on every call).",
    )


def _check_all_weights_used(output, description, scope):
    weights = tf.trainable_variables(scope)
    unused = [v.name for v, g in zip(weights, tf.gradients(tf.reduce_sum(output), weights)) if g is None]
    _require(
        not unused,
        f"The output of {description} does not depend on these weights: {unused}. Every layer must "
        "feed the next one, and a reusing call must go through the same weights.",
    )


@_check
def test_discriminator(discriminator, tf_module):
    """Checks the discriminator's outputs, sigmoid, weight sharing and scope on real batches."""
    _require_tf_v1(tf_module)
    rng = np.random.default_rng(_RNG_SEED)
    for channels in (3, 1):
        with tf.Graph().as_default() as graph:
            images = tf.placeholder(tf.float32, (None, 28, 28, channels), name="images")
            description = f"discriminator(images) on {channels}-channel images"
            out, logits = _pair(_call(description, discriminator, images), description, "output, logits")
            _check_network_variables(graph, "discriminator", description)
            before = _variable_names(graph)
            reused = f"discriminator(images, True) on {channels}-channel images"
            out_reused, logits_reused = _pair(
                _call(reused, discriminator, images, True), reused, "output, logits"
            )
            _check_reuse(graph, before, reused, "discriminator")
            _check_all_weights_used(logits, description, "discriminator")
            _check_all_weights_used(logits_reused, reused, "discriminator")
            input_gradient = tf.gradients(tf.reduce_sum(logits), images)[0]
            _require(
                input_gradient is not None,
                f"The logits of {description} do not depend on the images: pass `images` to the first layer.",
            )
            batch = rng.uniform(-1, 1, (5, 28, 28, channels)).astype(np.float32)
            with tf.Session() as sess:
                sess.run(tf.global_variables_initializer())
                values = _run(
                    sess,
                    [out, logits, out_reused, logits_reused, input_gradient],
                    {images: batch},
                    description,
                )
            for value, name in zip(values[:4], ("output", "logits", "reused output", "reused logits")):
                _require(
                    value.shape == (5, 1),
                    f"The {name} of the discriminator has shape {value.shape} for a batch of 5; expected "
                    "(5, 1): one score per image. End with a dense layer of 1 unit.",
                )
            for probability, raw, name in (
                (values[0], values[1], description),
                (values[2], values[3], reused),
            ):
                _require(
                    not np.allclose(raw, _sigmoid(probability), atol=1e-5),
                    f"{name} returned (logits, output): return (output, logits), "
                    "with output = tf.sigmoid(logits).",
                )
                _require(
                    np.allclose(probability, _sigmoid(raw), atol=1e-5),
                    f"The output of {name} is not tf.sigmoid(logits): return (tf.sigmoid(logits), logits).",
                )
            _require(
                np.abs(values[4]).max() > 0,
                f"The logits of {description} do not change with the images.",
            )


@_check
def test_generator(generator, tf_module):
    """Checks the generator's size, tanh range, weight sharing and inference-mode batch norm."""
    _require_tf_v1(tf_module)
    rng = np.random.default_rng(_RNG_SEED)
    for channels in (5, 1):
        with tf.Graph().as_default() as graph:
            z = tf.placeholder(tf.float32, (None, _Z_DIM), name="z")
            description = f"generator(z, {channels}, True)"
            trained = _as_tensor(
                _call(description, generator, z, channels, True), f"The output of {description}"
            )
            _check_network_variables(graph, "generator", description)
            before = _variable_names(graph)
            inference = f"generator(z, {channels}, False)"
            sampled = _as_tensor(
                _call(inference, generator, z, channels, False), f"The output of {inference}"
            )
            _check_reuse(graph, before, inference, "generator")
            for output, name in ((trained, description), (sampled, inference)):
                last = _producer(output).type
                _require(
                    last != "Sigmoid",
                    f"The output of {name} goes through a sigmoid, between 0 and 1: use tf.tanh, between -1 "
                    "and 1, like the scaled real images.",
                )
                _require(
                    last == "Tanh",
                    f"The output of {name} comes from a {last} op: pass the last layer through tf.tanh, so "
                    "that images lie between -1 and 1 like the scaled real images.",
                )
            _check_all_weights_used(sampled, inference, "generator")
            batch = rng.uniform(-1, 1, (6, _Z_DIM)).astype(np.float32)
            other = np.concatenate([batch[:1], rng.uniform(-1, 1, (3, _Z_DIM)).astype(np.float32)])
            with tf.Session() as sess:
                sess.run(tf.global_variables_initializer())
                train_images, images = _run(sess, [trained, sampled], {z: batch}, "the generator")
                alone = _run(sess, sampled, {z: other}, inference)
            for value, name in ((train_images, description), (images, inference)):
                _require(
                    value.shape == (6, 28, 28, channels),
                    f"{name} gave images of shape {value.shape} for 6 noise vectors; expected "
                    f"(6, 28, 28, {channels}): 28x28 pixels with out_channel_dim channels.",
                )
            _require(
                np.abs(images[0] - images[1]).max() > 0,
                f"{inference} draws the same image for different z: the output must depend on z.",
            )
            _require(
                np.allclose(images[0], alone[0], atol=1e-4),
                "With is_train=False, a sample depends on the other samples in its batch. Batch norm "
                "must use its learned statistics at inference: "
                "tf.layers.batch_normalization(x, training=is_train) "
                "(and dropout, if any, training=is_train).",
            )


def _recording(namespace, name, calls):
    original = namespace.get(name)
    _require(
        callable(original),
        f"model_loss should build the networks with your {name} function, defined above it in the notebook.",
    )
    signature = inspect.signature(original)

    @functools.wraps(original)
    def record(*args, **kwargs):
        result = original(*args, **kwargs)
        bound = signature.bind(*args, **kwargs)
        bound.apply_defaults()
        calls.append((list(bound.arguments.values()), result))
        return result

    return record


def _logits_used_by(loss, candidates):
    return [logits for logits in candidates if tf.gradients(loss, logits)[0] is not None]


# Labels reviewers accept: real images 0.7 to 1.2 (one-sided smoothing, or random soft labels),
# fakes 0 to 0.3 when drawn at random; a few flipped labels (label noise) are fine too.
_SOFT_REAL, _SOFT_FAKE, _MOST_FLIPPED = (0.7, 1.2), (0.0, 0.3), 0.25


def _cross_entropy_terms(sess, loss, logits_by_kind, feed, count):
    """Reads ``loss`` as a scaled sum of sigmoid cross-entropies of the discriminator's logits.

    The logits are fed with chosen values. For a term ``scale * mean(xent(logits, labels))``, the
    gradient by each logit is ``scale / count * (sigmoid(x) - label)`` and its second derivative
    ``scale / count * sigmoid'(x)``, whatever the labels: the second derivative gives the scale,
    then the gradient gives each label. Random labels are read within one run, so they hold.

    Returns:
        ``{kind: (scale, labels)}``, with scale None when the term is not a cross-entropy of the
        logits (probabilities passed as logits, say).
    """
    rng = np.random.default_rng(_RNG_SEED)
    spread = np.linspace(-3, 3, count)
    fed = {logits: rng.permutation(spread).reshape(count, 1) for logits in logits_by_kind.values()}
    fetches = {}
    for kind, logits in logits_by_kind.items():
        gradient = tf.gradients(loss, logits)[0]
        curvature = tf.gradients(gradient, logits)[0] if gradient is not None else None
        fetches[kind] = [gradient, curvature if curvature is not None else tf.zeros_like(logits)]
    values = sess.run(fetches, feed_dict={**feed, **fed})
    terms = {}
    for kind, (gradient, curvature) in values.items():
        x = fed[logits_by_kind[kind]].ravel()
        slope = _sigmoid(x) * (1 - _sigmoid(x))
        scales = count * curvature.ravel() / slope
        scale = float(np.median(scales))
        if abs(scale) < 1e-6 or np.max(np.abs(scales - scale)) > 0.02 * abs(scale):
            terms[kind] = (None, None)
        else:
            terms[kind] = (scale, _sigmoid(x) - count * gradient.ravel() / scale)
    return terms


def _describe_labels(labels):
    return (
        _label(labels[0])
        if np.ptp(labels) < 1e-3
        else f"from {_label(labels.min())} to {_label(labels.max())}"
    )


def _labels_fit(labels, wanted, flipped):
    """Whether labels lie in the range ``wanted``, but for a few flipped into ``flipped``."""
    tolerance = 1e-3
    inside = (labels >= wanted[0] - tolerance) & (labels <= wanted[1] + tolerance)
    flips = (labels >= flipped[0] - tolerance) & (labels <= flipped[1] + tolerance)
    return bool(np.all(inside | flips) and flips.mean() <= _MOST_FLIPPED and inside.any())


def _check_labels(loss, kind, labels):
    """The learner-facing failure for labels that are not the ones this term needs, if any."""
    constant = np.ptp(labels) < 1e-3
    got = _describe_labels(labels)
    if (loss, kind) == ("d_loss", "real"):
        fits = (
            0.7 - 1e-3 <= labels[0] <= 1.0 + 1e-3 if constant else _labels_fit(labels, _SOFT_REAL, _SOFT_FAKE)
        )
        _require(
            fits,
            f"d_loss labels the real images {got}: label them 1, or 0.9 with label smoothing "
            "(tf.ones_like(logits) * 0.9), or at random between 0.7 and 1.2.",
        )
    elif (loss, kind) == ("d_loss", "fake"):
        fits = abs(labels[0]) < 1e-3 if constant else _labels_fit(labels, _SOFT_FAKE, _SOFT_REAL)
        _require(
            fits,
            f"d_loss labels the fake images {got}: label them 0 (tf.zeros_like(logits)); smooth only "
            "the real labels (random labels for fakes stay between 0 and 0.3).",
        )
    else:
        fits = abs(labels[0] - 1) < 1e-3 if constant else _labels_fit(labels, _SOFT_REAL, _SOFT_FAKE)
        _require(
            fits,
            f"g_loss labels the fake images {got}: the generator wants its fakes taken for real, so "
            "label them 1 (tf.ones_like(logits)).",
        )


@_check
def test_model_loss(model_loss):
    """Checks model_loss's wiring and labels by recording the networks it builds, then running it."""
    # The networks are looked up where model_loss looks them up: in the notebook's namespace.
    function = model_loss.func if isinstance(model_loss, functools.partial) else model_loss
    namespace = function.__globals__
    calls = {"discriminator": [], "generator": []}
    recorders = {name: _recording(namespace, name, calls[name]) for name in calls}
    out_channel_dim, count = 4, 8
    input_real = tf.placeholder(tf.float32, (None, 28, 28, out_channel_dim), name="input_real")
    input_z = tf.placeholder(tf.float32, (None, _Z_DIM), name="input_z")
    description = f"model_loss(input_real, input_z, {out_channel_dim})"
    with mock.patch.dict(namespace, recorders):
        d_loss, g_loss = _pair(
            _call(description, model_loss, input_real, input_z, out_channel_dim),
            description,
            "d_loss, g_loss",
        )
    for loss, name in ((d_loss, "d_loss"), (g_loss, "g_loss")):
        _require(
            loss.shape.ndims == 0,
            f"{name} has shape {loss.shape.as_list()}; a loss is a scalar: average it with tf.reduce_mean.",
        )
    _require(calls["generator"], "model_loss never calls generator: draw the fake images with it.")
    for arguments, _ in calls["generator"]:
        _require(
            isinstance(arguments[0], tf.Tensor) and _depends_on(arguments[0], input_z),
            "model_loss gives the generator something other than input_z: generator(input_z, ...).",
        )
        _require(
            arguments[1] == out_channel_dim,
            f"model_loss calls the generator with out_channel_dim={arguments[1]!r}; pass out_channel_dim on.",
        )
        _require(
            len(arguments) < 3 or bool(arguments[2]),
            "model_loss calls the generator with is_train=False: the generator is being trained here.",
        )
    fakes = [result for _, result in calls["generator"]]
    real_logits, fake_logits = [], []
    for arguments, result in calls["discriminator"]:
        images = arguments[0]
        is_fake = any(_depends_on(images, fake) for fake in fakes)
        _require(
            not (is_fake and _depends_on(images, input_real)),
            "model_loss mixes real and generated images in one discriminator call: score them separately.",
        )
        (fake_logits if is_fake else real_logits if _depends_on(images, input_real) else []).append(result[1])
    _require(
        real_logits, "model_loss never shows the discriminator the real images: discriminator(input_real)."
    )
    _require(
        fake_logits,
        "model_loss never shows the discriminator the generator's output: discriminator(generator(...), "
        "reuse=True). The fake images must be what the generator returns.",
    )
    used = {
        ("d_loss", "real"): _logits_used_by(d_loss, real_logits),
        ("d_loss", "fake"): _logits_used_by(d_loss, fake_logits),
        ("g_loss", "fake"): _logits_used_by(g_loss, fake_logits),
    }
    for (loss, kind), logits in used.items():
        _require(logits, f"{loss} does not use the discriminator's logits on the {kind} images.")
    _require(
        not _logits_used_by(g_loss, real_logits),
        "g_loss uses the discriminator's scores of the real images: "
        "the generator is judged on its fakes only.",
    )
    feed = {}
    scales = {}
    for count in (8, 16):  # Two batch sizes: an average does not grow with the batch, a sum does.
        rng = np.random.default_rng(_RNG_SEED)
        feed = {
            input_real: rng.uniform(-1, 1, (count, 28, 28, out_channel_dim)),
            input_z: rng.uniform(-1, 1, (count, _Z_DIM)),
        }
        with tf.Session() as sess:
            sess.run(tf.global_variables_initializer())
            losses = _run(sess, [d_loss, g_loss], feed, description)
            _require(np.all(np.isfinite(losses)), f"The losses are not finite: d_loss, g_loss = {losses}.")
            for loss, tensor in (("d_loss", d_loss), ("g_loss", g_loss)):
                kinds = {kind: logits[0] for (name, kind), logits in used.items() if name == loss}
                terms = _cross_entropy_terms(sess, tensor, kinds, feed, count)
                for kind, (scale, labels) in terms.items():
                    _require(
                        scale is not None,
                        f"{loss} is not a sigmoid cross-entropy of the discriminator's logits on the {kind} "
                        "images. Pass the logits (not the sigmoid output) to "
                        "tf.nn.sigmoid_cross_entropy_with_logits, and average with tf.reduce_mean.",
                    )
                    _require(
                        scale > 0,
                        f"{loss} gets smaller as the discriminator's cross-entropy on the {kind} images "
                        "grows: minimize the cross-entropy itself, not its negative"
                        + (
                            " (the minimax loss log(1 - D(G(z))) does that: use labels 1 instead)."
                            if loss == "g_loss"
                            else "."
                        ),
                    )
                    _check_labels(loss, kind, labels)
                    scales.setdefault((loss, kind), []).append(scale)
    for (loss, kind), (small, large) in scales.items():
        _require(
            abs(large - small) < 0.05 * small,
            f"{loss} grows with the batch size (its {kind} term is {large / small:.1f} times larger "
            "for twice the images): average over the batch with tf.reduce_mean, not tf.reduce_sum.",
        )


@_check
def test_model_opt(model_opt, tf_module):
    """Checks that each training op changes only its own network, at the fed rate, with UPDATE_OPS."""
    _require_tf_v1(tf_module)
    weights, statistics = {}, {}
    for scope, start in (("discriminator", [0.5, -0.3, 0.8]), ("generator", [-0.2, 0.4, 0.1])):
        with tf.variable_scope(scope):
            weights[scope] = tf.get_variable("weights", initializer=start)
            statistics[scope] = tf.get_variable("moving_mean", initializer=0.0, trainable=False)
            tf.add_to_collection(tf.GraphKeys.UPDATE_OPS, tf.assign_add(statistics[scope], 1.0))
    with tf.variable_scope("classifier"):  # Trainable, but in neither network: no optimizer may touch it.
        weights["classifier"] = tf.get_variable("weights", initializer=[1.0, 2.0])
    # As in a GAN, each loss depends on both networks, and what lowers one loss raises the other:
    # the discriminator wants its weights at 1, the generator wants its own at -1, and each loss
    # gains when the other network misses its aim. So only the var_list keeps the other network
    # still, and an optimizer that minimizes the other loss moves its weights the wrong way.
    d_miss = tf.reduce_sum(tf.square(weights["discriminator"] - 1.0))
    g_miss = tf.reduce_sum(tf.square(weights["generator"] + 1.0))
    classifier = tf.reduce_sum(weights["classifier"])
    d_loss = d_miss - g_miss + classifier
    g_loss = g_miss - d_miss + classifier
    learning_rate = tf.placeholder(tf.float32, (), name="learning_rate")
    beta1 = 0.37
    description = f"model_opt(d_loss, g_loss, learning_rate, {beta1})"
    d_opt, g_opt = _call(description, model_opt, d_loss, g_loss, learning_rate, beta1)
    beta1_powers = [v for v in tf.global_variables() if "beta1_power" in v.name]
    _require(
        beta1_powers,
        "model_opt should use Adam: "
        "tf.train.AdamOptimizer(learning_rate, beta1=beta1).minimize(loss, var_list=...).",
    )

    def step(op, rate):
        sess.run(op, feed_dict={learning_rate: rate})
        return sess.run(weights), sess.run(statistics)

    with tf.Session() as sess:
        sess.run(tf.global_variables_initializer())
        _require(
            all(abs(value - beta1) < 1e-6 for value in sess.run(beta1_powers)),
            f"The Adam optimizers do not use the beta1 passed to model_opt ({beta1}): "
            "AdamOptimizer(..., beta1=beta1).",
        )
        for op, own, other in ((d_opt, "discriminator", "generator"), (g_opt, "generator", "discriminator")):
            name = "d_train_opt" if own == "discriminator" else "g_train_opt"
            before, counts = sess.run(weights), sess.run(statistics)
            still, _ = step(op, 0.0)
            _require(
                np.allclose(still[own], before[own]),
                f"{name} changed the {own} with the learning rate fed as 0: it ignores the learning_rate "
                "placeholder. Pass learning_rate to the optimizer.",
            )
            after, updated = step(op, 0.01)
            moved = np.abs(after[own] - before[own])
            if moved.max() == 0 and not np.allclose(after[other], before[other]):
                raise CheckFailed(
                    f"{name} changes the {other} and not the {own}: return (d_train_opt, g_train_opt) "
                    "in this order, each minimizing its own network's loss over its own network's variables."
                )
            _require(moved.max() > 0, f"Running {name} does not change the {own}'s weights.")
            aim = 1.0 if own == "discriminator" else -1.0
            own_loss = "d_loss" if own == "discriminator" else "g_loss"
            _require(
                np.all(np.abs(after[own] - aim) < np.abs(before[own] - aim)),
                f"{name} makes {own_loss} larger, not smaller: it minimizes the other network's loss (or a "
                f"negative). Use .minimize({own_loss}, var_list=<the {own}'s variables>).",
            )
            _require(
                moved.max() < 0.05,
                f"{name} moved the {own}'s weights by {moved.max():.3f} with learning rate 0.01: "
                "use the learning_rate passed to model_opt.",
            )
            _require(
                np.allclose(after[other], before[other]),
                f"{name} also changes the {other}: pass var_list with the {own}'s variables only.",
            )
            _require(
                np.allclose(after["classifier"], before["classifier"]),
                f"{name} changes variables outside the {own} scope: select the variables whose name "
                f"starts with '{own}' for var_list.",
            )
            _require(
                updated[own] > counts[own],
                f"{name} does not run the {own}'s batch norm updates: create the optimizers inside "
                "`with tf.control_dependencies(tf.get_collection(tf.GraphKeys.UPDATE_OPS)):`.",
            )


class _RandomImages:
    """Random images in [-0.5, 0.5], served as helper.Dataset serves batches."""

    image_mode = "L"

    def __init__(self, images, on_batch):
        self.images, self.shape, self.on_batch = images, images.shape, on_batch

    def get_batches(self, batch_size):
        self.on_batch("epoch")
        for start in range(0, len(self.images) - batch_size + 1, batch_size):
            self.on_batch("batch")
            yield self.images[start : start + batch_size]


def _sampler(namespace, channels):
    """Draws with the notebook's generator in inference mode, as the notebook's training runs do."""
    generator = namespace.get("generator")
    return None if generator is None else (lambda z: generator(z, channels, is_train=False))


@_check
def test_train(train):
    """Trains a few batches of random data exactly as the notebook's training cells call train.

    Checks that train trains both networks inside its session, feeds real images scaled to
    [-1, 1] and keeps the losses finite.
    """
    rng = np.random.default_rng(_RNG_SEED)
    data = rng.uniform(-0.5, 0.5, (48, 28, 28, 1)).astype(np.float32)
    data[0, 0, 0], data[0, 0, 1] = -0.5, 0.5
    seen = {"fed": [], "noise": [], "epochs": 0}
    TRAIN_FEEDS.clear()

    def on_batch(event):
        sess = tf.get_default_session()
        _require(
            sess is not None,
            "train should iterate get_batches inside `with tf.Session() as sess:` (the notebook draws "
            "samples and saves checkpoints in that session).",
        )
        variables = sess.graph.get_collection(tf.GraphKeys.TRAINABLE_VARIABLES)
        if event == "epoch":
            seen["epochs"] += 1
            seen.setdefault("before", sess.run(variables))
            seen["names"] = [v.name for v in variables]
            if "run" not in seen:
                seen["run"] = sess.run

                def recording_run(fetches, feed_dict=None, **kwargs):
                    # What train feeds, not the run's own drawing of the film (through "run_z").
                    fed = [
                        v for k, v in (feed_dict or {}).items() if "run_z" not in getattr(k, "name", str(k))
                    ]
                    seen["fed"].extend(v for v in fed if np.ndim(v) == 4)
                    seen["noise"].extend(v for v in fed if np.shape(v)[1:] == (16,))
                    return seen["run"](fetches, feed_dict=feed_dict, **kwargs)

                sess.run = recording_run  # Seen only while get_batches runs: the session is train's.
        else:  # What the batches before this one did.
            seen["after"] = seen["run"](variables)

    namespace = getattr(train, "__globals__", {})
    run = Run(
        "check",
        _RandomImages(data, on_batch),
        epochs=2,
        batch_size=8,
        z_dim=16,
        sampler=_sampler(namespace, 1),
        show_every=2,
        film_size=4,
        verbose=False,
    )
    description = "train(2, 8, 16, 0.0005, 0.5, get_batches, data_shape, 'L')"
    with run:
        returned = _call(
            description,
            train,
            2,
            8,
            16,
            0.0005,
            0.5,
            run.get_batches,
            run.data_shape,
            "L",
            returns=False,  # A train that trains but returns nothing is accepted.
        )
    _require(
        "names" in seen,
        "train never went through the batches of get_batches(batch_size). If you have not written it yet, "
        "fill in its `# TODO` parts: build the model, then for each epoch and each batch of "
        "get_batches(batch_size), run both optimizers.",
    )
    _require(
        seen["epochs"] == 2,
        f"train(epoch_count=2, ...) went through {seen['epochs']} epoch(s) of get_batches, or stopped "
        "one early: call get_batches(batch_size) once per epoch and take all its batches.",
    )
    _require(
        any(name.startswith("generator/") for name in seen["names"])
        and any(name.startswith("discriminator/") for name in seen["names"]),
        "train built no networks: in its `# TODO: Build the model` part, call model_inputs, model_loss "
        "and model_opt.",
    )
    history = run.history(returned)
    losses = np.asarray(history["d_loss"] + history["g_loss"], dtype=np.float64)
    _require(np.all(np.isfinite(losses)), f"train's losses are not all finite: {losses.tolist()}.")
    for scope in ("discriminator", "generator"):
        changes = [
            np.abs(after - before).max()
            for name, before, after in zip(seen["names"], seen["before"], seen["after"])
            if name.startswith(f"{scope}/")
        ]
        _require(
            all(np.isfinite(c) for c in changes), f"The {scope}'s weights became NaN or infinite in training."
        )
        _require(
            max(changes) > 0, f"train did not change the {scope}'s weights: run its training op every batch."
        )
    if seen["fed"]:
        low = min(float(v.min()) for v in seen["fed"])
        high = max(float(v.max()) for v in seen["fed"])
        _require(
            low < -0.99 and high > 0.99 and low >= -1.0001 and high <= 1.0001,
            f"train fed real images from {low:.2f} to {high:.2f}; get_batches gives -0.5 to 0.5, and the "
            "generator's tanh gives -1 to 1: feed batch_images * 2 (otherwise the samples come out grey).",
        )
        TRAIN_FEEDS["real"] = (low, high)
    if seen["noise"]:
        noise = np.concatenate([np.asarray(v, np.float64).ravel() for v in seen["noise"]])
        TRAIN_FEEDS["noise"] = (float(noise.min()), float(noise.max()), float(noise.std()))
