"""Vendor the workspace's browser files from the npm registry into ``service/web/static/vendor``.

Run ``.venv/bin/python -m service.web.vendor`` (needs ``npm``; only at development time, never at
run time). Each package is fetched with ``npm pack <name>@<version>``, the listed built files are
copied, and ``manifest.json`` records name, version, licence, tarball integrity and files. To refresh,
change a version in :data:`PACKAGES` and run the module again; commit the files and the manifest.
"""

from __future__ import annotations

import json
import shutil
import subprocess
import tarfile
import tempfile
from pathlib import Path

VENDOR_DIR = Path(__file__).resolve().parent / "static" / "vendor"

# name, version range (npm semver; the manifest records the exact version), files inside the tarball's ``package/`` directory. vega 6 / vega-lite 6 match the
# vl-convert used for server-side SVG (service/charts), so one spec renders the same in both places.
PACKAGES: list[tuple[str, str, list[str]]] = [
    ("htmx.org", "2", ["dist/htmx.min.js", "LICENSE"]),
    ("vega", "6.2.0", ["build/vega.min.js", "LICENSE"]),
    ("vega-lite", "~6.4", ["build/vega-lite.min.js", "LICENSE"]),
    ("vega-embed", "7", ["build/vega-embed.min.js", "LICENSE"]),
    ("axe-core", "4", ["axe.min.js", "LICENSE"]),
    (
        "swagger-ui-dist",
        "5",
        ["swagger-ui-bundle.js", "swagger-ui.css", "favicon-32x32.png", "LICENSE"],
    ),
    ("redoc", "2", ["bundles/redoc.standalone.js", "LICENSE"]),
]


def _pack(name: str, version: str, workdir: Path) -> tuple[Path, dict]:
    out = subprocess.run(
        ["npm", "pack", f"{name}@{version}", "--json", "--pack-destination", str(workdir)],
        check=True,
        capture_output=True,
        text=True,
    )
    info = json.loads(out.stdout)[0]
    return workdir / info["filename"], info


def vendor() -> list[dict]:
    """Fetch every package of :data:`PACKAGES` and write ``manifest.json``; returns its entries."""
    manifest = []
    with tempfile.TemporaryDirectory() as tmp:
        for name, version, files in PACKAGES:
            tarball, info = _pack(name, version, Path(tmp))
            target = VENDOR_DIR / name
            target.mkdir(parents=True, exist_ok=True)
            with tarfile.open(tarball) as tar:
                meta = json.load(tar.extractfile("package/package.json"))  # type: ignore[arg-type]
                for rel in files:
                    member = tar.extractfile(f"package/{rel}")
                    if member is None:
                        raise FileNotFoundError(f"{name}@{version}: {rel}")
                    with (target / Path(rel).name).open("wb") as fh:
                        shutil.copyfileobj(member, fh)
            manifest.append(
                {
                    "name": name,
                    "version": meta["version"],
                    "license": meta.get("license"),
                    "integrity": info.get("integrity"),
                    "files": [f"{name}/{Path(rel).name}" for rel in files],
                }
            )
    (VENDOR_DIR / "manifest.json").write_text(json.dumps(manifest, indent=2) + "\n", encoding="utf-8")
    return manifest


if __name__ == "__main__":
    for entry in vendor():
        print(f"{entry['name']}@{entry['version']} ({entry['license']})")
