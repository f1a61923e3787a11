"""The check of ``train``: it trains both networks in its session, on every batch of every epoch,
scaled to [-1, 1].

The evidence is a short training of random images, run as the notebook's training cells run
``train``, and recorded from the session's side: the graph, every variable when the first epoch
began, each session call after it (what it fetched and what it fed) and the trained weights when
the session closed. The verdict judges the record against the batches ``get_batches`` yielded
(``data()``, which it makes again itself): each was fed, scaled, in every epoch. A record read
back from a file is replayed first, from the same weights with the same feeds, and must give the
same trained weights (so it is what the graph did).
"""

import numpy as np
import tensorflow.compat.v1 as tf

from harness.checks.common import RNG_SEED, assign, call, require
from harness.evidence import Evidence, EvidenceError, name_of
from harness.training import Drawing, Film, Progress, Run, WeightAverage

CASES = ((2, 8, 16),)  # (epochs, batch size, z_dim).
# How alike a replayed training's change of the weights must be to the recorded one (cosine): a
# forged record's changes are unrelated to what its calls do (docs/review.md).
REPLAYED_COSINE = 0.9
_FILM = "run_z"  # The run's own noise placeholder, for its film: not what train feeds.
# How alike a fed image must be to the batch's (Pearson correlation, either way round left to
# right): noise added to the batch (instance noise) or a flip still feeds the batch; other images do not.
FED_CORRELATION = 0.9


def data() -> np.ndarray:
    """The random images in [-0.5, 0.5] train is given, one pixel at each end of the range."""
    images = np.random.default_rng(RNG_SEED).uniform(-0.5, 0.5, (48, 28, 28, 1)).astype(np.float32)
    images[0, 0, 0], images[0, 0, 1] = -0.5, 0.5
    return images


def batches(batch_size: int) -> list[np.ndarray]:
    """The batches ``get_batches(batch_size)`` yields in each epoch: ``data()`` in order."""
    images = data()
    return [
        images[start : start + batch_size] for start in range(0, len(images) - batch_size + 1, batch_size)
    ]


class _RandomImages:
    """``data()``, served as helper.Dataset serves batches (a new array each time), telling
    ``on_batch`` of each epoch, each batch, and the last batch of an epoch."""

    image_mode = "L"

    def __init__(self, images, on_batch):
        self.images, self.shape, self.on_batch = images, images.shape, on_batch

    def get_batches(self, batch_size):
        self.on_batch("epoch")
        served = batches(batch_size)
        for index, batch in enumerate(served):
            self.on_batch("last" if index == len(served) - 1 else "batch")
            yield batch.copy()


def _fetch_name(fetch) -> str | None:
    """A fetch's graph name: a variable's is its value's; None for what has no name."""
    if isinstance(fetch, str):
        return fetch
    return name_of(fetch._as_graph_element() if hasattr(fetch, "_as_graph_element") else fetch)


class _Recorder:
    """Records train's session from its first epoch on: the weights then, each call after, and the
    weights when it closes."""

    def __init__(self, session):
        self.session, self.run, self.close = session, session.run, session.close
        variables = session.graph.get_collection(tf.GraphKeys.GLOBAL_VARIABLES)
        self.roles = {"global": [v.name for v in variables], "calls": [], "after_calls": 0, "after": []}
        self.roles["epoch_calls"] = []  # The first call of each epoch (each call of get_batches).
        self.arrays = {f"before_{i}": value for i, value in enumerate(self.run(variables))}
        session.run = self.recording_run  # Seen only while get_batches runs: the session is train's.
        session.close = self.closing

    def closing(self):
        """The weights the whole training left, taken as the session closes."""
        self.mark()
        self.session.run, self.session.close = self.run, self.close
        self.close()

    def recording_run(self, fetches, feed_dict=None, **kwargs):
        names = [_fetch_name(fetch) for fetch in tf.nest.flatten(fetches)]
        index, fed = len(self.roles["calls"]), []
        for j, (key, value) in enumerate((feed_dict or {}).items()):
            fed.append(name_of(self.session.graph.as_graph_element(key)))
            self.arrays[f"feed_{index}_{j}"] = np.asarray(value)
        self.roles["calls"].append({"fetches": names, "feeds": fed})
        return self.run(fetches, feed_dict=feed_dict, **kwargs)

    def mark(self):
        """The trained weights now, after the calls so far."""
        trainable = self.session.graph.get_collection(tf.GraphKeys.TRAINABLE_VARIABLES)
        self.roles["after"] = [v.name for v in trainable]
        self.roles["after_calls"] = len(self.roles["calls"])
        for i, value in enumerate(self.run(trainable)):
            self.arrays[f"after_{i}"] = value


