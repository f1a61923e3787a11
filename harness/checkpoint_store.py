"""Checkpoints of training runs, and what makes two runs the same run.

A run is described by its settings: the source of ``train`` and of every notebook function it
uses, every global constant they use (``G_STEPS``, a learner's ``alpha``...), the
hyperparameters and the data's fingerprint (``settings_of``). Its checkpoints live in
``<folder>/<name>-<digest of the settings>/``: ``settings.json``, ``latest.json`` naming the
current step folder, and the step folders ``step-0001234/`` (the variables, ``state.json`` and
the arrays of the run's parts, such as the film's ``frames.npy``). A checkpoint is only ever
resumed by a run with the very same settings; when the settings differ, ``CheckpointStore.find``
says which ones.

Every file and folder is written under a temporary name and renamed when complete
(``atomic``), so a crash while saving never spoils the last good checkpoint.
"""

from __future__ import annotations

import hashlib
import inspect
import json
import os
import re
import shutil
import types
from pathlib import Path

import numpy as np

from harness import atomic

LATEST = "latest.json"
SETTINGS = "settings.json"
_STEP_FOLDER = re.compile(r"step-\d{7}")
# TensorFlow is imported inside the methods that use it: importing this module loads nothing of it.


class CheckpointError(ValueError):
    """A checkpoint cannot be read back or written."""


def _code_digest(function: types.FunctionType) -> str:
    """Digest of a function's source, or of its compiled code where no source can be found."""
    try:
        text = inspect.getsource(function)
    except (OSError, TypeError):
        code = function.__code__
        text = repr((code.co_code, code.co_consts, code.co_names, function.__defaults__))
    return hashlib.sha256(text.encode()).hexdigest()[:12]


def _names_used(code: types.CodeType) -> set[str]:
    """The global (and attribute) names a function's code refers to, nested functions included."""
    names = set(code.co_names)
    for constant in code.co_consts:
        if isinstance(constant, types.CodeType):
            names |= _names_used(constant)
    return names


def settings_of(namespace: dict, roots: tuple[str, ...] = ("train",), **values) -> dict:
    """What makes a training run what it is, as a flat dict of JSON values.

    Starting from ``roots``, every function of the notebook that they use, directly or through
    others, is kept by the digest of its source, and every global number, string or tuple they
    use (``G_STEPS``, a learner's ``alpha = 0.2``...) by its value.

    Args:
        namespace: The notebook's globals.
        roots: The functions training starts from.
        **values: Hyperparameters and data fingerprints, kept as given.

    Returns:
        ``{"code of train": digest, "G_STEPS": 3, "learning_rate": 0.0005, ...}``.
    """
    module = namespace.get("__name__")
    settings, pending, seen = {}, list(roots), set()
    while pending:
        name = pending.pop()
        if name in seen:
            continue
        seen.add(name)
        value = namespace.get(name)
        if isinstance(value, types.FunctionType) and value.__module__ == module:
            settings[f"code of {name}"] = _code_digest(value)
            pending.extend(_names_used(value.__code__))
        elif isinstance(value, (bool, int, float, str, tuple)) and name not in roots:
            settings[name] = value
    settings.update(values)
    return json.loads(json.dumps(settings, default=str))


def _describe_changes(old: dict, new: dict) -> str:
    changes = []
    for key in sorted(set(old) | set(new)):
        if old.get(key) == new.get(key):
            continue
        if key.startswith("code of "):
            changes.append(f"{key[len('code of ') :]}'s code changed")
        else:
            changes.append(f"{key} {old.get(key, 'unset')} → {new.get(key, 'unset')}")
    return ", ".join(changes[:4]) + (f" and {len(changes) - 4} more" if len(changes) > 4 else "")


def _size_of(session, arrays: dict[str, np.ndarray]) -> int:
    """About the bytes a checkpoint takes: every variable of the session's graph, and the arrays."""
    variables = session.graph.get_collection("variables")
    held = sum(v.shape.num_elements() * v.dtype.size for v in variables if v.shape.is_fully_defined())
    return held + sum(array.nbytes for array in arrays.values()) + 64 * 1024  # Indexes, state, headers.


