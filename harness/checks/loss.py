"""The check of ``model_loss``: the networks it builds, what it shows them, and its labels.

The evidence records the calls ``model_loss`` makes to the learner's networks (their arguments and
what they returned, by name); the verdict reads the wiring from the graph and the labels from the
loss's response to logits it feeds.
"""

import functools
import inspect
from unittest import mock

import numpy as np
import tensorflow.compat.v1 as tf

from harness.checks.common import Z_DIM, call, depends_on, label, pair, require, run, sigmoid
from harness.evidence import Evidence, EvidenceError, name_of

CASES = (4,)  # out_channel_dim.


def _recording(namespace, name, calls):
    original = namespace.get(name)
    require(
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


def _cross_entropy_terms(sess, loss, logits_by_kind, feed, count, rng):
    """Reads ``loss`` as a scaled sum of sigmoid cross-entropies of the discriminator's logits.

    The logits are fed with chosen values. For a term ``scale * mean(xent(logits, labels))``, the
    gradient by each logit is ``scale / count * (sigmoid(x) - label)`` and its second derivative
    ``scale / count * sigmoid'(x)``, whatever the labels: the second derivative gives the scale,
    then the gradient gives each label. Random labels are read within one run, so they hold.

    Returns:
        ``{kind: (scale, labels)}``, with scale None when the term is not a cross-entropy of the
        logits (probabilities passed as logits, say).
    """
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
        slope = sigmoid(x) * (1 - sigmoid(x))
        scales = count * curvature.ravel() / slope
        scale = float(np.median(scales))
        if abs(scale) < 1e-6 or np.max(np.abs(scales - scale)) > 0.02 * abs(scale):
            terms[kind] = (None, None)
        else:
            terms[kind] = (scale, sigmoid(x) - count * gradient.ravel() / scale)
    return terms


def _describe_labels(labels):
    return (
        label(labels[0]) if np.ptp(labels) < 1e-3 else f"from {label(labels.min())} to {label(labels.max())}"
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
        require(
            fits,
            f"d_loss labels the real images {got}: label them 1, or 0.9 with label smoothing "
            "(tf.ones_like(logits) * 0.9), or at random between 0.7 and 1.2.",
        )
    elif (loss, kind) == ("d_loss", "fake"):
        fits = abs(labels[0]) < 1e-3 if constant else _labels_fit(labels, _SOFT_FAKE, _SOFT_REAL)
        require(
            fits,
            f"d_loss labels the fake images {got}: label them 0 (tf.zeros_like(logits)); smooth only "
            "the real labels (random labels for fakes stay between 0 and 0.3).",
        )
    else:
        fits = abs(labels[0] - 1) < 1e-3 if constant else _labels_fit(labels, _SOFT_REAL, _SOFT_FAKE)
        require(
            fits,
            f"g_loss labels the fake images {got}: the generator wants its fakes taken for real, so "
            "label them 1 (tf.ones_like(logits)).",
        )


def scaffold(out_channel_dim):
    """The real images and the noise model_loss is given."""
    return {
        "input_real": tf.placeholder(tf.float32, (None, 28, 28, out_channel_dim), name="input_real"),
        "input_z": tf.placeholder(tf.float32, (None, Z_DIM), name="input_z"),
    }


def evidence(model_loss, out_channel_dim, handles):
    """Calls ``model_loss``, recording the calls it makes to the learner's networks."""
    # The networks are looked up where model_loss looks them up: in the notebook's namespace.
    function = model_loss.func if isinstance(model_loss, functools.partial) else model_loss
    namespace = function.__globals__
    calls = {"discriminator": [], "generator": []}
    recorders = {name: _recording(namespace, name, calls[name]) for name in calls}
    description = f"model_loss(input_real, input_z, {out_channel_dim})"
    with mock.patch.dict(namespace, recorders):
        d_loss, g_loss = pair(
            call(description, model_loss, handles["input_real"], handles["input_z"], out_channel_dim),
            description,
            "d_loss, g_loss",
        )
    require(calls["generator"], "model_loss never calls generator: draw the fake images with it.")
    for arguments, _ in calls["generator"]:
        require(
            arguments[1] == out_channel_dim,
            f"model_loss calls the generator with out_channel_dim={arguments[1]!r}; pass out_channel_dim on.",
        )
        require(
            len(arguments) < 3 or bool(arguments[2]),
            "model_loss calls the generator with is_train=False: the generator is being trained here.",
        )
    scored = [
        (arguments[0], pair(result, "discriminator(...) in model_loss", "output, logits")[1])
        for arguments, result in calls["discriminator"]
    ]
    roles = {
        "losses": [d_loss.name, g_loss.name],
        "generator": [[name_of(arguments[0]), name_of(result)] for arguments, result in calls["generator"]],
        "discriminator": [[name_of(images), logits.name] for images, logits in scored],
    }
    return Evidence(tf.get_default_graph(), roles)


def _calls(evidence, role):
    """The recorded calls of a network: (input, output) tensors, the input None where it was none."""
    calls = evidence.roles.get(role)
    if not isinstance(calls, list) or not all(isinstance(c, list) and len(c) == 2 for c in calls):
        raise EvidenceError(f"the calls of the {role} are not recorded")
    return [
        (None if given is None else evidence.element(given), evidence.element(made)) for given, made in calls
    ]


def verify(evidence, out_channel_dim, rng):
    """Judges model_loss: scalar losses, the networks shown what they should be, and the labels."""
    input_real, input_z = evidence.element("input_real:0"), evidence.element("input_z:0")
    d_loss, g_loss = evidence.elements("losses", 2)
    for loss, name in ((d_loss, "d_loss"), (g_loss, "g_loss")):
        require(
            loss.shape.ndims == 0,
            f"{name} has shape {loss.shape.as_list()}; a loss is a scalar: average it with tf.reduce_mean.",
        )
    generated = _calls(evidence, "generator")
    require(generated, "model_loss never calls generator: draw the fake images with it.")
    for given, _ in generated:
        require(
            given is not None and depends_on(given, input_z),
            "model_loss gives the generator something other than input_z: generator(input_z, ...).",
        )
    fakes = [made for _, made in generated]
    real_logits, fake_logits = [], []
    for images, logits in _calls(evidence, "discriminator"):
        if images is None or not depends_on(logits, images):
            raise EvidenceError("a discriminator's logits do not come from the images it was given")
        is_fake = any(depends_on(images, fake) for fake in fakes)
        require(
            not (is_fake and depends_on(images, input_real)),
            "model_loss mixes real and generated images in one discriminator call: score them separately.",
        )
        (fake_logits if is_fake else real_logits if depends_on(images, input_real) else []).append(logits)
    _verify_wiring(d_loss, g_loss, real_logits, fake_logits)
    _verify_labels(evidence.graph, input_real, input_z, d_loss, g_loss, real_logits, fake_logits, rng)


def _verify_wiring(d_loss, g_loss, real_logits, fake_logits):
    require(
        real_logits, "model_loss never shows the discriminator the real images: discriminator(input_real)."
    )
    require(
        fake_logits,
        "model_loss never shows the discriminator the generator's output: discriminator(generator(...), "
        "reuse=True). The fake images must be what the generator returns.",
    )
    for loss, tensor, kind, logits in (
        ("d_loss", d_loss, "real", real_logits),
        ("d_loss", d_loss, "fake", fake_logits),
        ("g_loss", g_loss, "fake", fake_logits),
    ):
        require(
            _logits_used_by(tensor, logits),
            f"{loss} does not use the discriminator's logits on the {kind} images.",
        )
    require(
        not _logits_used_by(g_loss, real_logits),
        "g_loss uses the discriminator's scores of the real images: "
        "the generator is judged on its fakes only.",
    )


def _check_term(loss, kind, scale, labels):
    """One term of a loss is a positive multiple of a cross-entropy, with the labels it needs."""
    require(
        scale is not None,
        f"{loss} is not a sigmoid cross-entropy of the discriminator's logits on the {kind} "
        "images. Pass the logits (not the sigmoid output) to "
        "tf.nn.sigmoid_cross_entropy_with_logits, and average with tf.reduce_mean.",
    )
    require(
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


def _verify_labels(graph, input_real, input_z, d_loss, g_loss, real_logits, fake_logits, rng):
    """Reads each loss's terms as cross-entropies of the logits, at two batch sizes."""
    out_channel_dim = input_real.shape.as_list()[-1]
    description = f"model_loss(input_real, input_z, {out_channel_dim})"
    used = {
        ("d_loss", "real"): _logits_used_by(d_loss, real_logits),
        ("d_loss", "fake"): _logits_used_by(d_loss, fake_logits),
        ("g_loss", "fake"): _logits_used_by(g_loss, fake_logits),
    }
    scales = {}
    for count in (8, 16):  # Two batch sizes: an average does not grow with the batch, a sum does.
        feed = {
            input_real: rng.uniform(-1, 1, (count, 28, 28, out_channel_dim)),
            input_z: rng.uniform(-1, 1, (count, Z_DIM)),
        }
        with tf.Session(graph=graph) as sess:
            sess.run(tf.global_variables_initializer())
            losses = run(sess, [d_loss, g_loss], feed, description)
            require(np.all(np.isfinite(losses)), f"The losses are not finite: d_loss, g_loss = {losses}.")
            for loss, tensor in (("d_loss", d_loss), ("g_loss", g_loss)):
                kinds = {kind: logits[0] for (name, kind), logits in used.items() if name == loss}
                for kind, (scale, labels) in _cross_entropy_terms(
                    sess, tensor, kinds, feed, count, rng
                ).items():
                    _check_term(loss, kind, scale, labels)
                    scales.setdefault((loss, kind), []).append(scale)
    for (loss, kind), (small, large) in scales.items():
        require(
            abs(large - small) < 0.05 * small,
            f"{loss} grows with the batch size (its {kind} term is {large / small:.1f} times larger "
            "for twice the images): average over the batch with tf.reduce_mean, not tf.reduce_sum.",
        )
