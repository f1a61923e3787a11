"""harness/device.py: the line naming the training device, and why not a GPU when one is there."""

import ctypes.util

import pytest

from harness import device


def findings(gpus=(), nvidia_gpu=False, cuda_libraries=()):
    return device.Findings(tuple(gpus), nvidia_gpu, tuple(cuda_libraries), "2.21.0")


def test_a_gpu_tensorflow_lists_is_named():
    assert device.describe(findings(gpus=["NVIDIA H200"], nvidia_gpu=True)) == "Training on GPU: NVIDIA H200"


def test_a_machine_without_gpu_or_cuda_just_trains_on_the_cpu():
    assert device.describe(findings()) == "Training on the CPU (no GPU found)"


def test_cuda_libraries_without_a_usable_gpu_say_why_and_the_install_in_one_line():
    said = device.describe(findings(cuda_libraries=["libcudart.so.12"]))

    assert "\n" not in said
    assert said.startswith(
        "Training on the CPU: TensorFlow finds CUDA libraries (libcudart.so.12) but no usable GPU"
    )
    assert "`nvidia-smi`" in said and "pip install 'tensorflow[and-cuda]==2.21.0'" in said


@pytest.mark.parametrize(
    ("libraries", "why"),
    [((), "(no CUDA libraries)"), (("libcudart.so.13",), "(libcudart.so.13, not the CUDA ")],
)
def test_an_nvidia_gpu_tensorflow_cannot_use_says_why_and_the_install(libraries, why):
    said = device.describe(findings(nvidia_gpu=True, cuda_libraries=libraries))

    assert "\n" not in said
    assert said.startswith(
        "Training on the CPU: this machine has an NVIDIA GPU, but TensorFlow cannot use it "
    )
    assert why in said
    assert said.endswith(
        "To train on the GPU: pip install 'tensorflow[and-cuda]==2.21.0', then restart the kernel."
    )


def test_finding_an_nvidia_gpu_without_cuda_on_this_machine(monkeypatch, tmp_path):
    # Simulated: the driver's device file is there, no CUDA library is, and TensorFlow lists no GPU.
    (tmp_path / "nvidia0").touch()
    monkeypatch.setattr(device, "_NVIDIA_DEVICE", tmp_path / "nvidia0")
    monkeypatch.setattr(ctypes.util, "find_library", lambda name: None)
    monkeypatch.setattr(device, "_CUDA_PACKAGE", "nvidia.not_installed_here")

    found = device.find()

    assert found.nvidia_gpu and not found.cuda_libraries
    if not found.gpus:  # A machine with a real GPU lists it: then the GPU line is right.
        assert "TensorFlow cannot use it (no CUDA libraries)" in device.training_device()