def scaffold(case):
    """Nothing of ours in the graph: train builds its own model."""
    return {}


def _sampler(namespace, channels):
    """Draws with the notebook's generator in inference mode, as the notebook's training runs do."""
    generator = namespace.get("generator")
    return None if generator is None else (lambda z: generator(z, channels, is_train=False))


def _train_once(train, case, on_batch):
    """Calls ``train`` as the notebook's training cells do, on ``data()`` told to ``on_batch``."""
    epochs, batch_size, z_dim = case
    sampler = _sampler(getattr(train, "__globals__", {}), 1)
    run = Run(
        "check",
        _RandomImages(data(), on_batch),
        epochs=epochs,
        batch_size=batch_size,
        z_dim=z_dim,
        parts=[
            Progress(verbose=False),
            *([Drawing(sampler), WeightAverage(0.999), Film(every=2, size=4)] if sampler else []),
        ],
    )
    description = f"train({epochs}, {batch_size}, {z_dim}, 0.0005, 0.5, get_batches, data_shape, 'L')"
    arguments = (epochs, batch_size, z_dim, 0.0005, 0.5, run.get_batches, run.data_shape, "L")
    with run:  # A train that trains but returns nothing is accepted.
        return run, call(description, train, *arguments, returns=False)


def evidence(train, case, handles):
    """Runs ``train`` on ``data()`` as the notebook's training cells call it, recording its session."""
    state = {"epochs": 0, "recorder": None}

    def on_batch(event):
        sess = tf.get_default_session()
        require(
            sess is not None,
            "train should iterate get_batches inside `with tf.Session() as sess:` (the notebook draws "
            "samples and saves checkpoints in that session).",
        )
        if event == "epoch":
            state["recorder"] = state["recorder"] or _Recorder(sess)
            state["recorder"].roles["epoch_calls"].append(len(state["recorder"].roles["calls"]))
        else:  # What the batches before this one did.
            state["recorder"].mark()
        state["epochs"] += event == "last"  # An epoch counts once its last batch was taken.

    run, returned = _train_once(train, case, on_batch)
    recorder = state["recorder"]
    require(
        recorder is not None,
        "train never went through the batches of get_batches(batch_size). If you have not written it yet, "
        "fill in its `# TODO` parts: build the model, then for each epoch and each batch of "
        "get_batches(batch_size), run both optimizers.",
    )
    history = run.history(returned)
    losses = [float(loss) for loss in history["d_loss"] + history["g_loss"]]
    roles = recorder.roles | {"epochs": state["epochs"], "losses": losses}
    return Evidence(recorder.session.graph, roles, recorder.arrays)


def _check_losses(losses):
    losses = np.asarray(losses, dtype=np.float64)
    require(np.all(np.isfinite(losses)), f"train's losses are not all finite: {losses.tolist()}.")


def verify(evidence, case, rng):
    """Judges the record: two epochs, both networks trained, finite losses, every batch of every
    epoch fed, scaled to [-1, 1].

    Returns:
        What train fed: ``{"real": (low, high), "noise": (low, high, std)}``, for the notes.
    """
    epochs = case[0]
    roles = evidence.roles
    require(
        roles.get("epochs") == epochs,
        f"train(epoch_count={epochs}, ...) went through {roles.get('epochs')} epoch(s) of get_batches, or "
        "stopped one early: call get_batches(batch_size) once per epoch and take all its batches.",
    )
    trainable = _trainable(evidence)
    require(
        any(name.startswith("generator/") for name in trainable)
        and any(name.startswith("discriminator/") for name in trainable),
        "train built no networks: in its `# TODO: Build the model` part, call model_inputs, model_loss "
        "and model_opt.",
    )
    losses = roles.get("losses")
    _check_losses(losses if isinstance(losses, list) else [])
    before = dict(zip(roles["global"], (evidence.array(f"before_{i}") for i in range(len(roles["global"])))))
    after = {name: evidence.array(f"after_{i}") for i, name in enumerate(trainable)}
    if evidence.imported:
        _replay(evidence, before, after)
    _check_trained(trainable, before, after)
    real, noise = _fed(evidence, case)
    found = _feeds([value for _, value in real], noise)
    _check_every_batch_fed(real, _epoch_calls(evidence, epochs), case)
    return found


