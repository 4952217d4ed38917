"""``sslsci store prune``: drop the data of files gone from their archive."""

from __future__ import annotations

from sslsci.ingest.gone import prune_refusal
from sslsci.store import Workspace, workdir_lock


class UnconfirmedPruneError(RuntimeError):
    """Most files of an entry are marked gone: its archive may only be unreachable."""


def prune_store(workspace: Workspace, *, confirmed: bool = False) -> tuple[int, int]:
    """Delete stored items no live manifest row refers to; drop the rows of gone files.

    That is the data of files gone from their archive, and of earlier versions of
    changed files, and what killed writers left unfinished (``drop_unfinished``). Runs
    under the ingest lock so it never races a writer. Returns
    (items deleted, gone files dropped). Refuses, unless ``confirmed``, when most files
    of an entry are gone (``UnconfirmedPruneError``).
    """
    with workdir_lock(workspace.root):
        manifest, store = workspace.manifest(), workspace.store()
        try:
            refusal = None if confirmed else prune_refusal(manifest.gone_counts())
            if refusal:
                raise UnconfirmedPruneError(refusal)
            doomed = store.keys() - manifest.live_keys()
            for key in sorted(doomed):
                store.delete(key)
            store.drop_unfinished()
            dropped = manifest.drop_gone()
        finally:
            manifest.close()
    return len(doomed), dropped
