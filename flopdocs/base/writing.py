"""Writing output: a user's file atomically (``import-hf -o``: a temporary file beside it,
then a rename; a leftover of a killed run, ours by name and header, is removed on the next),
and a command's stdout (a closed pipe ends quietly, a full disk is one line).  Nothing here
parses or formats configs.
"""
from __future__ import annotations

import fcntl
import os
import stat
import tempfile
import sys
from pathlib import Path

from flopdocs.errors import ConfigError

def write_atomic(path: Path, text: str) -> None:
    """Write ``text`` to ``path`` via a temporary file in the same directory, then rename."""
    if not path.name or path.is_dir():
        raise ConfigError(f"-o {str(path)!r}: is a directory, not a file to write")
    if path.is_symlink() or (path.exists() and not path.is_file()):
        # a link, FIFO or device: renaming over it would replace it, not write through it
        raise ConfigError(f"-o {path}: exists and is not a regular file; refusing to replace it")
    directory = path.parent if str(path.parent) else Path(".")
    if not directory.is_dir():
        raise ConfigError(f"-o {path}: no such directory: {directory}")
    header = text.partition("\n")[0].encode("utf-8")
    clean_stale_tmp(path, header)
    try:
        fd, tmp = tempfile.mkstemp(dir=directory, prefix=f".{path.name}.", suffix=".tmp")
    except OSError as e:
        raise ConfigError(f"-o {path}: cannot write there: {e.strerror}") from None
    try:
        # locked from before anything is written until after the rename (the lock is on
        # fd, which outlives the writer's duplicate): unlocked and ours, it is a leftover
        fcntl.flock(fd, fcntl.LOCK_EX | fcntl.LOCK_NB)
        # mkstemp creates 0600; give the file the mode it had, or what a new file gets
        os.chmod(tmp, stat.S_IMODE(path.stat().st_mode) if path.exists() else 0o666 & ~_umask())
        with os.fdopen(os.dup(fd), "w", encoding="utf-8", newline="\n") as f:
            f.write(text)
        os.replace(tmp, path)
    except BaseException as e:
        if os.path.exists(tmp):
            os.unlink(tmp)
        if isinstance(e, OSError):
            raise ConfigError(f"-o {path}: cannot write there: {e.strerror}") from None
        raise
    finally:
        os.close(fd)


def clean_stale_tmp(path: Path, header: bytes) -> None:
    """Remove what a killed ``-o path`` (``kill -9``) left next to ``path``: ours only.

    A leftover is a regular file of ours named ``.<name>.XXXXXXXX.tmp`` (mkstemp's eight
    characters) that starts with ``header`` (the first line we write) and that no
    process holds locked.
    """
    directory = path.parent if str(path.parent) else Path(".")
    prefix, chars = f".{path.name}.", set("abcdefghijklmnopqrstuvwxyz0123456789_")
    try:
        names = sorted(os.listdir(directory))
    except OSError:
        return
    for name in names:
        middle = name[len(prefix):-len(".tmp")]
        if not (name.startswith(prefix) and name.endswith(".tmp") and len(middle) == 8
                and set(middle) <= chars) or not header:
            continue
        try:
            fd = os.open(directory / name, os.O_RDONLY | os.O_NOFOLLOW | os.O_NONBLOCK | os.O_CLOEXEC)
        except OSError:
            continue
        try:
            st = os.fstat(fd)
            if not stat.S_ISREG(st.st_mode) or st.st_uid != os.geteuid():
                continue
            fcntl.flock(fd, fcntl.LOCK_EX | fcntl.LOCK_NB)  # fails while its writer runs
            if os.read(fd, len(header)) == header:
                os.unlink(directory / name)
        except OSError:
            pass
        finally:
            os.close(fd)


def _umask() -> int:
    mask = os.umask(0o022)
    os.umask(mask)
    return mask


#: The typography flopdocs itself writes, and its ASCII spelling for a stdout that cannot
#: hold it (``PYTHONIOENCODING=ascii``).
_PLAIN = str.maketrans({"×": "x", "–": "-", "—": "-", "→": "->", "·": "*", "…": "...", "≈": "~",
                        "²": "^2", "√": "sqrt", "ᵀ": "^T", "‘": "'", "’": "'", "“": '"', "”": '"'})


def emit(out: str) -> int:
    """Write a command's output to stdout and flush it; the exit status.

    A reader that is gone (a closed pipe, stdout closed) ends quietly with 141 (what a
    shell reports for SIGPIPE); a full disk or a character stdout's encoding cannot hold
    is one line, exit 2.
    """
    stream = sys.stdout
    if stream is None:  # started with stdout closed (>&-)
        return 141 if out else 0
    try:
        try:
            stream.write(out)
        except UnicodeEncodeError:  # our own typography (×, –, →) has ASCII spellings; a name has none
            stream.write(out.translate(_PLAIN))
        stream.flush()
    except BrokenPipeError:
        discard_stdout(stream)
        return 141
    except UnicodeEncodeError as e:
        char = e.object[e.start:e.start + 1]
        print(f"flopdocs: error: stdout: character {ascii(char)} cannot be written in "
              f"{stream.encoding} (set PYTHONIOENCODING=utf-8)", file=sys.stderr)
        return 2
    except OSError as e:  # ENOSPC (> /dev/full), EIO, ...
        discard_stdout(stream)
        print(f"flopdocs: error: stdout: cannot write the output: {e.strerror or e}", file=sys.stderr)
        return 2
    return 0


class ClosedStdout:
    """stdout when the process started without one (``>&-``): every write is a reader gone."""

    encoding = "utf-8"

    def write(self, text: str) -> int:
        raise BrokenPipeError(32, "stdout is closed")

    def flush(self) -> None:
        pass

    def isatty(self) -> bool:
        return False


def discard_stdout(stream) -> None:
    """Point stdout's descriptor at /dev/null, so the interpreter's last flush of what is
    still buffered succeeds quietly (Python's recipe for a broken pipe)."""
    try:
        devnull = os.open(os.devnull, os.O_WRONLY)
        os.dup2(devnull, stream.fileno())
        os.close(devnull)
    except (OSError, ValueError, AttributeError):
        pass
