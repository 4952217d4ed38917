"""Which weight files sslsci will touch: safetensors only, never pickle.

Unpickling a ``.pt``/``.pkl`` file runs whatever code its author put in it, so a
downloaded model in such a format is refused, with a message saying how to convert.
"""

from __future__ import annotations

from pathlib import PurePosixPath

from sslsci.bundle.errors import UnsafeFileError

PICKLE_SUFFIXES = (".pt", ".pth", ".pkl", ".pickle", ".bin", ".ckpt", ".joblib")
WEIGHTS_SUFFIX = ".safetensors"


def is_pickle_name(name: str) -> bool:
    """Whether a file name has a pickle-based weights suffix."""
    return PurePosixPath(name).suffix.lower() in PICKLE_SUFFIXES


def pickle_refusal(name: str, where: str) -> str:
    """The message for refusing a pickle-based file."""
    suffix = PurePosixPath(name).suffix.lower()
    return (
        f"{where}: refusing {name!r}: {suffix} files are pickle-based and loading one runs "
        "arbitrary code. sslsci loads weights only from safetensors. Ask the publisher for "
        "a .safetensors release, or convert a file you trust with "
        "safetensors.torch.save_file(state_dict, 'weights.safetensors')."
    )


def check_weights_name(name: str, where: str) -> None:
    """Raise unless ``name`` is a ``.safetensors`` file (pickle gets its own message)."""
    if is_pickle_name(name):
        raise UnsafeFileError(pickle_refusal(name, where))
    if not name.endswith(WEIGHTS_SUFFIX):
        raise UnsafeFileError(
            f"{where}: weights file {name!r} is not a {WEIGHTS_SUFFIX} file; sslsci reads "
            "weights only from safetensors."
        )
