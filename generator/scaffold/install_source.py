"""How this jixiao was installed, as the pip argument a new repository's README and CI install it with.

pip records where a distribution came from (PEP 610, direct_url.json): a VCS URL and revision, a
wheel's URL, or a local folder. Installed from a package index there is no record, and the name and
version are what pip needs. A local folder cannot be installed from elsewhere: the line is then a
placeholder that pip refuses, marked for the bureau to fill in.
"""

from __future__ import annotations

import json
from importlib import metadata

from generator import __version__

PLACEHOLDER = "TODO-请改成jixiao的安装地址-如git+https://…/jixiao@v{version}或wheel文件的网址"


def installed_source() -> tuple[str, bool]:
    """(pip argument, whether it is a placeholder to fill in) for the jixiao that is running."""
    try:
        distribution = metadata.distribution("jixiao")
        text = distribution.read_text("direct_url.json")
    except (metadata.PackageNotFoundError, OSError):
        return PLACEHOLDER.format(version=__version__), True
    return source_from(text, distribution.version)


def source_from(text: str | None, version: str) -> tuple[str, bool]:
    """The pip argument for a distribution whose direct_url.json is `text` (None: from an index)."""
    if text is None:
        return f"jixiao=={version}", False
    try:
        record = json.loads(text)
    except ValueError:
        return PLACEHOLDER.format(version=__version__), True
    url = str(record.get("url", ""))
    vcs = record.get("vcs_info")
    if isinstance(vcs, dict) and url:
        revision = vcs.get("requested_revision") or vcs.get("commit_id")
        return f"{vcs.get('vcs', 'git')}+{url}" + (f"@{revision}" if revision else ""), False
    if "archive_info" in record and url:
        return url, False  # a wheel's https:// or file:// URL: pip installs either as it is
    return PLACEHOLDER.format(version=__version__), True