def _check_trained(trainable, before, after):
    """Both networks' weights changed in training, and stayed finite."""
    for scope in ("discriminator", "generator"):
        changes = [np.abs(after[n] - before[n]).max() for n in trainable if n.startswith(f"{scope}/")]
        require(
            all(np.isfinite(c) for c in changes), f"The {scope}'s weights became NaN or infinite in training."
        )
        require(
            max(changes) > 0, f"train did not change the {scope}'s weights: run its training op every batch."
        )


def _feeds(real, noise) -> dict:
    """The real images fed are in [-1, 1]; what was fed, for the notes."""
    feeds = {}
    if real:
        low, high = min(float(v.min()) for v in real), max(float(v.max()) for v in real)
        require(
            low < -0.99 and high > 0.99 and low >= -1.0001 and high <= 1.0001,
            f"train fed real images from {low:.2f} to {high:.2f}; get_batches gives -0.5 to 0.5, and the "
            "generator's tanh gives -1 to 1: feed batch_images * 2 (otherwise the samples come out grey).",
        )
        feeds["real"] = (low, high)
    if noise:
        values = np.concatenate([np.asarray(v, np.float64).ravel() for v in noise])
        feeds["noise"] = (float(values.min()), float(values.max()), float(values.std()))
    return feeds


def _check_every_batch_fed(real, epoch_calls, case):
    """Each real image fed is a batch get_batches yielded, scaled; each batch is fed in every epoch.

    Args:
        real: The real images fed, as (index of the session call, images).
        epoch_calls: The index of the first session call of each epoch.
        case: The check's (epochs, batch size, z_dim).
    """
    served = [2 * batch for batch in batches(case[1])]
    fed = [set() for _ in epoch_calls]
    for index, images in real:
        which = next((k for k, batch in enumerate(served) if _same_images(images, batch)), None)
        require(
            which is not None,
            "train fed real images that are not the batches get_batches yielded: feed each batch it "
            "yields (scaled: batch_images * 2), not images made or loaded another way.",
        )
        fed[sum(index >= first for first in epoch_calls) - 1].add(which)
    taken = sum(len(kinds) for kinds in fed)
    require(
        taken == len(served) * len(epoch_calls),
        f"train fed {taken} of the {len(served) * len(epoch_calls)} batches get_batches yielded over "
        f"{len(epoch_calls)} epochs: train on every batch of every epoch (`for batch_images in "
        "get_batches(batch_size):`, each batch fed to the optimizers).",
    )


def _same_images(fed: np.ndarray, batch: np.ndarray) -> bool:
    """Whether ``fed`` is ``batch``, image by image (each alike as it is or flipped left to right)."""
    if fed.shape != batch.shape:
        return False
    as_fed = _standardised(fed)
    alike = (as_fed * _standardised(batch)).mean(axis=1)
    flipped = (as_fed * _standardised(batch[:, :, ::-1])).mean(axis=1)
    return bool(np.all(np.maximum(alike, flipped) >= FED_CORRELATION))


def _standardised(images: np.ndarray) -> np.ndarray:
    """Each image as a row of mean 0 and standard deviation 1 (the mean of two rows' product is
    their correlation)."""
    rows = np.asarray(images, np.float64).reshape(len(images), -1)
    rows = rows - rows.mean(axis=1, keepdims=True)
    return rows / np.maximum(rows.std(axis=1, keepdims=True), 1e-12)


