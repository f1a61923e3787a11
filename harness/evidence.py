"""What a check looks at, as data: the graph a learner's function built, and the names of its parts.

Each check of ``problem_unittests`` comes in two halves: one calls the learner's function on a
graph of ours and returns its ``Evidence``; the other judges that evidence. In the notebook both
run in one process, on the live graph. A review runs them apart: the first in the learner's
sandbox, which writes the evidence out (``write``: a ``MetaGraphDef``, JSON and arrays: data, not
code); the second in a process that never loads the learner's code, which reads it back
(``read``) into a graph of its own, refusing any op outside an allow-list, and judges it there.
"""

from __future__ import annotations

import io
import json
from dataclasses import dataclass, field
from pathlib import Path

import numpy as np
import tensorflow.compat.v1 as tf
from google.protobuf.message import DecodeError

# The collections a check reads; a graph's others (savers, summaries, contexts) are not exported.
COLLECTIONS = (tf.GraphKeys.GLOBAL_VARIABLES, tf.GraphKeys.TRAINABLE_VARIABLES, tf.GraphKeys.UPDATE_OPS)
VARIABLE_OPS = frozenset({"VariableV2", "Variable", "VarHandleOp"})
MOST_GRAPH_BYTES, MOST_ROLES_BYTES, MOST_ARRAY_BYTES = 64 * 2**20, 4 * 2**20, 256 * 2**20
_MOST_NAME = 1000


class EvidenceError(ValueError):
    """The evidence is missing, malformed or inconsistent: what it claims cannot be verified."""


@dataclass
class Evidence:
    """A graph, the names of the parts a check looks at, and the arrays it recorded.

    Attributes:
        graph: The graph the learner's function built on ours.
        roles: Names of tensors, ops and variables by what they are to the check, and plain facts
            (JSON: strings, numbers, lists and dicts of them).
        arrays: Values the check recorded (the feeds and weights of a training), by name.
        imported: Whether the graph was read back from a file (then nothing in it is taken on trust).
    """

    graph: tf.Graph
    roles: dict
    arrays: dict[str, np.ndarray] = field(default_factory=dict)
    imported: bool = False

    def element(self, name, *, operation: bool = False):
        """The tensor (or, with ``operation``, the tensor or op) called ``name`` in the graph.

        Raises:
            EvidenceError: ``name`` is not a name, or names nothing of that kind in the graph.
        """
        if not isinstance(name, str) or not 0 < len(name) <= _MOST_NAME:
            raise EvidenceError(f"{name!r:.80} is not the name of a tensor")
        try:
            return self.graph.as_graph_element(name, allow_tensor=True, allow_operation=operation)
        except (KeyError, ValueError, TypeError) as error:
            raise EvidenceError(f"the graph has no {'op or ' * operation}tensor {name!r:.80}") from error

    def elements(self, role: str, count: int, *, operation: bool = False) -> list:
        """The ``count`` tensors (or ops) the list ``roles[role]`` names.

        Raises:
            EvidenceError: The role is not a list of ``count`` names of the graph's.
        """
        names = self.roles.get(role)
        if not isinstance(names, list) or len(names) != count:
            raise EvidenceError(f"the evidence does not name its {count} {role}")
        return [self.element(name, operation=operation) for name in names]

    def variables(self, collection: str = tf.GraphKeys.GLOBAL_VARIABLES) -> dict:
        """The graph's variables in ``collection``, by name (``"scope/weights:0"``)."""
        return {v.name: v for v in self.graph.get_collection(collection)}

    def array(self, name: str) -> np.ndarray:
        """A recorded array.

        Raises:
            EvidenceError: No array was recorded under ``name``.
        """
        if name not in self.arrays:
            raise EvidenceError(f"no array {name!r:.80} was recorded")
        return self.arrays[name]


def name_of(element) -> str | None:
    """The graph name of a tensor, op or variable, or None for anything else."""
    if isinstance(element, tf.Variable):
        return element.name
    if isinstance(element, tf.Tensor | tf.Operation):
        return element.name
    return None


SUFFIXES = ("meta", "json", "npz")  # The files of one evidence: the graph, the roles, the arrays.


def serialized(evidence: Evidence) -> dict[str, bytes]:
    """``evidence`` as the bytes of its files, by suffix (``SUFFIXES``)."""
    meta = tf.train.export_meta_graph(graph=evidence.graph, collection_list=list(COLLECTIONS))
    return {
        "meta": meta.SerializeToString(),
        "json": json.dumps(evidence.roles).encode("utf-8"),
        "npz": npz_bytes(evidence.arrays),
    }


