"""MkDocs hook: publish the coursework notebooks of ``notebooks/`` under ``notebooks/`` on the site.

The notebooks stay in one place in the repository (``notebooks/``, stored without outputs);
this hook adds them to the documentation's files before mkdocs-jupyter renders them (without
executing them).
"""

from __future__ import annotations

from pathlib import Path

from mkdocs.plugins import event_priority
from mkdocs.structure.files import File, Files

ROOT = Path(__file__).resolve().parents[2]
NOTEBOOKS = ROOT / "notebooks"


@event_priority(100)  # before mkdocs-jupyter's on_files, which picks up every .ipynb
def on_files(files: Files, config) -> Files:
    for path in sorted(NOTEBOOKS.glob("*.ipynb")):
        # a plain File rooted at the repository, so that src_dir/src_uri give its path (mkdocs-jupyter reads it there)
        files.append(File(f"notebooks/{path.name}", src_dir=str(ROOT), dest_dir=config["site_dir"], use_directory_urls=config["use_directory_urls"]))
    return files