def _epoch_calls(evidence, epochs) -> list[int]:
    """The first session call of each epoch, as recorded: one per epoch, in order."""
    starts = evidence.roles.get("epoch_calls")
    if (
        not isinstance(starts, list)
        or len(starts) < epochs
        or not all(isinstance(first, int) for first in starts)
        or starts != sorted(starts)
    ):
        raise EvidenceError("the epochs' session calls are not recorded")
    return starts[:epochs]


def _trainable(evidence) -> list[str]:
    """The trained variables' names: the graph's own trainable variables, all in the record."""
    roles = evidence.roles
    names = roles.get("after")
    declared = set(evidence.variables(tf.GraphKeys.TRAINABLE_VARIABLES))
    if not isinstance(names, list) or not isinstance(roles.get("global"), list):
        raise EvidenceError("the record names no variables")
    if evidence.imported and (set(names) != declared or not declared <= set(roles["global"])):
        raise EvidenceError("the recorded weights are not the graph's trainable variables")
    return names


def _calls(evidence):
    """The recorded session calls, as (fetch names, {feed name: value})."""
    calls = evidence.roles.get("calls")
    if not isinstance(calls, list):
        raise EvidenceError("the session calls are not recorded")
    for i, made in enumerate(calls):
        if (
            not isinstance(made, dict)
            or not isinstance(made.get("fetches"), list)
            or not isinstance(made.get("feeds"), list)
        ):
            raise EvidenceError("a session call is malformed")
        yield made["fetches"], {name: evidence.array(f"feed_{i}_{j}") for j, name in enumerate(made["feeds"])}


def _fed(evidence, case):
    """What train fed: the real images (4-d, with the index of their session call), and its noise
    (z_dim wide); not the film's noise."""
    real, noise = [], []
    for index, (_, feeds) in enumerate(_calls(evidence)):
        for name, value in feeds.items():
            if _FILM in str(name):
                continue
            if value.ndim == 4:
                real.append((index, value))
            elif value.shape[1:] == (case[2],):
                noise.append(value)
    return real, noise


def _replay(evidence, before, after):
    """Runs the recorded calls again from the recorded weights: they must give the recorded weights.

    Raises:
        EvidenceError: They do not, or the record does not fit the graph.
    """
    variables = evidence.variables()
    calls = list(_calls(evidence))[: evidence.roles.get("after_calls", 0)]
    with tf.Session(graph=evidence.graph) as sess:
        sess.run(tf.global_variables_initializer())
        for name in before:
            if name not in variables:
                raise EvidenceError(f"the record names a variable the graph lacks: {name!r:.80}")
        assign(sess, [(variables[name], value) for name, value in before.items()])
        for fetches, feeds in calls:
            elements = [evidence.element(name, operation=True) for name in fetches]
            try:
                sess.run(elements, {evidence.element(name): value for name, value in feeds.items()})
            except (tf.errors.OpError, ValueError, TypeError) as error:
                raise EvidenceError(
                    f"a recorded session call does not run again: {type(error).__name__}"
                ) from error
        replayed = sess.run([variables[name] for name in after])
    if any(again.shape != after[name].shape for name, again in zip(after, replayed)):
        raise EvidenceError("replaying its session calls gives weights of other shapes than it reported")
    recorded = np.concatenate([(after[name] - before[name]).ravel() for name in after])
    again = np.concatenate([(value - before[name]).ravel() for name, value in zip(after, replayed)])
    if not _alike(recorded, again):
        raise EvidenceError("replaying its session calls does not give the weights it reported")


def _alike(recorded: np.ndarray, again: np.ndarray) -> bool:
    """Whether two trainings' changes of the weights are the same, up to the order in which one
    session call ran its ops (both optimizers in one call read and write the same weights in an
    order of TensorFlow's choosing): the same direction (cosine at least ``REPLAYED_COSINE``) and
    size (within a factor of 2)."""
    if not np.all(np.isfinite(recorded)) or not np.all(np.isfinite(again)):
        return np.array_equal(np.isfinite(recorded), np.isfinite(again))
    sizes = np.linalg.norm(recorded), np.linalg.norm(again)
    if min(sizes) == 0:
        return max(sizes) == 0
    cosine = float(recorded @ again) / (sizes[0] * sizes[1])
    return cosine >= REPLAYED_COSINE and 0.5 <= sizes[1] / sizes[0] <= 2