def npz_bytes(arrays: dict[str, np.ndarray]) -> bytes:
    """``arrays`` as the bytes of an ``.npz`` file (no pickles)."""
    stream = io.BytesIO()
    np.savez(stream, **arrays)
    return stream.getvalue()


def write(evidence: Evidence, folder: Path, stem: str) -> None:
    """Writes ``evidence`` as ``STEM.meta`` (the graph), ``STEM.json`` and ``STEM.npz`` in ``folder``."""
    for suffix, data in serialized(evidence).items():
        (folder / f"{stem}.{suffix}").write_bytes(data)


def read(folder: Path, stem: str, allowed_ops: frozenset[str]) -> Evidence:
    """Reads the evidence ``write`` wrote, as untrusted data, into a graph of its own.

    Args:
        folder: Where the evidence is.
        stem: Its files' name, without the suffix.
        allowed_ops: The ops a graph may hold (in its nodes and its functions): any other refuses it.

    Raises:
        EvidenceError: A file is missing, too large or malformed; the graph holds an op outside
            ``allowed_ops``, or variables that its collections do not declare.
    """
    meta = tf.MetaGraphDef()
    try:
        meta.ParseFromString(_bounded(folder / f"{stem}.meta", MOST_GRAPH_BYTES))
        roles = json.loads(_bounded(folder / f"{stem}.json", MOST_ROLES_BYTES))
    except (DecodeError, ValueError, RuntimeError) as error:
        raise EvidenceError(f"{stem}'s evidence is malformed: {type(error).__name__}") from error
    if not isinstance(roles, dict):
        raise EvidenceError(f"{stem}'s roles are not a JSON object")
    _refuse_unknown(meta, allowed_ops)
    graph = tf.Graph()
    with graph.as_default():
        try:
            tf.train.import_meta_graph(meta, clear_devices=True)
        except (ValueError, TypeError, KeyError, tf.errors.OpError) as error:
            raise EvidenceError(f"{stem}'s graph does not import: {type(error).__name__}") from error
    _require_declared_variables(graph, stem)
    return Evidence(graph, roles, _arrays(folder / f"{stem}.npz"), imported=True)


def _bounded(path: Path, most: int) -> bytes:
    if not path.is_file() or path.is_symlink():
        raise EvidenceError(f"{path.name} is missing")
    size = path.stat().st_size
    if size > most:
        raise EvidenceError(f"{path.name} is larger than {most // 2**20} MiB")
    with path.open("rb") as stream:
        return stream.read(size)


def _refuse_unknown(meta, allowed_ops: frozenset[str]) -> None:
    """Keeps only the graph and the known collections; refuses ops outside ``allowed_ops``."""
    for part in ("meta_info_def", "saver_def", "object_graph_def"):
        meta.ClearField(part)
    meta.signature_def.clear()
    del meta.asset_file_def[:]
    for key in list(meta.collection_def):
        if key not in COLLECTIONS:
            del meta.collection_def[key]
    library = meta.graph_def.library
    nodes = [*meta.graph_def.node, *(n for function in library.function for n in function.node_def)]
    unknown = sorted({node.op for node in nodes} - allowed_ops)
    if unknown:
        raise EvidenceError(f"the graph holds ops outside the allowed ones: {', '.join(unknown)[:300]}")


def _require_declared_variables(graph: tf.Graph, stem: str) -> None:
    """Every declared variable is a variable op of the graph, and every trainable one is declared
    (as in the graph the learner's function built: the checks read these collections there too)."""
    declared = {v.op.name for v in graph.get_collection(tf.GraphKeys.GLOBAL_VARIABLES)}
    present = {op.name for op in graph.get_operations() if op.type in VARIABLE_OPS}
    trainable = {v.op.name for v in graph.get_collection(tf.GraphKeys.TRAINABLE_VARIABLES)}
    if not declared <= present or not trainable <= declared:
        raise EvidenceError(f"{stem}'s graph declares other variables than it holds")


def _arrays(path: Path) -> dict[str, np.ndarray]:
    try:
        with np.load(io.BytesIO(_bounded(path, MOST_ARRAY_BYTES)), allow_pickle=False) as archive:
            arrays = {name: archive[name] for name in archive.files}
    except (ValueError, OSError, EOFError) as error:
        raise EvidenceError(f"{path.name} is malformed: {type(error).__name__}") from error
    if any(array.dtype.kind not in "fiub" for array in arrays.values()):
        raise EvidenceError(f"{path.name} holds arrays that are not numbers")
    return arrays