class CheckpointStore:
    """Saves and finds the checkpoints of runs in one folder.

    Attributes:
        folder: Where the runs' folders are.
        resume: Whether ``find`` offers checkpoints at all.
    """

    def __init__(self, folder: str | os.PathLike, *, resume: bool = True) -> None:
        """Describes the store; nothing is created until the first save.

        Args:
            folder: Folder holding one sub-folder per run.
            resume: Offer the last checkpoint of the same run; False always starts afresh.
        """
        self.folder = Path(folder)
        self.resume = resume

    def run_folder(self, name: str, settings: dict) -> Path:
        """The folder of the run called ``name`` with these settings."""
        text = json.dumps([name, sorted(settings.items())], default=str)
        return self.folder / f"{name}-{hashlib.sha256(text.encode()).hexdigest()[:12]}"

    def find(self, name: str, settings: dict) -> tuple[Path | None, str | None]:
        """The last checkpoint of the same run, if any, or why there is none to resume.

        Returns:
            ``(checkpoint folder, None)``, or ``(None, reason)`` where the reason is a sentence
            for the user (None when there is simply nothing saved yet).

        Raises:
            CheckpointError: ``latest.json`` of this run cannot be read.
        """
        own = self.run_folder(name, settings)
        atomic.sweep_and_say(self.folder)
        atomic.sweep_and_say(own)
        if not self.resume:
            return None, None
        latest = own / LATEST
        if latest.is_file():
            try:
                checkpoint = own / json.loads(latest.read_text())["checkpoint"]
            except (OSError, ValueError, KeyError, TypeError) as error:
                raise CheckpointError(
                    f"{latest} cannot be read ({error}). Delete the folder {own} to start this run over."
                ) from error
            return checkpoint, None
        others = sorted(
            (path for path in self.folder.glob(f"{name}-*/{SETTINGS}") if path.parent != own),
            key=lambda path: path.stat().st_mtime,
        )
        if not others:
            return None, None
        try:
            old = json.loads(others[-1].read_text())
        except (OSError, ValueError):
            return None, None
        return None, (
            f"Not resuming {others[-1].parent.name}: it is another run ({_describe_changes(old, settings)}). "
            "Training from the start."
        )

    def save(
        self, name: str, settings: dict, session, saver, state: dict, arrays: dict[str, np.ndarray]
    ) -> Path:
        """Saves the session's variables, ``state`` and ``arrays`` as the run's current checkpoint.

        ``state`` is written as ``state.json``; each array as ``<its name>.npy``.

        Only this run's older step folders are removed; anything else in the folder is left alone.

        Returns:
            The new checkpoint's folder.
        """
        own = self.run_folder(name, settings)
        own.mkdir(parents=True, exist_ok=True)
        if not (own / SETTINGS).is_file():
            atomic.write_text(own / SETTINGS, json.dumps(settings, indent=1, default=str))
        final = own / f"step-{state['step']:07d}"
        if not final.is_dir():
            with atomic.folder(final, _size_of(session, arrays)) as work:
                saver.save(session, str(work / "model"), write_meta_graph=False, write_state=False)
                (work / "state.json").write_text(json.dumps(state, default=float))
                for key, array in arrays.items():
                    np.save(work / f"{key}.npy", array)
        atomic.write_text(own / LATEST, json.dumps({"checkpoint": final.name}))
        for old in own.iterdir():
            if old != final and old.is_dir() and _STEP_FOLDER.fullmatch(old.name):
                shutil.rmtree(old, ignore_errors=True)
        return final

    @staticmethod
    def load(checkpoint: Path, session, saver) -> tuple[dict, dict[str, np.ndarray]]:
        """Restores the variables into ``session``; returns the saved state and arrays.

        Raises:
            CheckpointError: The checkpoint is missing a file or does not fit the graph.
        """
        import tensorflow.compat.v1 as tf

        try:
            state = json.loads((checkpoint / "state.json").read_text())
            arrays = {path.stem: np.load(path) for path in checkpoint.glob("*.npy")}
            saver.restore(session, str(checkpoint / "model"))
            for field in ("step", "epoch", "batch_in_epoch"):
                int(state[field])
        except (OSError, ValueError, KeyError, TypeError, tf.errors.OpError) as error:
            detail = getattr(error, "message", str(error)).splitlines()[0]
            raise CheckpointError(
                f"The checkpoint {checkpoint} cannot be read ({type(error).__name__}: {detail}). Delete "
                f"the folder {checkpoint.parent} to start this run over, or set resume = False."
            ) from error
        return state, arrays
