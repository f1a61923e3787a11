"""Which device training runs on, in one line, and why not on a GPU when the machine has one.

TensorFlow trains on a GPU only when it finds the GPU, NVIDIA's driver and the CUDA libraries it
was built against; otherwise it trains on the CPU and says why only in C++ log lines that the
notebook hides. The usual reason is the install: ``pip install tensorflow`` brings no CUDA
libraries, ``pip install "tensorflow[and-cuda]"`` does. This module finds which piece is missing
and says it in the line that names the device.
"""

from __future__ import annotations

import ctypes.util
import importlib.util
from dataclasses import dataclass
from pathlib import Path

__all__ = ["Findings", "describe", "find", "training_device"]

_NVIDIA_DEVICE = Path("/dev/nvidia0")  # Made by NVIDIA's driver for the first GPU.
_NVIDIA_GPUS = Path("/proc/driver/nvidia/gpus")  # One folder per GPU the driver sees.
_CUDA_PACKAGE = "nvidia.cuda_runtime"  # What tensorflow[and-cuda] installs (CUDA's runtime).


@dataclass(frozen=True)
class Findings:
    """What the machine has, for a GPU.

    Attributes:
        gpus: The GPUs TensorFlow lists (their names); none when it trains on the CPU.
        nvidia_gpu: Whether NVIDIA's driver shows a GPU on this machine.
        cuda_libraries: The CUDA libraries found (e.g. ``libcudart.so.12``), or empty.
        tensorflow: TensorFlow's version, for the install line.
    """

    gpus: tuple[str, ...]
    nvidia_gpu: bool
    cuda_libraries: tuple[str, ...]
    tensorflow: str


def find() -> Findings:
    """Looks at this machine: TensorFlow's GPUs, NVIDIA's driver, CUDA's libraries."""
    import tensorflow as tf

    from harness.quiet import native_log_lines_hidden

    with native_log_lines_hidden():  # Without a GPU, CUDA logs that it found none.
        gpus = tf.config.list_physical_devices("GPU")
    names = []
    for gpu in gpus:
        details = tf.config.experimental.get_device_details(gpu)
        names.append(details.get("device_name", gpu.name))
    nvidia = _NVIDIA_DEVICE.exists() or (_NVIDIA_GPUS.is_dir() and any(_NVIDIA_GPUS.iterdir()))
    return Findings(tuple(names), nvidia, _cuda_libraries(), tf.__version__)


def _cuda_libraries() -> tuple[str, ...]:
    found = [library for name in ("cudart", "cuda") if (library := ctypes.util.find_library(name))]
    if importlib.util.find_spec("nvidia") and importlib.util.find_spec(_CUDA_PACKAGE):
        found.append(f"{_CUDA_PACKAGE} (pip)")
    return tuple(found)


def describe(findings: Findings) -> str:
    """The line naming the device training runs on, and, on the CPU where a GPU could be expected,
    why not and how to fix it."""
    if findings.gpus:
        return f"Training on GPU: {findings.gpus[0]}"
    install = f"pip install 'tensorflow[and-cuda]=={findings.tensorflow}'"
    if findings.nvidia_gpu:
        found = ", ".join(findings.cuda_libraries)
        why = f"{found}, not the CUDA {_cuda_major()} libraries it needs" if found else "no CUDA libraries"
        return (
            f"Training on the CPU: this machine has an NVIDIA GPU, but TensorFlow cannot use it ({why}). "
            f"To train on the GPU: {install}, then restart the kernel."
        )
    if findings.cuda_libraries:
        return (
            f"Training on the CPU: TensorFlow finds CUDA libraries ({', '.join(findings.cuda_libraries)}) "
            "but no usable GPU (NVIDIA's driver shows none). On a machine with an NVIDIA GPU, check that "
            f"`nvidia-smi` lists it, then {install} and restart the kernel."
        )
    return "Training on the CPU (no GPU found)"


def _cuda_major() -> str:
    try:
        import tensorflow as tf

        return str(tf.sysconfig.get_build_info().get("cuda_version", "")).split(".")[0] or "GPU"
    except (ImportError, AttributeError):
        return "GPU"


def training_device() -> str:
    """``describe(find())``: the line the notebook prints before training."""
    return describe(find())
