"""Which files go into the wheel (everything else about the package is in pyproject.toml).

``templates/`` and ``config/`` stay at the repository root, where the design puts data,
and ship inside the wheel as subpackages of ``crmsync_data`` (see its docstring): each data
folder is mapped to ``crmsync_data.<folder>``, with its subfolders as subpackages, so
``importlib.resources`` finds them in an installed crmsync. The package list is computed
here because ``[tool.setuptools.packages.find]`` cannot discover packages mapped from
folders outside the package tree.
"""

from __future__ import annotations

from pathlib import Path

from setuptools import find_namespace_packages, find_packages, setup

ROOT = Path(__file__).resolve().parent
DATA_FOLDERS = {"templates": ["*.j2"], "config": ["*.yaml"]}

code = find_packages(include=["connectors*", "sandbox*", "sync*", "compensation*", "crmsync_data"])
data = {
    f"crmsync_data.{folder}{'.' + sub if sub else ''}": patterns
    for folder, patterns in DATA_FOLDERS.items()
    for sub in ["", *find_namespace_packages(str(ROOT / folder))]
}

setup(
    packages=[*code, *data],
    package_dir={f"crmsync_data.{folder}": folder for folder in DATA_FOLDERS},
    package_data={
        "sandbox.generator": ["data/*.txt"],
        # The Spark backend's Java functions (built from the source beside the jar).
        "sync.reconcile": ["spark/*.jar", "spark/*.java"],
        "sync.store": ["migrations/*.py", "migrations/script.py.mako", "migrations/versions/*.py"],
        **data,
    },
)
